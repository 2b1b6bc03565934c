"""An administrator's slips are refused in Chinese with a 4xx, never a server error: an organization entered
twice (also with stray spaces), a login taken, and an e-mail address that is not one, wherever it is set."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hazards.domain.enums import OrganizationKind
from hazards.models import Organization, User

PASSWORD = "kuaisu-xiuli-2026"


@pytest.fixture
def road_bureau(session):
    made = Organization(name="忻府区交通运输局", kind=OrganizationKind.RESPONSIBLE, jurisdiction_code="140902")
    session.add(made)
    session.commit()
    return made


@pytest.mark.parametrize("name", ["忻府区交通运输局", "  忻府区交通运输局 "])
def test_an_organization_entered_twice_is_refused_in_chinese(client, auth, session, people, road_bureau, name):
    auth.login(people["admin"])
    response = client.post("/admin/organizations", data={
        "name": name, "kind": "responsible", "jurisdiction_code": "140902"})
    page = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500
    assert "忻府区已有名为“忻府区交通运输局”的单位" in page
    assert "Internal Server Error" not in page and "IntegrityError" not in page
    assert session.scalar(select(func.count(Organization.id)).where(Organization.name == "忻府区交通运输局")) == 1


def test_a_login_taken_is_refused_in_chinese(client, auth, session, people):
    auth.login(people["admin"])
    response = client.post("/admin/users", data={
        "login": people["inspector"].login, "name": "重名", "password": PASSWORD, "role": "inspector",
        "jurisdiction_code": "140902"})
    page = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500 and "Internal Server Error" not in page
    assert f"账号“{people['inspector'].login}”已被占用。" in page


@pytest.mark.parametrize("email", ["not-an-email", "wang@", "wang@localhost", "两个@符号@example.cn"])
def test_an_e_mail_that_is_not_one_is_refused_by_the_people_form(client, auth, session, people, email):
    auth.login(people["admin"])
    person = people["inspector"]
    response = client.post(f"/admin/users/{person.id}", data={
        "name": "刘晓东", "email": email, "phone": "", "language": "zh"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "不是有效的电子邮箱地址" in page
    session.expire_all()
    assert session.get(User, person.id).email != email


def test_an_e_mail_that_is_not_one_is_refused_by_the_command_line(runner, session):
    result = runner.invoke(args=["create-user", "--login", "cli.person", "--password", PASSWORD, "--role", "inspector",
                                 "--jurisdiction", "140902", "--email", "not-an-email"])
    assert result.exit_code != 0 and "not-an-email" in result.output
    assert session.scalar(select(User).where(User.login == "cli.person")) is None
