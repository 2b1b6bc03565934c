"""The supervisor's and inspector's forms on a hazard's page, as a person meets them.

After any refusal (something still missing, a bad value, someone else's change first) the page comes back
with every field as it was typed and the refusal beside the form it belongs to; each workflow step lists
what it needs, present or still missing, from the same check that refuses it; a step that is another
level's says whose it is; and the organizations offered are the hazard's own division's first.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from hazards import clock
from hazards.domain.enums import FundingKind, FundingSource, OrganizationKind, Status, SupervisionLevel
from hazards.domain.workflow import TRANSITIONS
from hazards.models import ExtensionRequest, FundingEntry, Hazard, Organization
from hazards.services.editing import update_hazard
from hazards.services.funding import add_funding
from hazards.services.registration import report_hazard
from hazards.services.supervision import request_extension
from hazards.services.workflow import change_status
from hazards.services.units import check_unit
from tests.factories import draft

TODAY = clock.today()
DEADLINE = TODAY + timedelta(days=30)
S, R = OrganizationKind.SUPERVISING, OrganizationKind.RESPONSIBLE


@pytest.fixture
def units(session):
    """Units of Xinfu, of the city and province above it, and of Yuanping (a sibling county), by name."""
    made = {name: Organization(name=name, kind=kind, jurisdiction_code=code) for name, kind, code in [
        ("忻州市交通运输局", R, "140900"), ("忻府区交通运输局", R, "140902"), ("忻府区公路段", R, "140902"),
        ("原平市交通运输局", R, "140981"), ("山西省人民政府", S, "140000"), ("忻州市人民政府", S, "140900"),
        ("忻府区人民政府", S, "140902"), ("原平市人民政府", S, "140981"),
    ]}
    session.add_all(made.values())
    session.commit()
    return made


def hazard_at(session, people, status: Status, level: SupervisionLevel = SupervisionLevel.COUNTY, **extra) -> Hazard:
    spec = dict(level=level, status=status, batch_year=TODAY.year, found_on=TODAY - timedelta(days=20))
    if level is not SupervisionLevel.NONE:
        spec.update(listed_on=TODAY - timedelta(days=10), deadline=DEADLINE)
    made = report_hazard(session, draft(**{**spec, **extra}), actor=people["inspector"])
    session.commit()
    return made


@pytest.fixture
def listed(session, people, units):
    """Xinfu's county-listed hazard, its responsible unit named, no plan and no budget yet."""
    return hazard_at(session, people, Status.LISTED, responsible_unit="忻府区交通运输局",
                     supervising_body="忻府区人民政府")


def form_html(page: str, form_id: str) -> str:
    found = re.search(rf'<form [^>]*id="{re.escape(form_id)}"[^>]*>(.*?)</form>', page, re.S)
    assert found, f"no form #{form_id} on the page"
    return found.group(1)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def refusal_in(form: str) -> str | None:
    found = re.search(r'<p class="flash error refusal" role="alert"[^>]*>(.*?)</p>', form, re.S)
    return html.unescape(found.group(1)) if found else None


def value_of(form: str, name: str) -> str | None:
    found = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', form)
    return html.unescape(found.group(1)) if found else None


def textarea_of(form: str, name: str) -> str | None:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', form, re.S)
    return html.unescape(found.group(1)) if found else None


def chosen(form: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S)
    found = re.search(r'<option value="([^"]*)" selected>', select.group(1)) if select else None
    return found.group(1) if found else None


def options(form: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S)
    return [html.unescape(t) for t in re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(1))]


def groups(form: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S)
    return [html.unescape(g) for g in re.findall(r'<optgroup label="([^"]*)">', select.group(1))]


# --- nothing typed is lost after a refusal ----------------------------------------------------------------


def test_a_plan_refused_for_want_of_a_budget_comes_back_as_typed(client, auth, session, people, units, listed):
    auth.login(people["county"])
    road = units["忻府区公路段"]
    response = client.post(f"/hazards/{listed.id}/actions/approve_plan", data={
        "version": listed.version, "plan_text": "增设减速带和警示标志，拓宽弯道内侧",
        "responsible_unit_id": road.id, "responsible_person": "王建国"})
    assert response.status_code == 422
    form = form_html(response.get_data(as_text=True), "action-approve_plan")
    assert refusal_in(form) == "尚缺：预算资金。"
    assert textarea_of(form, "plan_text") == "增设减速带和警示标志，拓宽弯道内侧"
    assert value_of(form, "responsible_person") == "王建国"
    assert chosen(form, "responsible_unit_id") == str(road.id)
    session.refresh(listed)
    assert listed.status is Status.LISTED and listed.plan_text is None


def test_a_version_conflict_keeps_what_was_typed_and_offers_the_new_version(client, auth, session, people, listed):
    stale = listed.version
    update_hazard(session, listed.id, people["inspector"], {"place": "西张乡"}, expected_version=stale)
    session.commit()
    session.refresh(listed)
    auth.login(people["county"])
    response = client.post(f"/hazards/{listed.id}/actions/approve_plan", data={
        "version": stale, "plan_text": "设置爆闪灯", "responsible_person": "王建国"})
    assert response.status_code == 409
    form = form_html(response.get_data(as_text=True), "action-approve_plan")
    assert refusal_in(form) and textarea_of(form, "plan_text") == "设置爆闪灯"
    assert value_of(form, "version") == str(listed.version) != str(stale)  # saving again takes the new one


def test_a_listing_with_a_past_deadline_keeps_level_body_and_number(client, auth, session, people, units):
    hazard = hazard_at(session, people, Status.VERIFIED, SupervisionLevel.NONE)
    auth.login(people["city"])
    body = units["忻州市人民政府"]
    response = client.post(f"/hazards/{hazard.id}/actions/list", data={
        "version": hazard.version, "level": "city", "deadline": (TODAY - timedelta(days=1)).isoformat(),
        "supervising_body_id": body.id, "document_no": "忻安办〔2026〕7号"})
    assert response.status_code == 422
    form = form_html(response.get_data(as_text=True), "action-list")
    assert "已过" in refusal_in(form) or "过去" in refusal_in(form)
    assert (chosen(form, "level"), chosen(form, "supervising_body_id")) == ("city", str(body.id))
    assert value_of(form, "document_no") == "忻安办〔2026〕7号"
    assert value_of(form, "deadline") == (TODAY - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("who, path, data, form_id, kept", [
    ("inspector", "extensions", {"requested_deadline": (DEADLINE - timedelta(days=1)).isoformat(), "reason": "雨季停工"},
     "extension", {"requested_deadline": (DEADLINE - timedelta(days=1)).isoformat(), "reason": "雨季停工"}),
    ("county", "events", {"kind": "notice", "note": "", "document_no": "忻府安办〔2026〕5号"},
     "event-form", {"document_no": "忻府安办〔2026〕5号"}),
    ("city", "level", {"level": "city", "note": ""}, "raise-level", {}),
    ("inspector", "funding", {"kind": "spending", "source": "city", "amount_wan": "三万", "note": "工程款"},
     "funding-form", {"amount_wan": "三万", "note": "工程款"}),
], ids=["extension", "event", "level", "funding"])
def test_every_refused_form_comes_back_filled_with_the_refusal_beside_it(client, auth, session, people, listed,
                                                                         who, path, data, form_id, kept):
    auth.login(people[who])
    response = client.post(f"/hazards/{listed.id}/{path}", data={"version": listed.version, **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = form_html(page, form_id)
    assert refusal_in(form), "the refusal stands beside its own form"
    assert page.count('class="flash error refusal"') == 1  # and nowhere else
    for name, typed in kept.items():
        assert value_of(form, name) == typed, name
    if "kind" in data:
        assert chosen(form, "kind") == data["kind"]
    if "level" in data:
        assert chosen(form, "level") == data["level"]
    assert session.query(ExtensionRequest).count() == 0 and session.query(FundingEntry).count() == 0


def test_a_refused_extension_decision_keeps_its_note(client, auth, session, people, listed):
    pending = request_extension(session, listed.id, people["inspector"], DEADLINE + timedelta(days=60), "雨季无法施工")
    session.commit()
    auth.login(people["county"])
    response = client.post(f"/hazards/{listed.id}/extensions/{pending.id}",
                           data={"decision": "grant", "note": "同意延期两个月", "deadline": "2099-13-45"})
    assert response.status_code == 422
    form = form_html(response.get_data(as_text=True), "extension")
    assert refusal_in(form) and value_of(form, "note") == "同意延期两个月"


def test_a_refused_edit_keeps_every_field(client, auth, session, people, listed):
    auth.login(people["county"])
    response = client.post(f"/hazards/{listed.id}/edit", data={
        "version": listed.version, "title": "", "place": "西张乡政府门前", "plan_text": "先设警示桩"})
    assert response.status_code == 422
    form = form_html(response.get_data(as_text=True), "edit-form")
    assert 'class="flash error"' in form
    assert value_of(form, "place") == "西张乡政府门前" and textarea_of(form, "plan_text") == "先设警示桩"


# --- what a step needs, before submitting -------------------------------------------------------------


def needs_of(form: str) -> list[str]:
    found = re.search(r'<ul class="needs"[^>]*>(.*?)</ul>', form, re.S)
    return [text_of(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)] if found else []


def test_a_step_lists_what_it_needs_and_what_is_still_missing(client, auth, session, people, listed):
    auth.login(people["county"])
    needs = needs_of(form_html(client.get(f"/hazards/{listed.id}").get_data(as_text=True), "action-approve_plan"))
    assert needs == ["治理方案：尚缺 · 在本表填写", "预算资金：尚缺 · 在资金台账登记预算", "责任单位：已有"]

    add_funding(session, listed.id, people["county"], kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("120000"))
    session.commit()
    needs = needs_of(form_html(client.get(f"/hazards/{listed.id}").get_data(as_text=True), "action-approve_plan"))
    assert "预算资金：已有" in needs  # the same check the refusal uses sees the budget now


def test_the_steps_form_asks_for_each_thing_it_says_to_fill_in_here():
    for transition in TRANSITIONS.values():
        assert set(transition.asks) <= set(transition.requires), transition.action


# --- a step that is another level's --------------------------------------------------------------------


def test_a_county_supervisor_is_told_the_city_must_accept(client, auth, session, people, units):
    hazard = hazard_at(session, people, Status.CLOSURE_REQUESTED, SupervisionLevel.CITY,
                       completed_on=TODAY - timedelta(days=2))
    auth.login(people["county"])
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "等待市级督办单位（忻州市）验收销号。" in page
    assert "当前环节没有需要您办理的事项。" not in page
    auth.logout()
    auth.login(people["city"])
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'id="action-accept"' in page and "等待市级督办单位" not in page


def test_an_inspector_is_told_the_county_approves_the_plan(client, auth, session, people, listed):
    auth.login(people["inspector"])
    page = client.get(f"/hazards/{listed.id}").get_data(as_text=True)
    assert "等待县级督办单位（忻府区）审定方案。" in page


def test_a_county_supervisor_is_told_the_inspectors_request_closure_of_a_city_hazard(client, auth, session, people):
    hazard = hazard_at(session, people, Status.IN_REMEDIATION, SupervisionLevel.CITY)
    auth.login(people["county"])
    assert "等待忻府区排查员申请销号。" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)


# --- organizations in a useful order -------------------------------------------------------------------


def test_units_are_the_hazards_divisions_first_and_never_another_countys(client, auth, session, people, units, listed):
    auth.login(people["county"])
    form = form_html(client.get(f"/hazards/{listed.id}").get_data(as_text=True), "action-approve_plan")
    assert options(form, "responsible_unit_id") == ["忻府区交通运输局", "忻府区公路段", "忻州市交通运输局"] or \
        options(form, "responsible_unit_id") == ["忻府区公路段", "忻府区交通运输局", "忻州市交通运输局"]
    assert groups(form, "responsible_unit_id") == ["忻府区", "忻州市"]
    assert chosen(form, "responsible_unit_id") == str(units["忻府区交通运输局"].id)  # the hazard's own


def test_supervising_bodies_follow_the_hazards_line_and_each_passes_the_check(client, auth, session, people, units):
    hazard = hazard_at(session, people, Status.VERIFIED, SupervisionLevel.NONE)
    auth.login(people["county"])
    form = form_html(client.get(f"/hazards/{hazard.id}").get_data(as_text=True), "action-list")
    assert options(form, "supervising_body_id") == ["忻府区人民政府", "忻州市人民政府", "山西省人民政府"]
    assert groups(form, "supervising_body_id") == ["忻府区", "忻州市", "山西省"]
    assert "原平市人民政府" not in form
    offered = re.findall(r'<option value="(\d+)"', re.search(r'<select name="supervising_body_id"[^>]*>(.*?)</select>',
                                                              form, re.S).group(1))
    for organization_id in offered:  # the form offers nothing the listing would refuse
        check_unit(session, int(organization_id), hazard.jurisdiction_code, SupervisionLevel.COUNTY,
                   "supervising_body_id")


def test_in_english_the_waiting_step_names_the_level_and_the_division_in_english(client, auth, session, people):
    hazard = hazard_at(session, people, Status.CLOSURE_REQUESTED, SupervisionLevel.CITY,
                       completed_on=TODAY - timedelta(days=2))
    people["county"].language = "en"
    session.commit()
    auth.login(people["county"])
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "Waiting for the City supervising body (Xinzhou): Accept and close." in page


# Each requirement a step's form "asks" for, by the form field that supplies it (hazards.inputs.shapes.read_action).
ASKED_FIELD = {"reason": "reason", "merge_target": "merge_target", "level": "level", "deadline": "deadline",
               "supervising_body": "supervising_body_id", "responsible_unit": "responsible_unit_id",
               "plan": "plan_text", "completed_on": "completed_on", "acceptance_note": "acceptance_note"}


def test_every_step_the_page_offers_has_a_field_for_what_it_says_to_fill_in_here(client, auth, session, people,
                                                                                   units):
    statuses = [Status.REPORTED, Status.VERIFIED, Status.LISTED, Status.PLAN_APPROVED, Status.IN_REMEDIATION,
                Status.CLOSURE_REQUESTED, Status.CLOSED]
    seen = set()
    auth.login(people["county"])
    for status in statuses:
        level = SupervisionLevel.NONE if status in (Status.REPORTED, Status.VERIFIED) else SupervisionLevel.COUNTY
        extra = {"completed_on": TODAY - timedelta(days=2)} if status in (Status.CLOSURE_REQUESTED, Status.CLOSED) else {}
        if status is Status.CLOSED:
            extra["closed_on"] = TODAY - timedelta(days=1)
        hazard = hazard_at(session, people, status, level, **extra)
        page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
        for action in re.findall(r'<form [^>]*id="action-(\w+)"', page):
            form, transition = form_html(page, f"action-{action}"), TRANSITIONS[action]
            for code in transition.asks:
                assert f'name="{ASKED_FIELD[code]}"' in form, (action, code)
            seen.add(action)
    assert seen == set(TRANSITIONS)  # every step of the table was looked at


def test_a_refusal_for_a_step_no_longer_offered_is_still_shown(client, auth, session, people, listed):
    stale = listed.version
    add_funding(session, listed.id, people["county"], kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("50000"))
    update_hazard(session, listed.id, people["county"], {"plan_text": "设置爆闪灯"}, expected_version=stale)
    session.commit()
    session.refresh(listed)
    change_status(session, listed.id, "approve_plan", people["county"], expected_version=listed.version)
    session.commit()
    auth.login(people["county"])
    response = client.post(f"/hazards/{listed.id}/actions/approve_plan", data={"version": stale, "plan_text": "另一方案"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="action-approve_plan"' not in page and page.count('class="flash error refusal"') == 1
