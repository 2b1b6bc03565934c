"""each crash's road key (the division for county-numbered routes), computed by the database, and an
index in road and stake order that identification walks instead of sorting a province's crashes

Revision ID: 7c1e4b9d2f60
Revises: 3f8c2d71a9e4
Create Date: 2026-12-07 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '7c1e4b9d2f60'
down_revision = '3f8c2d71a9e4'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration keeps the definition it was written with.
ROAD_KEY = "CASE WHEN substr(route_code, 1, 1) IN ('G', 'S') THEN '' ELSE jurisdiction_code END"
INCLUDED = ['id', 'deaths', 'injuries', 'occurred_on', 'jurisdiction_code']


def upgrade():
    # A plain ALTER on both, no table rebuild (which on SpatiaLite would lose the geometry column's
    # registration): SQLite adds only virtual generated columns (indexed all the same); PostgreSQL
    # indexes only stored ones.
    stored = op.get_bind().dialect.name == "postgresql"
    op.add_column('crashes', sa.Column('road_key', sa.String(length=12), sa.Computed(ROAD_KEY, persisted=stored or None),
                                       nullable=True))
    op.create_index('ix_crashes_road_stake', 'crashes', ['route_code', 'road_key', 'stake_m'], unique=False,
                    postgresql_include=INCLUDED)
    op.drop_index('ix_crashes_route_stake', table_name='crashes')


def downgrade():
    op.create_index('ix_crashes_route_stake', 'crashes', ['route_code', 'stake_m'], unique=False)
    op.drop_index('ix_crashes_road_stake', table_name='crashes')
    op.drop_column('crashes', 'road_key')
