"""Use cases: validate, authorize, change, record. They take the session first and only flush."""
