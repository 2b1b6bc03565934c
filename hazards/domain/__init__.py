"""The domain core: the ledger's rules as plain Python, with no database, no Flask and no I/O.

Vocabularies and their labels (`enums`, `labels`), hazard codes (`codes`), division-code arithmetic
(`divisions`), money in 万元 (`money`), the workflow's transition table (`workflow`), reminder
dates (`reminder_rules`), a hazard draft and its cross-field rules (`drafts`), the completion
numbers (`completion`) and the typed errors every layer raises (`errors`). Everything else in
`hazards` may import this package; it imports nothing of theirs.
"""
