"""Running the tracker for years: taking and restoring backups of the database with its stored files."""
