"""Opaque cursors for keyset pagination: a page boundary is the last row's sort key, not an offset,
so rows added or removed meanwhile neither repeat nor vanish between pages."""

from __future__ import annotations

import base64
import binascii
import json

from hazards.api.problems import ApiProblem
from hazards.domain.errors import N_
from hazards.inputs.values import whole_number

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(key: list) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str, shape: tuple[type, ...]) -> list:
    """The key inside a cursor, checked against the types expected (a 400 when it is not one of ours)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiProblem(400, N_("The cursor is not valid: use the next link of a previous page."),
                         code="invalid_parameter", fields={"cursor": "invalid"}) from None
    if (not isinstance(key, list) or len(key) != len(shape)
            or not all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape))
            or any(isinstance(v, int) and not 0 <= v < 2**31 for v in key)):
        raise ApiProblem(400, N_("The cursor is not valid: use the next link of a previous page."),
                         code="invalid_parameter", fields={"cursor": "invalid"})
    return key


def limit_from(args, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    raw = args.get("limit")
    if raw is None:
        return default
    number = whole_number(raw)
    if number is None or not 1 <= number <= maximum:
        raise ApiProblem(400, N_("limit must be a whole number from 1 to %(max)s."), params={"max": maximum},
                         code="invalid_parameter",
                         fields={"limit": "invalid"})
    return number


def reject_unknown(args, known: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(args) - set(known))
    if unknown:
        raise ApiProblem(400, N_("Unknown query parameters: %(names)s."), params={"names": ", ".join(unknown)},
                         code="invalid_parameter",
                         fields={name: "unknown" for name in unknown})
