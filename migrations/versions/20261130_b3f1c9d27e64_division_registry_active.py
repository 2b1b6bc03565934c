"""divisions the national registry no longer lists are kept as inactive: jurisdictions.active

Revision ID: b3f1c9d27e64
Revises: b3f1c7a9d2e6
Create Date: 2026-11-30 06:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'b3f1c9d27e64'
down_revision = 'b3f1c7a9d2e6'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both backends: a batch operation would rebuild the table on SQLite, and
    # with it the boundary's SpatiaLite geometry registration.
    op.add_column('jurisdictions', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    op.drop_column('jurisdictions', 'active')
