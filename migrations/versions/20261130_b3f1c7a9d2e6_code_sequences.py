"""a counter row per division and batch year for hazard codes, seeded from the codes in use

Revision ID: b3f1c7a9d2e6
Revises: b7d41f0c6e25
Create Date: 2026-11-30 06:00:00.000000
"""

import re

from alembic import op
import sqlalchemy as sa

revision = 'b3f1c7a9d2e6'
down_revision = 'b7d41f0c6e25'
branch_labels = None
depends_on = None

# The standard code form at this revision (hazards.domain.codes): division-year-sequence of 4 to 6 digits.
# Codes of any other shape never counted towards the next sequence, and do not here.
_STANDARD_CODE = re.compile(r"^(\d{6})-(\d{4})-(\d{4,6})$")


def upgrade():
    sequences = op.create_table(
        'code_sequences',
        sa.Column('jurisdiction_code', sa.String(length=6), nullable=False),
        sa.Column('batch_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('jurisdiction_code', 'batch_year', name=op.f('pk_code_sequences')),
    )
    last: dict[tuple[str, int], int] = {}
    for (code,) in op.get_bind().execute(sa.text("SELECT code FROM hazards")):
        match = _STANDARD_CODE.match(code or "")
        if match:
            key = (match.group(1), int(match.group(2)))
            last[key] = max(last.get(key, 0), int(match.group(3)))
    if last:
        op.bulk_insert(sequences, [{"jurisdiction_code": division, "batch_year": year, "last_value": value}
                                   for (division, year), value in sorted(last.items())])


def downgrade():
    op.drop_table('code_sequences')
