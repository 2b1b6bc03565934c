"""indexes for the hazard list's sort orders

Revision ID: c41d2b7e5a90
Revises: a7c3e1f90b42
Create Date: 2026-11-24 10:00:00.000000
"""

from alembic import op

revision = 'c41d2b7e5a90'
down_revision = 'a7c3e1f90b42'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_hazards_found_on_id": ["found_on", "id"],
    "ix_hazards_deadline_id": ["deadline", "id"],
    "ix_hazards_updated_at_id": ["updated_at", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "hazards", columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="hazards")
