"""GIS imports: a county boundary of many vertices, and a road network with kilometre posts.

    python -m bench.gis_import --backend spatialite --roads 2000
    python -m bench.gis_import --backend postgis --roads 2000

Each on a freshly migrated database (with a synthetic county added), from a GeoPackage in CGCS2000
Gauss-Krüger metres (EPSG:4547) written by pyogrio:
- boundary: one county drawn with `--vertices` vertices, read, reprojected, checked, stored with its
  display copy; and the display copy's vertex count;
- roads: `--roads` county roads of 20 vertices each with a kilometre post per kilometre, checked and
  written (what `hazards roads import` does), and then `hazards roads export` of them.
The GDAL reading runs in a child process (see geo.vector_files); its start is part of each figure.
"""

from __future__ import annotations

import math
import time

from bench.common import OUT_DIR, parser
from bench.import_rate import fresh_url


def _write_sources(vertices: int, roads: int):
    import numpy as np
    import pyogrio.raw
    import shapely
    from pyproj import Transformer
    from shapely.geometry import LineString, Point, Polygon

    to_gk = Transformer.from_crs(4490, 4547, always_xy=True)

    def gk(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))

    OUT_DIR.mkdir(exist_ok=True)
    ring = [(112.55 + 0.35 * math.cos(2 * math.pi * i / vertices) * (1 + 0.05 * math.sin(37 * i / vertices * 6)),
             28.87 + 0.25 * math.sin(2 * math.pi * i / vertices)) for i in range(vertices)]
    boundary = OUT_DIR / "bench_boundary.gpkg"
    boundary.unlink(missing_ok=True)
    pyogrio.raw.write(str(boundary), np.array([shapely.to_wkb(gk(Polygon(ring)))], dtype=object),
                      [np.array(["430981"], dtype=object)], ["code"], driver="GPKG", crs="EPSG:4547",
                      geometry_type="Polygon")
    lines, posts, post_routes, post_stakes, routes = [], [], [], [], []
    for r in range(roads):
        lat = 28.70 + 0.3 * r / roads
        coords = [(112.30 + 0.005 * i, lat + 0.0005 * (i % 2)) for i in range(20)]
        lines.append(shapely.to_wkb(gk(LineString(coords))))
        routes.append(f"X{r:04d}")
        for km in range(1, 9):
            posts.append(shapely.to_wkb(gk(Point(112.30 + 0.0104 * km, lat + 0.00025))))
            post_routes.append(f"X{r:04d}")
            post_stakes.append(f"K{km}+000")
    network = OUT_DIR / "bench_roads.gpkg"
    network.unlink(missing_ok=True)
    pyogrio.raw.write(str(network), np.array(lines, dtype=object),
                      [np.array(routes, dtype=object), np.array(["430981"] * roads, dtype=object)],
                      ["ROUTE", "DIVISION"], driver="GPKG", layer="roads", crs="EPSG:4547",
                      geometry_type="LineString")
    pyogrio.raw.write(str(network), np.array(posts, dtype=object),
                      [np.array(post_routes, dtype=object), np.array(post_stakes, dtype=object)],
                      ["ROUTE", "STAKE"], driver="GPKG", layer="stake_posts", crs="EPSG:4547",
                      geometry_type="Point", append=True)
    return boundary, network, len(posts)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--roads", type=int, default=2000)
    p.add_argument("--vertices", type=int, default=50_000)
    args = p.parse_args()
    # Written before any database connection: GDAL and SpatiaLite do not share one process (geo.vector_files).
    boundary, network, post_count = _write_sources(args.vertices, args.roads)

    from bench.common import app_for
    from geo.geometry import from_db
    from hazards.db import get_session
    from hazards.domain.enums import JurisdictionLevel
    from hazards.io.gis import import_boundaries
    from hazards.io.roads import export_roads, import_roads
    from hazards.models import Jurisdiction

    app = app_for(fresh_url(args.backend, "hazards_bench_gis"))
    with app.app_context():
        session = get_session()
        for code, name, level, parent in (("430000", "湖南省", JurisdictionLevel.PROVINCE, "100000"),
                                          ("430900", "益阳市", JurisdictionLevel.CITY, "430000"),
                                          ("430981", "沅江市", JurisdictionLevel.COUNTY, "430900")):
            if session.get(Jurisdiction, code) is None:
                session.add(Jurisdiction(code=code, name=name, level=level, parent_code=parent))
                session.flush()
        session.commit()

        start = time.perf_counter()
        report = import_boundaries(session, boundary)
        session.commit()
        seconds = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        display = from_db(session.get(Jurisdiction, "430981").boundary_display)
        shown = sum(len(p.exterior.coords) for p in display.geoms)
        print(f"{args.backend}: boundary of {args.vertices} vertices imported in {seconds:.2f} s; "
              f"display copy {shown} vertices")

        start = time.perf_counter()
        report = import_roads(session, network)
        session.commit()
        seconds = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        print(f"{args.backend}: {args.roads} roads with {post_count} kilometre posts imported in {seconds:.2f} s")

        out = OUT_DIR / "bench_roads_export.gpkg"
        start = time.perf_counter()
        export_roads(session, out)
        print(f"{args.backend}: exported in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
