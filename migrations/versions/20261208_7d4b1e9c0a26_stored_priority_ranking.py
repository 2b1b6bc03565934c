"""each hazard's priority rank stored, so the list sorted by priority walks an index

Revision ID: 7d4b1e9c0a26
Revises: 7c1e4b9d2f60
Create Date: 2026-12-08 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '7d4b1e9c0a26'
down_revision = '7c1e4b9d2f60'
branch_labels = None
depends_on = None


def upgrade():
    # Tables of their own: a column added to `hazards` would make SQLite rebuild it and drop its FTS
    # triggers. Left empty here: until the nightly job (or `flask tally`) ranks every hazard, the list
    # scores the hazards as it did before (hazards.queries.priority.stored_ranking_current).
    op.create_table('hazard_priority',
    sa.Column('hazard_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_priority_hazard_id_hazards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hazard_id', name=op.f('pk_hazard_priority'))
    )
    op.create_index('ix_hazard_priority_rank', 'hazard_priority', ['rank', 'hazard_id'], unique=False)
    op.create_index('ix_hazard_priority_scored_on', 'hazard_priority', ['scored_on'], unique=False)
    op.create_table('priority_ranking',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('weights', sa.String(length=1000), nullable=False),
    sa.Column('ranked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_ranking'))
    )


def downgrade():
    op.drop_table('priority_ranking')
    op.drop_index('ix_hazard_priority_scored_on', table_name='hazard_priority')
    op.drop_index('ix_hazard_priority_rank', table_name='hazard_priority')
    op.drop_table('hazard_priority')
