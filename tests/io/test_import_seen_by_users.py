"""What a user sees of a file written by the bulk path (staging tables and INSERT … SELECT on PostGIS,
executemany with the indexes filled after on SpatiaLite), asked through the app as they would ask:
the text search, the map's box, the history and the funding lines; and a bad row still writes nothing."""

from __future__ import annotations

from sqlalchemy import select

from hazards.io.importer import import_hazards
from hazards.models import Hazard, HazardPriority
from hazards.services.priority_ranking import rank_hazards
from tests.io.test_import import HEADER
from tests.io.test_import_bulk_write import EXTRA, ROWS
from tests.io.test_import import write_csv

#: Whatever the file holds, written a few rows at a time, so more than one chunk goes through the
#: staging tables (and, on PostGIS, one chunk's moves run while the next is prepared).
CHUNK = 2


def _import(session, tmp_path, rows, person):
    path = write_csv(tmp_path / "台账.csv", rows, header=HEADER + EXTRA)
    report = import_hazards(session, path, actor=person, chunk_size=CHUNK)
    session.commit()
    return report


def _search(client, text: str) -> set[str]:
    response = client.get("/api/v1/hazards", query_string={"q": text, "limit": 100})
    assert response.status_code == 200
    return {item["code"] for item in response.get_json()["items"]}


def test_an_imported_ledger_is_searchable_on_the_map_with_its_history_and_money(session, tmp_path, client, auth,
                                                                               people):
    report = _import(session, tmp_path, ROWS, people["admin"])
    assert report.errors == [] and len(report.created) == len(ROWS)
    auth.login(people["city"])

    # Every hazard is found by a part of its title, and by its code.
    titles = [r[HEADER.index("隐患名称")] for r in ROWS]
    for code, title in zip(report.created, titles):
        assert code in _search(client, title[1:6]), title
        assert _search(client, code) == {code}

    # The map's box around Xinfu holds every one of them, each where the file put it.
    view = client.get("/api/v1/hazards.geojson", query_string={"bbox": "112.5,38.2,113.0,38.7", "zoom": 11})
    features = {f["properties"]["code"]: f for f in view.get_json()["features"]}
    assert set(report.created) <= set(features)
    first = features[report.created[0]]
    assert first["geometry"] == {"type": "Point", "coordinates": [112.734, 38.417]}
    # A box elsewhere holds none of them: the spatial index answers for the new rows too.
    elsewhere = client.get("/api/v1/hazards.geojson", query_string={"bbox": "111.0,39.3,111.2,39.5", "zoom": 11})
    assert not set(report.created) & {f["properties"]["code"] for f in elsewhere.get_json()["features"]}

    # Each hazard's record: its first history row names the file, and the money it arrived with.
    closed = report.created[3]  # 老G208线急弯: budget 120 万元, spent 118.5 万元
    hazard = client.get(f"/api/v1/hazards/{_id(client, closed)}").get_json()
    assert hazard["code"] == closed and hazard["title"] == "老G208线急弯"
    page = client.get(f"/hazards/{_id(client, closed)}").get_data(as_text=True)
    assert "台账.csv" in page
    funding = client.get(f"/api/v1/hazards/{_id(client, closed)}/funding").get_json()
    assert sorted(e["amount"] for e in funding["items"]) == sorted(["1200000.00", "1185000.00"])


def test_one_bad_row_still_writes_nothing_anyone_can_find(session, tmp_path, client, auth, people):
    bad = list(ROWS[1])
    bad[HEADER.index("发现日期")] = "2024-13-45"
    report = _import(session, tmp_path, [ROWS[0], bad, *ROWS[2:]], people["admin"])
    assert report.created == [] and [e.row for e in report.errors] == [3]

    auth.login(people["city"])
    assert _search(client, "急弯") == set()
    view = client.get("/api/v1/hazards.geojson", query_string={"bbox": "112.5,38.2,113.0,38.7", "zoom": 11})
    assert view.get_json()["features"] == []


def _id(client, code: str) -> int:
    (item,) = client.get("/api/v1/hazards", query_string={"q": code}).get_json()["items"]
    return item["id"]


def test_an_imported_ledger_is_ranked_as_hazards_reported_one_by_one(session, tmp_path, people):
    """The list sorted by priority walks the stored ranks: a file's hazards have theirs from the start,
    the same as ranking them again gives."""
    report = _import(session, tmp_path, ROWS, people["admin"])
    ids = list(session.scalars(select(Hazard.id).where(Hazard.code.in_(report.created))))
    stored = dict(session.execute(select(HazardPriority.hazard_id, HazardPriority.rank)).all())
    assert set(ids) <= set(stored)
    rank_hazards(session, ids)
    assert dict(session.execute(select(HazardPriority.hazard_id, HazardPriority.rank)).all()) == stored
