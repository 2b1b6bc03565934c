"""roads and boundaries of any agency: multi-part road lines, end stakes, kilometre posts, display boundaries

Revision ID: b7d41e0c9a52
Revises: b3f1c9d27e64
Create Date: 2026-12-01 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from geoalchemy2 import alembic_helpers  # noqa: F401  registers the spatial operations

revision = 'b7d41e0c9a52'
down_revision = 'b3f1c9d27e64'
branch_labels = None
depends_on = None

ROAD_COLUMNS = ("id", "route_code", "division_code", "name", "road_class", "start_m", "length_m")


def _roads_table(geometry_type, with_end):
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('route_code', sa.String(length=16), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=True),
        sa.Column('road_class', sa.Enum('G', 'S', 'X', 'Y', 'C', 'Z', 'urban', name='road_class', native_enum=False,
                                        create_constraint=True, length=32), nullable=False),
        sa.Column('start_m', sa.Integer(), nullable=False),
    ]
    if with_end:
        columns.append(sa.Column('end_m', sa.Integer(), nullable=True))
    columns += [
        sa.Column('length_m', sa.Integer(), nullable=False),
        sa.Column('geom', Geometry(geometry_type=geometry_type, srid=4326, dimension=2, spatial_index=False,
                                   from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
        sa.ForeignKeyConstraint(['division_code'], ['jurisdictions.code'], name=op.f('fk_roads_division_code_jurisdictions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roads')),
        sa.UniqueConstraint('route_code', 'division_code', name='uq_roads_route_division'),
    ]
    return columns


def _drop_roads():
    with op.batch_alter_table('roads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roads_route_code'))
        batch_op.drop_geospatial_index('idx_roads_geom', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('roads')


def _create_roads(geometry_type, with_end):
    op.create_geospatial_table('roads', *_roads_table(geometry_type, with_end))
    with op.batch_alter_table('roads', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_roads_geom', ['geom'], unique=False, postgresql_using='gist',
                                         postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_roads_route_code'), ['route_code'], unique=False)


def _rebuild_roads(geometry_type, with_end, convert):
    """SpatiaLite cannot change a geometry column's type in place: the (small) roads table is read,
    dropped, made again with the new type and refilled, the same way on both backends."""
    bind = op.get_bind()
    as_text = "ST_AsText(geom)" if bind.dialect.name == "postgresql" else "AsText(geom)"
    rows = bind.execute(sa.text(f"SELECT {', '.join(ROAD_COLUMNS)}, {as_text} FROM roads")).all()
    _drop_roads()
    _create_roads(geometry_type, with_end)
    columns = ROAD_COLUMNS + ("geom",)
    from_text = "ST_GeomFromText" if bind.dialect.name == "postgresql" else "GeomFromText"
    insert = sa.text(f"INSERT INTO roads ({', '.join(columns)}) VALUES "
                     f"({', '.join(':' + c for c in ROAD_COLUMNS)}, {from_text}(:wkt, 4326))")
    for row in rows:
        values = dict(zip(ROAD_COLUMNS, row[:len(ROAD_COLUMNS)]))
        bind.execute(insert, {**values, "wkt": convert(row[-1])})


def _to_multi(wkt):
    from shapely import wkt as shapely_wkt
    from shapely.geometry import MultiLineString

    geom = shapely_wkt.loads(wkt)
    return (geom if geom.geom_type == "MultiLineString" else MultiLineString([geom])).wkt


def _to_single(wkt):
    # A LINESTRING column holds one part: the parts are joined in order, as stakes walk them.
    from shapely import wkt as shapely_wkt
    from shapely.geometry import LineString

    geom = shapely_wkt.loads(wkt)
    coords = [c for part in getattr(geom, "geoms", [geom]) for c in part.coords]
    return LineString(coords).wkt


def upgrade():
    op.add_geospatial_column('jurisdictions', sa.Column(
        'boundary_display', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False,
                                     from_text='ST_GeomFromEWKT', name='geometry'), nullable=True))
    _rebuild_roads('MULTILINESTRING', True, _to_multi)
    op.create_geospatial_table(
        'road_stake_posts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('road_id', sa.Integer(), nullable=False),
        sa.Column('stake_m', sa.Integer(), nullable=False),
        sa.Column('along_m', sa.Float(), nullable=False),
        sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False,
                                   from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
        sa.ForeignKeyConstraint(['road_id'], ['roads.id'], name=op.f('fk_road_stake_posts_road_id_roads'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_road_stake_posts')),
        sa.UniqueConstraint('road_id', 'stake_m', name='uq_road_stake_posts_road_stake'),
    )
    with op.batch_alter_table('road_stake_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_stake_posts_road_id'), ['road_id'], unique=False)


def downgrade():
    # Kilometre posts and end stakes have no place in the older schema: stakes go back to following
    # the drawn length.
    with op.batch_alter_table('road_stake_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_road_stake_posts_road_id'))
    op.drop_geospatial_table('road_stake_posts')
    _rebuild_roads('LINESTRING', False, _to_single)
    if op.get_bind().dialect.name == "sqlite":
        # SpatiaLite's triggers on the column must go before SQLite will drop it.
        op.execute("SELECT DiscardGeometryColumn('jurisdictions', 'boundary_display')")
    op.drop_geospatial_column('jurisdictions', 'boundary_display')
