"""Running the tracker for years: setting up an agency's ledger (`hazards init`), and taking and restoring
backups of the database with its stored files."""
