"""funding lines corrected by reversing lines: reverses_id, reversal_reason, the amount's sign rule

Revision ID: 5d2e8a71c3f4
Revises: 5e6b0c2d9a41
Create Date: 2026-11-30 03:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '5d2e8a71c3f4'
down_revision = '5e6b0c2d9a41'
branch_labels = None
depends_on = None

# Only a reversing line is negative, and it says why (see hazards/models/ledger.py).
AMOUNT_SIGN = ("(reverses_id IS NULL AND amount >= 0)"
               " OR (reverses_id IS NOT NULL AND amount < 0 AND reversal_reason IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('funding_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reversal_reason', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_funding_entries_reverses_id_funding_entries'),
                                    'funding_entries', ['reverses_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_funding_entries_reverses_id'), ['reverses_id'])
        batch_op.drop_constraint(batch_op.f('ck_funding_entries_amount_not_negative'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_funding_entries_amount_sign'), AMOUNT_SIGN)


def downgrade():
    # Reversing lines cannot be expressed without their column: the amounts they void are summed
    # back into nothing, so they are removed (the reversed lines' effect returns with them).
    op.execute("DELETE FROM funding_entries WHERE reverses_id IS NOT NULL")
    with op.batch_alter_table('funding_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_funding_entries_amount_sign'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_funding_entries_amount_not_negative'), 'amount >= 0')
        batch_op.drop_constraint(batch_op.f('uq_funding_entries_reverses_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_funding_entries_reverses_id_funding_entries'), type_='foreignkey')
        batch_op.drop_column('reversal_reason')
        batch_op.drop_column('reverses_id')
