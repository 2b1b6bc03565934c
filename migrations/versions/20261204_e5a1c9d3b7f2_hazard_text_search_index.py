"""the hazard list's text search through an index: FTS5 trigram table on SpatiaLite, pg_trgm on PostgreSQL

On SQLite `hazards_search` is an FTS5 table with the trigram tokenizer (SQLite >= 3.34) over the code,
title and road name, its content read from `hazards` (external content, rowid = hazards.id), kept in
step by three triggers. A later migration that rebuilds the hazards table on SQLite (batch mode's copy
and move) drops these triggers with the old table: it must create them again (`create_sqlite_triggers`).

On PostgreSQL three GIN indexes with pg_trgm's operator class serve `LIKE '%…%'`; the extension ships
with PostgreSQL's contrib package.

Revision ID: e5a1c9d3b7f2
Revises: c41d7e2a9b10
Create Date: 2026-12-04 02:00:00.000000
"""

from alembic import op

revision = 'e5a1c9d3b7f2'
down_revision = 'c41d7e2a9b10'
branch_labels = None
depends_on = None

COLUMNS = ("code", "title", "road_name")
_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

SQLITE_TRIGGERS = {
    "hazards_search_insert": f"""
        CREATE TRIGGER hazards_search_insert AFTER INSERT ON hazards BEGIN
            INSERT INTO hazards_search (rowid, {_cols}) VALUES (new.id, {_new});
        END""",
    "hazards_search_delete": f"""
        CREATE TRIGGER hazards_search_delete AFTER DELETE ON hazards BEGIN
            INSERT INTO hazards_search (hazards_search, rowid, {_cols}) VALUES ('delete', old.id, {_old});
        END""",
    "hazards_search_update": f"""
        CREATE TRIGGER hazards_search_update AFTER UPDATE OF id, {_cols} ON hazards BEGIN
            INSERT INTO hazards_search (hazards_search, rowid, {_cols}) VALUES ('delete', old.id, {_old});
            INSERT INTO hazards_search (rowid, {_cols}) VALUES (new.id, {_new});
        END""",
}


def create_sqlite_triggers():
    for sql in SQLITE_TRIGGERS.values():
        op.execute(sql)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE hazards_search USING fts5({_cols}, content='hazards', "
                   f"content_rowid='id', tokenize='trigram')")
        op.execute("INSERT INTO hazards_search (hazards_search) VALUES ('rebuild')")
        create_sqlite_triggers()
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in COLUMNS:
            op.execute(f"CREATE INDEX ix_hazards_{column}_trgm ON hazards USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS hazards_search")
    else:
        # The extension stays: other databases' objects may use it, and it holds no data.
        for column in COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_hazards_{column}_trgm")
