"""a per-user session version, so logout and a new password end the sessions issued before

Revision ID: 5e6b0c2d9a41
Revises: c41d2b7e5a90
Create Date: 2026-11-30 03:40:00.000000
"""

from alembic import op
import sqlalchemy as sa

revision = '5e6b0c2d9a41'
down_revision = 'c41d2b7e5a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
