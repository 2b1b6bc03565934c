"""the administrators' audit table; organizations, categories and measures that can be retired

Revision ID: 5a2ef26478cf
Revises: b7d41e0c9a52
Create Date: 2026-12-02 03:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

revision = '5a2ef26478cf'
down_revision = 'b7d41e0c9a52'
branch_labels = None
depends_on = None

RETIRABLE = ('organizations', 'categories', 'measures')


def upgrade():
    op.create_table(
        'admin_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('record_type', sa.String(length=20), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('record_label', sa.String(length=128), nullable=False),
        sa.Column('jurisdiction_code', sa.String(length=6), nullable=True),
        sa.Column('previous_jurisdiction_code', sa.String(length=6), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_changes_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_changes')),
    )
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.create_index('ix_admin_changes_changed_at_id', ['changed_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_jurisdiction_code'), ['jurisdiction_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_previous_jurisdiction_code'),
                              ['previous_jurisdiction_code'], unique=False)
    # A plain ADD COLUMN on both backends: SQLite need not rebuild tables other rows point at.
    for table in RETIRABLE:
        op.add_column(table, sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    for table in RETIRABLE:
        # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild that foreign keys would trip over.
        op.drop_column(table, 'active')
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_changes_previous_jurisdiction_code'))
        batch_op.drop_index(batch_op.f('ix_admin_changes_jurisdiction_code'))
        batch_op.drop_index(batch_op.f('ix_admin_changes_kind'))
        batch_op.drop_index('ix_admin_changes_changed_at_id')
    op.drop_table('admin_changes')
