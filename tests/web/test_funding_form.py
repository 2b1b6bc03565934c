"""The hazard page's funding ledger as a person uses it: the amount field in 万元 says so and refuses
yuan, a very large line is confirmed on the page, a line is corrected by reversing it, and money is
settled after closure by the supervisors only."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import FundingKind, FundingSource
from hazards.models import FundingEntry
from hazards.services.funding import add_funding
from tests.factories import county_hazard

TODAY = clock.today()


@pytest.fixture
def hazard(session, people):
    return county_hazard(session, people["inspector"])


@pytest.fixture
def closed(session, people):
    return county_hazard(session, people["county"], closed=True)


def lines(session, hazard) -> list[FundingEntry]:
    session.expire_all()
    return session.scalars(select(FundingEntry).where(FundingEntry.hazard_id == hazard.id)
                           .order_by(FundingEntry.id)).all()


def spend(client, hazard, amount_wan: str, follow_redirects: bool = False, **extra):
    return client.post(f"/hazards/{hazard.id}/funding", follow_redirects=follow_redirects,
                       data={"kind": "spending", "source": "county", "amount_wan": amount_wan, **extra})


def test_the_amount_field_says_its_unit(client, auth, people, hazard):
    auth.login(people["inspector"])
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    field = re.search(r'<label for="funding-amount">([^<]*)<input type="text" name="amount_wan" id="funding-amount" '
                      r'placeholder="([^"]*)"', page)
    assert field and field.group(1).strip() == "金额（万元）" and "8.5" in field.group(2) and "85,000 元" in field.group(2)


def test_yuan_typed_into_the_wan_field_is_refused_with_what_to_type(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    response = spend(client, hazard, "85,000元", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'class="flash error refusal"' in page
    assert "本栏单位是万元：请填写 8.5（不带单位）" in page
    assert lines(session, hazard) == []


def test_wan_typed_into_the_wan_field_is_stored_in_yuan(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    assert spend(client, hazard, "8.5").status_code == 303
    (line,) = lines(session, hazard)
    assert line.amount == Decimal("85000.00")


def test_a_line_above_the_limit_is_confirmed_on_the_page_with_the_values_kept(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    asked = spend(client, hazard, "85,000", note="标志标线", entry_date=(TODAY - timedelta(days=2)).isoformat())
    assert asked.status_code == 422
    page = asked.get_data(as_text=True)
    assert "单笔金额 85,000.00 万元，超过 5000 万元" in page
    assert 'name="confirm_large"' in page
    assert 'name="amount_wan" id="funding-amount" placeholder' in page and 'value="85,000"' in page and 'value="标志标线"' in page
    assert lines(session, hazard) == []
    confirmed = spend(client, hazard, "85,000", note="标志标线", confirm_large="1")
    assert confirmed.status_code == 303
    assert [line.amount for line in lines(session, hazard)] == [Decimal("850000000.00")]


def test_the_limit_is_a_setting(app, monkeypatch, client, auth, session, people, hazard):
    monkeypatch.setitem(app.config, "FUNDING_LINE_WARN_WAN", 10)
    auth.login(people["inspector"])
    assert spend(client, hazard, "10").status_code == 303
    assert spend(client, hazard, "10.01").status_code == 422
    assert len(lines(session, hazard)) == 1


def test_a_line_is_reversed_with_a_reason_and_shown_struck_through(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    assert spend(client, hazard, "8.5").status_code == 303
    assert spend(client, hazard, "85", note="误录").status_code == 303
    wrong = lines(session, hazard)[1]
    response = client.post(f"/hazards/{hazard.id}/funding/{wrong.id}/reversal", data={"reason": "多录一位<b>数</b>"})
    assert response.status_code == 303
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    row = re.search(rf'<tr id="funding-{wrong.id}" class="reversed">(.*?)</tr>', page, re.S).group(1)
    assert "<del>85.00</del>" in row and "多录一位&lt;b&gt;数&lt;/b&gt;" in row
    assert re.search(r"支出合计</th><th class=\"num\">8.50<", page)
    assert [line.amount for line in lines(session, hazard)] == [
        Decimal("85000.00"), Decimal("850000.00"), Decimal("-850000.00")]
    again = client.post(f"/hazards/{hazard.id}/funding/{wrong.id}/reversal", data={"reason": "再冲一次"})
    assert again.status_code == 409
    assert len(lines(session, hazard)) == 3


def test_a_reversal_needs_a_reason(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    spend(client, hazard, "1")
    (line,) = lines(session, hazard)
    response = client.post(f"/hazards/{hazard.id}/funding/{line.id}/reversal", data={"reason": " "},
                           follow_redirects=True)
    assert 'class="flash error refusal"' in response.get_data(as_text=True)
    assert len(lines(session, hazard)) == 1


def test_a_budget_line_is_reversed_only_by_who_may_record_budgets(client, auth, session, people, hazard):
    add_funding(session, hazard.id, people["county"], kind=FundingKind.BUDGET, source=FundingSource.COUNTY,
                amount=Decimal("1000.00"))
    session.commit()
    (line,) = lines(session, hazard)
    auth.login(people["inspector"])
    assert client.post(f"/hazards/{hazard.id}/funding/{line.id}/reversal", data={"reason": "错"}).status_code == 403
    auth.logout()
    auth.login(people["other_county"])
    assert client.post(f"/hazards/{hazard.id}/funding/{line.id}/reversal", data={"reason": "错"}).status_code == 404
    assert len(lines(session, hazard)) == 1


def test_a_supervisor_adds_spending_after_closure_an_inspector_cannot(client, auth, session, people, closed):
    auth.login(people["inspector"])
    assert 'name="amount_wan"' not in client.get(f"/hazards/{closed.id}").get_data(as_text=True)
    assert spend(client, closed, "2").status_code == 403
    assert lines(session, closed) == []
    auth.logout()
    auth.login(people["county"])
    assert 'name="amount_wan"' in client.get(f"/hazards/{closed.id}").get_data(as_text=True)
    assert spend(client, closed, "2", note="决算").status_code == 303
    assert [line.amount for line in lines(session, closed)] == [Decimal("20000.00")]
