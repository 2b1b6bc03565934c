"""each open hazard's crash history (crashes and deaths at its place within the identification period),
kept beside the hazards table for the priority sort

Revision ID: 3f8c2d71a9e4
Revises: b937990162c5
Create Date: 2026-12-06 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '3f8c2d71a9e4'
down_revision = 'b937990162c5'
branch_labels = None
depends_on = None


def upgrade():
    # A table of its own: a column added to `hazards` would make SQLite rebuild it and drop its FTS triggers.
    # Filled by the nightly job (tasks.tally) and when hazards are registered or crashes imported.
    op.create_table('hazard_crash_history',
    sa.Column('hazard_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('crashes', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('fatal', sa.Integer(), nullable=False),
    sa.Column('counted_from', sa.Date(), nullable=False),
    sa.Column('counted_to', sa.Date(), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_crash_history_hazard_id_hazards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hazard_id', name=op.f('pk_hazard_crash_history'))
    )


def downgrade():
    op.drop_table('hazard_crash_history')
