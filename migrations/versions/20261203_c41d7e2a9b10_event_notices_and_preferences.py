"""event notices in the inbox: what each note is about (hazard, kind, data); each person's choice of channels

Revision ID: c41d7e2a9b10
Revises: 5a2ef26478cf
Create Date: 2026-12-03 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'c41d7e2a9b10'
down_revision = '5a2ef26478cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hazard_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_hazard_id_hazards'), 'hazards', ['hazard_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_notifications_hazard_id'), ['hazard_id'], unique=False)
    # Digests written before: their items are on the delivery each note was, so they too show as links.
    op.execute("UPDATE notifications SET kind = 'reminder' WHERE delivery_id IS NOT NULL")
    # A constant default ('0', false on both backends), not an expression: with an expression SQLite would
    # rebuild the users table, and dropping the old one fails on the rows that point at its people.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_by_email', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('notify_by_webhook', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_by_webhook')
        batch_op.drop_column('notify_by_email')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_hazard_id'))
        batch_op.drop_constraint(batch_op.f('fk_notifications_hazard_id_hazards'), type_='foreignkey')
        batch_op.drop_column('data')
        batch_op.drop_column('kind')
        batch_op.drop_column('hazard_id')
