"""Administration use cases: accounts (one by one or from a sheet), organizations, the category and
measure vocabularies, and the audit every one of them writes through `audit.record`.

An admin manages the accounts and units of their own division and those below it (`hazards.permissions.
can_manage`); anything outside that subtree is as unknown to them as a missing row (404). The
vocabularies are shared by the whole ledger, so any admin may keep them.
"""
