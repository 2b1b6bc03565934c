"""The demo ledger: a believable city, its counties, roads, units, users and hazards."""
