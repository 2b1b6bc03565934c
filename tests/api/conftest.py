"""API fixtures: people at different levels, each with a personal token, and a client that sends it."""

from __future__ import annotations

import pytest

from hazards.services.tokens import issue_token
from tests.factories import user


@pytest.fixture
def people(session):
    """Xinfu district (140902) is inside Xinzhou city (140900); Yuanping (140981) is a sibling county."""
    found = {
        "inspector": user(session, "inspector", "140902"),
        "county": user(session, "supervisor", "140902"),
        "city": user(session, "supervisor", "140900"),
        "outsider": user(session, "supervisor", "140981"),
        "admin": user(session, "admin", "140900"),
    }
    session.commit()
    return found


@pytest.fixture
def tokens(session, people):
    secrets = {who: issue_token(session, person, f"test {who}")[1] for who, person in people.items()}
    session.commit()
    return secrets


class Api:
    """Calls /api/v1 as one of the people, by their Bearer token."""

    def __init__(self, client, tokens):
        self.client, self.tokens = client, tokens

    def __call__(self, who: str, method: str, path: str, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, who, path, **kw):
        return self(who, "GET", path, **kw)

    def post(self, who, path, **kw):
        return self(who, "POST", path, **kw)

    def patch(self, who, path, **kw):
        return self(who, "PATCH", path, **kw)


@pytest.fixture
def api(client, tokens):
    return Api(client, tokens)
