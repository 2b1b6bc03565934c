"""deliveries that survive a dead worker and a long outage: a lease, the next attempt, undeliverable

Revision ID: b7d41f0c6e25
Revises: 5d2e8a71c3f4
Create Date: 2026-12-01 02:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'b7d41f0c6e25'
down_revision = '5d2e8a71c3f4'
branch_labels = None
depends_on = None

NEW_STATES = "state IN ('pending', 'sending', 'sent', 'undeliverable')"
OLD_STATES = "state IN ('pending', 'sending', 'sent', 'failed')"


def _recreating_deliveries(change):
    """Run `change` (a batch that, on SQLite, rebuilds the deliveries table) without losing the inbox
    notes' links to their deliveries. With foreign keys on, SQLite empties the old table before dropping
    it, and that fires the notes' ON DELETE SET NULL; the links are kept aside and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE kept_note_links AS"
                   " SELECT id, delivery_id FROM notifications WHERE delivery_id IS NOT NULL")
    change()
    if sqlite:
        op.execute("UPDATE notifications SET delivery_id ="
                   " (SELECT delivery_id FROM kept_note_links WHERE kept_note_links.id = notifications.id)"
                   " WHERE id IN (SELECT id FROM kept_note_links)")
        op.execute("DROP TABLE kept_note_links")


def upgrade():
    # A row that "failed" under the old five attempts was given up on for good: it is pending again, so
    # the sweep tries it once more, and if the retry period (counted from when it was planned) is over
    # by then, it becomes undeliverable and the admins hear of it.
    op.execute("UPDATE deliveries SET state = 'pending' WHERE state = 'failed'")

    def change():
        with op.batch_alter_table('deliveries', schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
            batch_op.drop_constraint(batch_op.f('ck_deliveries_delivery_state'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_deliveries_delivery_state'), NEW_STATES)

    _recreating_deliveries(change)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_delivery_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_about_delivery_id_deliveries'),
                                    'deliveries', ['about_delivery_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint('uq_notifications_about_delivery', ['about_delivery_id', 'user_id'])


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_about_delivery', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notifications_about_delivery_id_deliveries'), type_='foreignkey')
        batch_op.drop_column('about_delivery_id')

    def change():
        with op.batch_alter_table('deliveries', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_deliveries_delivery_state'), type_='check')
        op.execute("UPDATE deliveries SET state = 'failed' WHERE state = 'undeliverable'")
        with op.batch_alter_table('deliveries', schema=None) as batch_op:
            batch_op.create_check_constraint(batch_op.f('ck_deliveries_delivery_state'), OLD_STATES)
            batch_op.drop_column('next_attempt_at')
            batch_op.drop_column('lease_until')
            batch_op.drop_column('claimed_by')

    _recreating_deliveries(change)
