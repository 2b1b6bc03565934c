"""Raw request values -> typed values, from a form or a JSON object, with one error vocabulary.

A form sends text, so `FormValues` parses it ("12" is a number, "省级" is a level). A JSON body has
types, so `JsonValues` is strict (a string is not a number, a float is not money). Either way a
problem is recorded once per field as a message template with params (shown translated beside the
field) and its English rendering (the API's `fields` member, for programs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from hazards.domain.errors import N_, InvalidInput, TranslatableValueError, render_english
from hazards.domain.labels import fold, lookup_table
from hazards.domain.money import MoneyError, WrongUnit, parse_amount

# Integer columns are 32-bit on PostgreSQL; anything larger is a client error, not a database one.
INT_MAX = 2**31 - 1
# Yuan with at most two decimals, as a string: JSON numbers are binary floats.
_MONEY = re.compile(r"^\d{1,14}(\.\d{1,2})?$")
MISSING = object()  # a JSON field that was not sent (None means sent as null)
# Dates a ledger can hold: reminders count days back from a deadline, so year 1 would overflow.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# No body or ledger file the tracker reads nests deeper than a GeoJSON FeatureCollection (about 6).
MAX_JSON_DEPTH = 32
# A lone surrogate decodes from JSON's "\ud800" but cannot be encoded as UTF-8 for any database.
_SURROGATE = re.compile("[\ud800-\udfff]")

REQUIRED = N_("required")
TOO_LONG = N_("at most %(n)s characters")
NOT_A_DATE = N_("must be a date (YYYY-MM-DD)")
DATE_OUT_OF_RANGE = N_("must be a date from %(first)s to %(last)s")
NOT_WHOLE = N_("must be a whole number")
TOO_SMALL = N_("must be at least %(n)s")
TOO_LARGE = N_("must be at most %(n)s")
NOT_A_CHOICE = N_("must be one of: %(choices)s")
NOT_MONEY = N_("must be an amount of money, e.g. 12500.00")


class FieldValues:
    """What both sources share: the collected field errors and `check()`.

    `errors` maps a field to its English text; `messages` to (template, params) for translation.
    Writing `errors[name]` directly still works, for a text that is already final.
    """

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.messages: dict[str, tuple[str, dict]] = {}

    def fail(self, name: str, template: str, params: Mapping | None = None) -> None:
        params = dict(params or {})
        self.errors[name] = render_english(template, params)
        self.messages[name] = (template, params)

    def check(self) -> None:
        """Raise every collected field error at once (a 422), or do nothing."""
        if self.errors:
            raise InvalidInput(N_("Please correct the marked fields."), fields=dict(self.errors),
                               field_messages={k: v for k, v in self.messages.items() if k in self.errors})

    def _limited(self, name: str, value: str, max_length: int) -> str:
        if len(value) > max_length:
            self.fail(name, TOO_LONG, {"n": max_length})
        return value

    def _range(self, name: str, number: int, minimum: int | None, maximum: int) -> int:
        if minimum is not None and number < minimum:
            self.fail(name, TOO_SMALL, {"n": minimum})
        if number > maximum:
            self.fail(name, TOO_LARGE, {"n": maximum})
        return number

    def _date(self, name: str, text: str | None) -> date | None:
        if text is None:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(name, NOT_A_DATE)
            return None
        if not FIRST_DATE <= day <= LAST_DATE:
            self.fail(name, DATE_OUT_OF_RANGE, {"first": FIRST_DATE, "last": LAST_DATE})
            return None
        return day


class FormValues(FieldValues):
    """A submitted form (request.form): every value arrives as text."""

    def __init__(self, form):
        super().__init__()
        self.form = form

    def has(self, name: str) -> bool:
        return name in self.form

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = (self.form.get(name) or "").strip()
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        return self._limited(name, value, max_length)

    def date(self, name: str, *, required: bool = False) -> date | None:
        return self._date(name, self.text(name, required=required, max_length=10))

    def integer(self, name: str, *, required: bool = False, default: int | None = None,
                minimum: int | None = None, maximum: int = INT_MAX) -> int | None:
        value = self.text(name, required=required, max_length=12)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.fail(name, NOT_WHOLE)
            return default
        return self._range(name, number, minimum, maximum)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        if name not in self.form:
            return default
        return self.form.get(name) in ("1", "on", "true", "yes")

    def choice(self, name: str, enum_cls, *, required: bool = False, default=None):
        """A value, or any label people know it by (English or Chinese)."""
        value = self.text(name, required=required, max_length=64)
        if value is None:
            return default
        member = lookup_table(enum_cls).get(fold(value))
        if member is None:
            self.fail(name, NOT_A_CHOICE, {"choices": tuple(enum_cls)})
            return default
        return member

    def money(self, name: str, *, unit: str = "yuan", required: bool = True) -> Decimal | None:
        value = self.text(name, required=required, max_length=32)
        if value is None:
            return None
        try:
            return parse_amount(value, unit=unit)
        except WrongUnit as exc:  # its own message: it says what to type instead
            self.fail(name, exc.template, exc.params)
            return None
        except MoneyError:
            self.fail(name, NOT_MONEY)
            return None

    def values(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if v]


class JsonValues(FieldValues):
    """A JSON object: strict about types; a field not in `allowed` is an error too."""

    def __init__(self, data: dict, allowed: set[str] | frozenset[str]):
        super().__init__()
        self.data = data
        for name in sorted(set(data) - set(allowed)):
            self.fail(name, N_("unknown field"))

    def has(self, name: str) -> bool:
        return name in self.data

    def _get(self, name: str, required: bool):
        value = self.data.get(name, MISSING)
        if value is MISSING or value is None:
            if required:
                self.fail(name, REQUIRED)
            return MISSING
        return value

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = self._get(name, required)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            self.fail(name, N_("must be a string"))
            return None
        if "\x00" in value:
            self.fail(name, N_("must not contain NUL characters"))
            return None
        value = value.strip()
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        return self._limited(name, value, max_length)

    def integer(self, name: str, *, required: bool = False, default: int | None = None,
                minimum: int | None = None, maximum: int = INT_MAX) -> int | None:
        value = self._get(name, required)
        if value is MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, NOT_WHOLE)
            return default
        return self._range(name, value, minimum, maximum)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.fail(name, N_("must be true or false"))
            return default
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        return self._date(name, self.text(name, required=required, max_length=10))

    def choice(self, name: str, enum_cls, *, required: bool = False, default=None):
        """Exactly one of the enum's values: programs send codes, not labels."""
        value = self.text(name, required=required, max_length=64)
        if value is None:
            return default
        if value not in enum_cls.values():
            self.fail(name, NOT_A_CHOICE, {"choices": ChoiceCodes(enum_cls.values())})
            return default
        return enum_cls(value)

    def codes(self, name: str) -> list[str] | None:
        value = self._get(name, False)
        if value is MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v and "\x00" not in v for v in value):
            self.fail(name, N_("must be a list of codes"))
            return None
        return list(dict.fromkeys(value))

    def money(self, name: str, *, unit: str = "yuan", required: bool = True) -> Decimal | None:
        """An amount in yuan, sent as a string such as "12500.00" (never a float)."""
        value = self._get(name, required)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not _MONEY.match(value.strip()):
            self.fail(name, *_money_problem(value, unit))
            return None
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern already holds
            self.fail(name, NOT_MONEY)
            return None


def whole_number(text: str | None) -> int | None:
    """A query parameter's non-negative whole number in ASCII digits, or None. `str.isdigit` alone
    is not enough: it accepts "²" and "٣", which int() then refuses or reads as another number."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    return int(text)


class UnreadableJson(TranslatableValueError):
    """JSON text that no reader here accepts: not JSON, nested too deeply, or holding characters that
    cannot be stored (NUL, which PostgreSQL text refuses; a lone surrogate, which is not UTF-8)."""


def strict_json(text: str | bytes):
    """Decode JSON text and check every string in it (keys too), so what is read can be stored.

    Text that is not JSON at all raises json.JSONDecodeError, which each caller words in its own way."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise UnreadableJson(N_("the JSON is nested more than %(n)s levels deep"), {"n": MAX_JSON_DEPTH}) from None
    except UnicodeDecodeError:
        raise UnreadableJson(N_("the JSON is not UTF-8 text")) from None
    check_json_value(data)
    return data


def check_json_value(data) -> None:
    """Walk a decoded JSON value without recursion (a deep value must not exhaust the stack)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise UnreadableJson(N_("the JSON is nested more than %(n)s levels deep"), {"n": MAX_JSON_DEPTH})
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    pending.append((item, depth + 1))
            else:
                pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnreadableJson(N_("the JSON contains a NUL character"))
    if _SURROGATE.search(text):
        raise UnreadableJson(N_("the JSON contains a lone surrogate, which is not a character"))


def _money_problem(value, unit: str) -> tuple[str, dict]:
    """Why a JSON amount is refused: a unit word says what to send instead, anything else the format."""
    if isinstance(value, str):
        try:
            parse_amount(value, unit=unit)
        except WrongUnit as exc:
            return exc.template, exc.params
        except MoneyError:
            pass
    return N_('must be an amount in yuan as a string, e.g. "12500.00"'), {}


class ChoiceCodes(tuple):
    """The codes a program may send, listed as they are in every language (they are the API's words)."""

    def text(self, language: str) -> str:
        return ", ".join(self)

    def __str__(self) -> str:
        return ", ".join(self)
