"""crash records (no personal data) and their links to hazards (evidence of a 事故倒查 registration, or covered)

Revision ID: b937990162c5
Revises: e5a1c9d3b7f2
Create Date: 2026-12-05 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import alembic_helpers  # noqa: F401  registers the spatial operations
from geoalchemy2 import Geometry

revision = 'b937990162c5'
down_revision = 'e5a1c9d3b7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('crashes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('jurisdiction_code', sa.String(length=6), nullable=False),
    sa.Column('route_code', sa.String(length=16), nullable=True),
    sa.Column('stake_m', sa.Integer(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('coordinate_input', sa.Enum('wgs84', 'gcj02', 'bd09', name='coordinate_input', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('injuries', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=32), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('deaths >= 0 AND injuries >= 0', name=op.f('ck_crashes_toll')),
    sa.CheckConstraint('geom IS NOT NULL OR (route_code IS NOT NULL AND stake_m IS NOT NULL)', name=op.f('ck_crashes_placed')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_crashes_imported_by_id_users')),
    sa.ForeignKeyConstraint(['jurisdiction_code'], ['jurisdictions.code'], name=op.f('fk_crashes_jurisdiction_code_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crashes')),
    sa.UniqueConstraint('source_id', name=op.f('uq_crashes_source_id'))
    )
    with op.batch_alter_table('crashes', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_crashes_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_crashes_division_day', ['jurisdiction_code', 'occurred_on'], unique=False)
        batch_op.create_index('ix_crashes_route_stake', ['route_code', 'stake_m'], unique=False)

    op.create_table('hazard_crashes',
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('crash_id', sa.Integer(), nullable=False),
    sa.Column('link', sa.Enum('evidence', 'covered', name='crash_link', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['crash_id'], ['crashes.id'], name=op.f('fk_hazard_crashes_crash_id_crashes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_crashes_hazard_id_hazards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_hazard_crashes_linked_by_id_users')),
    sa.PrimaryKeyConstraint('hazard_id', 'crash_id', name=op.f('pk_hazard_crashes'))
    )
    with op.batch_alter_table('hazard_crashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_crashes_crash_id'), ['crash_id'], unique=False)



def downgrade():
    with op.batch_alter_table('hazard_crashes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_crashes_crash_id'))

    op.drop_table('hazard_crashes')
    with op.batch_alter_table('crashes', schema=None) as batch_op:
        batch_op.drop_index('ix_crashes_route_stake')
        batch_op.drop_index('ix_crashes_division_day')
        batch_op.drop_geospatial_index('idx_crashes_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('crashes')
