"""Read models: what pages and the API show, each one query (or a few) shaped for its reader.

The hazard list (`hazard_list`), the dashboard, the map's features and fixed layers, a hazard's
timeline, its page (`hazard_detail`) and the actions a user may take on it (`actions`), and the pick
lists of divisions, organizations and people (`divisions`), and the reminder deliveries the admins
watch (`deliveries`). Every function takes the acting user and
applies `permissions.visible_clause` itself, so no caller can forget it. Nothing here changes data.

`completion` is not a read model but its building blocks: the completion rules as SQL conditions
(no query, no user), which the tally and the reports count with too.
"""
