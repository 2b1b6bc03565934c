"""The list's text search (`q`) finds through an index (FTS5 trigrams on SpatiaLite, pg_trgm on PostgreSQL)
exactly the hazards the plain LIKE scan of code, title and road name finds, and sees an edit at once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import or_, select, text

from hazards.models import Hazard
from hazards.queries import hazard_list as listing
from hazards.services.editing import update_hazard
from hazards.services.reference import ReferenceData
from hazards.services.registration import register_hazards
from tests.factories import draft, section_draft

TODAY = date(2025, 1, 1)

TITLES = [
    ("G208线K1052+300处急弯视距不良", "G208", "太原至忻州公路"),
    ("g208线k12+300处长下坡", "G208", None),
    ("S317线平交路口视距不良", "S317", "忻州环城路"),
    ("学校门口缺少减速带 AND 标志", "X012", "和平街"),
    ("村道 OR 临水临崖 NEAR 缺护栏", "X012", "NEAR村路"),
    ("限速 100% 标志被遮挡", "G108", "k12_300 辅道"),
    ('标志牌写着"慢行"', "G108", "O'Brien 路"),
    ("弯道 K12+300～K12+800 缺少警示", "G208", "G208线"),
    ("急弯", "S317", "忻阜高速"),
    ("LOWER and upper Near", "G108", "and"),
]

QUERIES = [
    # Chinese words, a route code in either case, stakes, road names
    "视距不良", "急弯", "缺护栏", "忻州", "临水临崖", "G208", "g208", "K12+300", "k12+300", "K1052+300", "G208线",
    "～K12", "太原至忻州公路", "环城路",
    # one and two characters: the scan
    "G", "弯", "12", "急弯视", "08",
    # LIKE's wildcards keep their meaning; quotes and FTS words are text
    "%", "_", "100%", "k12_300", "K12_300", "G2_8", "G%08", "%标志%", '"', '"慢行"', "'", "O'Brien", "AND", "and",
    "OR", "NEAR", "AND 标志", "OR 临水", "NEAR村", "*", "G208*", "^G208", "NEAR(", "(", ")", ":", "code:G208",
    "title: 急弯", "-", "+300", "一个没有的词", "   急弯  ",
]


def _scan(session, text: str) -> list[int]:
    like = f"%{text.strip()}%"
    return sorted(session.scalars(select(Hazard.id).where(
        or_(Hazard.code.like(like), Hazard.title.like(like), Hazard.road_name.like(like)))))


def _search(session, viewer, text: str) -> list[int]:
    stmt = listing.filtered(viewer, listing.HazardFilters(text=text), TODAY)
    return sorted(h.id for h in session.scalars(stmt))


@pytest.fixture
def ledger(session):
    drafts = [(section_draft if i % 3 == 0 else draft)(title=title, route_code=route, road_name=road)
              for i, (title, route, road) in enumerate(TITLES)]
    register_hazards(session, drafts, ref=ReferenceData(session))
    session.flush()
    return session.scalars(select(Hazard).order_by(Hazard.id)).all()


def test_the_search_finds_what_the_plain_scan_finds(session, people, ledger):
    viewer = people["province"]
    codes = [h.code for h in ledger]
    found_any = 0
    for text in QUERIES + [codes[0], codes[3][-6:], codes[5].lower()]:
        expected = _scan(session, text)
        assert _search(session, viewer, text) == expected, text
        found_any += bool(expected)
    assert found_any > 30  # the queries do find things: the comparison is not between empty lists


def test_a_text_the_index_proposes_for_many_rows_finds_the_same(session, people, ledger, monkeypatch):
    """Past `BROAD` proposed rows SpatiaLite takes the plain scan instead: the same hazards either way."""
    from hazards.queries import text_search

    monkeypatch.setattr(text_search, "BROAD", 1)
    viewer = people["province"]
    assert len(_scan(session, "视距不良")) > 1
    for text in QUERIES:
        assert _search(session, viewer, text) == _scan(session, text), text


def test_the_search_keeps_the_viewers_reach(session, people, ledger):
    [outside_id] = register_hazards(session, [draft(title="G208线原平段急弯", jurisdiction_code="140981")],
                                    ref=ReferenceData(session))
    session.flush()
    everywhere = _scan(session, "G208线")
    assert outside_id in everywhere and len(everywhere) > 2
    assert _search(session, people["province"], "G208线") == everywhere
    assert _search(session, people["county"], "G208线") == [i for i in everywhere if i != outside_id]


def test_an_edited_or_deleted_hazard_is_found_or_not_at_once(session, people, ledger):
    viewer = people["province"]
    hazard = ledger[8]
    assert _search(session, viewer, "缓坡连续") == []
    update_hazard(session, hazard.id, people["county"], {"title": "缓坡连续下行", "road_name": "和平大街"},
                  expected_version=hazard.version)
    assert _search(session, viewer, "缓坡连续") == [hazard.id]
    assert _search(session, viewer, "忻阜高速") == []  # the old road name is gone from the index
    assert _search(session, viewer, "和平大") == [hazard.id]
    gone = ledger[2].id
    assert gone in _search(session, viewer, "S317线平交")
    session.execute(Hazard.__table__.delete().where(Hazard.id == gone))
    assert _search(session, viewer, "S317线平交") == []



def test_the_search_goes_through_the_index(session, people, ledger):
    """The plan reads the trigram index, not every row: FTS5 on SpatiaLite; the GIN indexes on PostgreSQL
    (there told to avoid a sequential scan, which it rightly prefers for a dozen rows)."""
    from hazards.queries import text_search

    if session.get_bind().dialect.name == "sqlite":
        stmt = listing.in_order(listing.filtered(people["province"], listing.HazardFilters(text="G208"), TODAY),
                                "found").limit(50)
        explain = "EXPLAIN QUERY PLAN "
    else:
        stmt = select(Hazard.id).where(text_search.matching("G208"))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN "
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = " | ".join(str(row[-1]) for row in session.connection().exec_driver_sql(explain + sql))
    if session.get_bind().dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and "hazards_search" in plan, plan
    else:
        assert all(name in plan for name in text_search.TRIGRAM_INDEXES), plan
