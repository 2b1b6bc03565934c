"""API fixtures: each of the shared cast (tests/conftest.py `people`) with a personal token, and a client that sends it."""

from __future__ import annotations

import pytest

from hazards.services.tokens import issue_token


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
