"""Chinese throughout: every page each role can reach, the refusals people meet most, the error
pages and the API's problems read in Chinese when the reader's language is Chinese.

The walk takes its pages from the URL map, so a page added later is scanned without anyone listing
it; a route the walk cannot build is named in UNBUILDABLE with the reason, and a route that is neither
buildable nor listed fails the test by name. What is read is what a person sees: the text of the page
without scripts and styles (and without <code>, which is typed as it stands), plus the attributes
shown on screen (placeholder, title, aria-label, alt, the value of a button). A Latin word of three
letters or more in it is English, unless it is on the short ALLOWED list below or comes from the data
(a login, a name, a file name, a vocabulary's English name); web addresses and identifiers joined by
"_" are not words.

Not read: text drawn by scripts (the map's tooltips are built in map code), and the standalone 503
page, which is Chinese and English by design (it is shown when nothing else can be).
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import InternalServerError

from hazards import clock
from hazards.domain.enums import RoadClass, Status, SupervisionLevel
from hazards.models import Attachment, Category, Measure, Notification, Organization, User
from hazards.permissions import SYSTEM
from hazards.services.delivery import deliver
from hazards.services.registration import report_hazard
from hazards.services.reminders import ReminderSettings, plan_reminders
from hazards.services.requirements import ActionInput
from hazards.services.roads import add_road
from hazards.services.workflow import change_status
from tests.factories import XINFU_POINT, crash, draft, jpeg

# Words that are not English to a Chinese reader, each with why; keep it short.
ALLOWED = {
    # names of file formats and standards people know by these letters (导出 Excel、PDF 文件、OGC 接口)
    "pdf", "csv", "xlsx", "xls", "excel", "docx", "word", "wps", "json", "geojson", "api", "ogc", "wkt", "gps", "zip", "shp",
    "gpkg", "kml", "jpg", "jpeg", "png", "url", "http", "https", "openapi", "qgis", "gdal", "wgs",
    "gcj", "bd", "smtp", "html", "gis", "shapefile", "geopackage", "dbf", "shx", "prj", "cpg",
    # what the upload forms give as examples to type: a coordinate system, text encodings, the usual
    # name of the division-code field in Chinese boundary files (行政区代码)
    "epsg", "gbk", "utf", "xzqdm",
    # what a program sends, quoted in the API's messages: the bbox parameter and its four parts, the header
    # that carries a personal token (Authorization: Bearer …)
    "bbox", "minlon", "minlat", "maxlon", "maxlat", "authorization", "bearer",
    # the language switch names the other language in that language
    "english",
}
# Routes the walk cannot build or read as a page, and why. A new route lands here only with a reason.
UNBUILDABLE = {
    "static": "files (scripts, styles, icons), not pages",
    "reports.job_status": "needs the id of a running background report job (tests/reports cover it)",
    "reports.job_file": "needs the id of a finished background report job (tests/reports cover it)",
}
# Pages walked but not read for English words, and why.
NOT_PROSE = {
    "api_reference.index": "the API reference for programmers: its keys, types and examples are the API's own "
                           "English identifiers (tests/api check its Chinese prose)",
}
# A word of Latin letters; one joined by "_" to others is an identifier (a layer or key name), not a word.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z_])")
ADDRESS = re.compile(r"https?://\S+")
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
ROLES = ("inspector", "county", "city", "province", "admin")


class _VisibleText(HTMLParser):
    """The text a person sees on a page, without what is typed as it stands (code); the attributes shown."""

    # Not read: what is not shown, and what is typed or sent as it stands (<code>Authorization: Bearer</code>).
    HIDDEN = {"script", "style", "template", "code", "kbd", "samp"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        values = dict(attrs)
        self.parts.extend(values[name] for name in SHOWN_ATTRIBUTES if values.get(name))
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words(text: str, data_words: set[str]) -> list[str]:
    """The English words in `text`, each with a little of what surrounds it."""
    found = []
    text = ADDRESS.sub(" ", text)  # a web address is not a word (an inbox note links to its hazard)
    for match in LATIN_WORD.finditer(text):
        word = match.group().lower()
        if word in ALLOWED or word in data_words:
            continue
        found.append(f"{match.group()!r} in …{text[max(0, match.start() - 30):match.end() + 30]!r}…")
    return found


def test_the_scan_sees_what_people_see_and_only_that():
    page = ('<html><head><style>.x{color:red}</style><script>var message = "hello";</script></head>'
            '<body><p>已销号 G208 K12+300</p><input placeholder="Search here"><img alt="photo">'
            '<input type="hidden" value="secret"><button title="关闭">Close</button>'
            '<input type="submit" value="Save"></body></html>')
    text = visible_text(page)
    assert "hello" not in text and "color" not in text and "secret" not in text
    words = [w.split("'")[1] for w in english_words(text, set())]
    assert words == ["Search", "here", "photo", "Close", "Save"]  # codes such as G208 and K12+300 pass


# ---------------------------------------------------------------- the ledger the walk reads


@pytest.fixture
def world(session, people, ledger):
    """Hazards in several states, a road, units and the deadline reminders in the inboxes: something on
    every page (the walk adds a photo)."""
    today = clock.today()
    county = people["county"]
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add_all([body, unit])
    add_road(session, route_code="G208", division_code="140900", road_class=RoadClass.NATIONAL,
             coords=[(112.70, 38.40), (112.75, 38.43)], start_m=1050000)
    session.flush()
    listed = report_hazard(session, draft(title="挂牌的", level=SupervisionLevel.COUNTY, status=Status.LISTED,
                                          listed_on=today - timedelta(days=10), deadline=today + timedelta(days=30),
                                          supervising_body=body.name), actor=SYSTEM)
    overdue = report_hazard(session, draft(title="逾期的", level=SupervisionLevel.CITY, status=Status.IN_REMEDIATION,
                                           listed_on=today - timedelta(days=100), deadline=today - timedelta(days=3),
                                           supervising_body=body.name, responsible_unit=unit.name,
                                           plan_text="增设标志"), actor=SYSTEM)
    closed = report_hazard(session, draft(title="已销号的", level=SupervisionLevel.COUNTY, status=Status.CLOSED,
                                          listed_on=today - timedelta(days=80), deadline=today - timedelta(days=10),
                                          closed_on=today - timedelta(days=12), supervising_body=body.name,
                                          responsible_unit=unit.name), actor=SYSTEM)
    # A crash at the closed hazard's place before its works: its 治理成效 shows on the list, its page and the report.
    crash(session, "140902202600001", today - timedelta(days=100), lonlat=XINFU_POINT, injuries=2)
    rejected = report_hazard(session, draft(title="不予认定的"), actor=people["inspector"])
    change_status(session, rejected.id, "reject", county, ActionInput(reason="不属于隐患"))
    change_status(session, ledger[2].id, "verify", county)
    session.commit()
    plan = plan_reminders(session, today, ReminderSettings())  # the deadline reminders, in the inboxes
    session.commit()
    assert plan.delivery_ids and all(deliver(session, i) for i in plan.delivery_ids)
    session.commit()
    return {"reported": ledger[0], "section": ledger[1], "verified": ledger[2], "listed": listed,
            "overdue": overdue, "closed": closed, "rejected": rejected, "body": body, "unit": unit,
            "person": people["inspector"]}


def _data_words(session) -> set[str]:
    """Words that come from the data, not the interface: people's logins and names, file names."""
    words: set[str] = set()
    texts = [*session.scalars(select(User.login)), *session.scalars(select(User.name)),
             *session.scalars(select(Attachment.original_name)),
             # the vocabularies keep an English name beside the Chinese one; the admin pages show both
             *(name for model in (Category, Measure) for name in session.scalars(select(model.name_en))),
             *(code for model in (Category, Measure) for code in session.scalars(select(model.code)))]
    for text in texts:
        words.update(w.lower() for w in LATIN_WORD.findall(text or ""))
    return words


def _arguments(session, world) -> dict[str, list]:
    """Values for each URL argument the walk meets: several hazards, so the page of each state is read."""
    hazards = [world[name].id for name in ("reported", "section", "verified", "listed", "overdue", "closed",
                                           "rejected")]
    category = session.scalars(select(Category.id).order_by(Category.id)).first()
    photo = session.scalars(select(Attachment.id)).first()
    note = session.scalars(select(Notification.id).order_by(Notification.id)).first()  # one person's: others get a 404
    return {
        "hazard_id": hazards, "term_id": [category], "user_id": [world["person"].id],
        "organization_id": [world["unit"].id], "code": ["140902"], "collection_id": ["hazards"],
        "feature_id": [str(world["listed"].id)], "attachment_id": [photo] if photo else [],
        "note_id": [note] if note else [],
    }


def _urls(app: Flask, arguments: dict[str, list]) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, URL) for every GET route, and the routes that could be built for none."""
    urls, unbuilt = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in UNBUILDABLE:
            continue
        needed = [name for name in rule.arguments if name not in (rule.defaults or {})]
        if any(not arguments.get(name) for name in needed):
            unbuilt.append(f"{rule.endpoint} ({rule.rule})")
            continue
        rows = max((len(arguments[name]) for name in needed), default=1)
        for i in range(rows):
            values = {name: arguments[name][min(i, len(arguments[name]) - 1)] for name in needed}
            built = rule.build(values, append_unknown=False)
            if built is not None:
                urls.append((rule.endpoint, built[1]))
    return sorted(set(urls)), unbuilt


# Pages with the query strings people use: a filtered, sorted list, a report with its period.
WITH_QUERIES = ["/hazards?status=listed&overdue=1&sort=deadline&q=G208", "/hazards?level=county&batch_year=2024",
                "/reports?jurisdiction=140902&year=2024", "/reports?jurisdiction=140900&year=2024&quarter=1",
                "/hazards/999999", "/no-such-page"]


def _scan(response, where: str, data_words: set[str]) -> list[str]:
    kind = response.mimetype or ""
    if 300 <= response.status_code < 400:
        return []  # a redirect's body is never shown
    if kind == "text/html":
        text = visible_text(response.get_data(as_text=True))
    elif kind.endswith("json") and response.status_code >= 400:
        text = _problem_text(response.get_json(silent=True))
    else:
        return []  # spreadsheets, PDFs, photos, map data: not sentences
    return [f"{where} [{response.status_code}]: {word}" for word in english_words(text, data_words)]


def _problem_text(body) -> str:
    """The sentences of an API error; `type`, `code` and field names are for programs."""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[key]) for key in ("title", "detail", "message", "error") if isinstance(body.get(key), str)]
    for item in body.get("errors") or []:
        if isinstance(item, dict):
            parts += [str(v) for k, v in item.items() if k in ("message", "detail")]
        elif isinstance(item, str):
            parts.append(item)
    return "\n".join(parts)


def test_every_page_of_every_role_reads_in_chinese(app, client, auth, session, people, world):
    auth.login(people["county"])  # a photo, so the photo and its thumbnail are walked too
    assert client.post(f"/hazards/{world['listed'].id}/photos", content_type="multipart/form-data",
                       data={"phase": "before", "photos": (io.BytesIO(jpeg()), "site.jpg")}).status_code < 400
    auth.logout()
    data_words = _data_words(session)
    leaks, read, seen = [], 0, set()
    for role in ROLES:
        auth.login(people[role])
        urls, unbuilt = _urls(app, _arguments(session, world))
        assert unbuilt == [], f"routes the walk cannot build: give them arguments or list them in UNBUILDABLE: {unbuilt}"
        for endpoint, url in [*urls, *(("query", u) for u in WITH_QUERIES)]:
            if endpoint in NOT_PROSE:
                continue
            response = client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
            leaks += _scan(response, f"{role} GET {url}", data_words)
            read += response.mimetype == "text/html"
            seen.add(response.status_code)
        auth.logout()
    assert read > 100 and {200, 403, 404} <= seen  # pages, refusals and the missing were all read
    assert leaks == [], "English on Chinese pages:\n" + "\n".join(leaks)


def test_the_login_page_and_the_server_error_page_read_in_chinese(app, client, session, people):
    data_words = _data_words(session)
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    leaks = _scan(client.post("/login", data={"login": people["inspector"].login, "password": "wrong-one"},
                              headers=zh), "login with a wrong password", data_words)
    leaks += _scan(client.post("/login", data={"login": "nobody", "password": "x"}, headers=zh),
                   "login of nobody", data_words)
    with app.test_request_context("/hazards", headers=zh):
        response = app.make_response(app.handle_user_exception(InternalServerError()))
    assert response.status_code == 500
    leaks += _scan(response, "the 500 page", data_words)
    assert leaks == [], "English on Chinese pages:\n" + "\n".join(leaks)


# ---------------------------------------------------------------- refusals people meet


NEW = {"title": "G208线K1052+300处急弯", "jurisdiction_code": "140902", "crs": "wgs84", "categories": ["sharp_curve"]}


@pytest.mark.parametrize("change, said", [
    ({"lon": "112.7x", "lat": "38.417"}, "经度“112.7x”不是数字"),  # a bad coordinate
    ({"lon": "38.417", "lat": "112.734"}, "经纬度似乎填反了"),  # latitude out of range, swapped
    ({"lon": "112.734", "lat": "95"}, "纬度 95.0 超出 -90～90 的范围"),  # latitude out of range
    ({"route_code": "G999", "stakes": "K12+300"}, "忻府区 没有路线 G999 的资料"),  # an unknown road
    ({"route_code": "G208", "stakes": "K2000+000"}, "桩号 K2000+000 不在路线 G208 上"),  # a stake off the road
    ({"route_code": "G208", "stakes": "K12+3OO"}, "不是桩号"),  # not a stake
    ({"title": ""}, "必填"),  # missing requirements
], ids=["bad-coordinate", "swapped", "latitude", "unknown-road", "stake-off-road", "bad-stake", "no-title"])
def test_the_logging_form_refuses_in_chinese(client, auth, session, people, world, change, said):
    auth.login(people["inspector"])
    response = client.post("/hazards/new", data={**NEW, **change})
    assert response.status_code == 422 and said in visible_text(response.get_data(as_text=True))
    leaks = _scan(response, f"new hazard {change}", _data_words(session))
    assert leaks == [], "\n".join(leaks)


def test_refused_actions_and_admin_errors_read_in_chinese(app, client, auth, session, people, world):
    data_words = _data_words(session)
    leaks = []

    def check(response, what, said):
        assert said in visible_text(response.get_data(as_text=True)), what
        leaks.extend(_scan(response, what, data_words))

    auth.login(people["county"])
    reported, verified, listed = world["reported"], world["verified"], world["listed"]
    refused = client.post(f"/hazards/{reported.id}/actions/accept", data={"version": reported.version},
                          follow_redirects=True)
    check(refused, "a transition not allowed", "不能进行“验收销号”")
    assert "此环节现在不能办理" in refused.get_data(as_text=True)  # not "someone else changed this first"
    assert f'href="/hazards/{reported.id}"' in refused.get_data(as_text=True)  # and the way back to the hazard
    check(client.post(f"/hazards/{verified.id}/actions/list", data={"version": verified.version, "level": "county"},
                      follow_redirects=True), "missing requirements", "尚缺：")
    check(client.post(f"/hazards/{listed.id}/funding", data={"kind": "budget", "amount_wan": "85,000元"},
                      follow_redirects=True), "an amount in the wrong unit", "本栏单位是万元")
    check(client.post(f"/hazards/{listed.id}/edit", data={"version": 0, "title": "新名称"},
                      follow_redirects=True), "a form with a bad version", "请更正标出的字段")
    auth.logout()

    auth.login(people["admin"])
    data_words |= {"not", "email"}  # what was typed in the e-mail field, quoted back
    check(client.post("/admin/organizations", data={"name": "忻府区交通运输局", "kind": "responsible",
                                                    "jurisdiction_code": "140902"}, follow_redirects=True),
          "a duplicate organization", "同一辖区内单位名称不能重复")
    check(client.post("/admin/users", data={"login": "new-one", "name": "新同事", "password": "longenough-pass",
                                            "role": "inspector", "jurisdiction_code": "140902",
                                            "email": "not-an-email"}, follow_redirects=True),
          "a bad e-mail", "不是有效的电子邮箱地址")
    check(client.post("/admin/users", data={"login": "x", "name": "新同事", "password": "short", "role": "boss",
                                            "jurisdiction_code": "999999"}, follow_redirects=True),
          "a person outside the admin's jurisdiction", "您无权管理 999999")
    limit = app.config.get("MAX_CONTENT_LENGTH")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        check(client.post("/admin/users/import", data={"file": (io.BytesIO(b"x" * 5000), "people.csv")},
                          content_type="multipart/form-data"), "a file too large", "超过服务器允许的大小")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert leaks == [], "English in Chinese refusals:\n" + "\n".join(leaks)


def test_api_errors_read_in_chinese_when_asked(client, auth, session, people, world):
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    data_words = _data_words(session)
    leaks = []
    for url in ("/api/v1/hazards.geojson?bbox=112,38,113,39", "/api/v1/hazards", "/api/v1/me",
                "/api/v1/roads/nearest?lon=112.7&lat=38.4"):
        response = client.get(url, headers=zh)
        assert response.status_code == 401, url
        leaks += _scan(response, f"anonymous GET {url}", data_words)
    auth.login(people["inspector"])
    # what was typed, and the parameters and collection named, quoted back
    data_words |= {"nonsense", "abc", "status", "year", "limit", "cursor", "such", "one", "nowhere", "hazards"}
    for url in ("/api/v1/hazards/999999", "/api/v1/hazards.geojson?bbox=a,b", "/api/v1/roads/nearest?lon=x&lat=1",
                "/api/v1/hazards?status=nonsense", "/api/v1/reports?year=abc", "/api/v1/hazards.geojson",
                "/api/v1/hazards?limit=0", "/api/v1/hazards?cursor=zzz", "/ogc/collections/nowhere",
                "/ogc/collections/hazards/items/no-such-one", "/api/v1/nowhere"):
        response = client.get(url, headers=zh)
        assert response.status_code >= 400, url
        leaks += _scan(response, f"GET {url}", data_words)
    response = client.post("/api/v1/hazards", headers=zh, data=json.dumps({"title": ""}),
                           content_type="application/json")
    leaks += _scan(response, "POST /api/v1/hazards with no location", data_words)
    assert leaks == [], "English in Chinese API errors:\n" + "\n".join(leaks)
