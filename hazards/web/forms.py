"""Reading form fields into typed values; every problem is collected under its field name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from hazards.domain.errors import InvalidInput
from hazards.domain.labels import lookup_table
from hazards.domain.money import MoneyError, parse_amount


class FormReader:
    """Wraps request.form; `errors` fills up as fields fail, `check()` raises them all at once."""

    def __init__(self, form):
        self.form = form
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = (self.form.get(name) or "").strip()
        if not value:
            if required:
                self.errors[name] = _("Required.")
            return None
        if len(value) > max_length:
            self.errors[name] = _("Too long (at most %(n)d characters).", n=max_length)
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = _("Not a date (use YYYY-MM-DD).")
            return None

    def integer(self, name: str, *, default: int | None = None, minimum: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.errors[name] = _("Not a whole number.")
            return default
        if minimum is not None and number < minimum:
            self.errors[name] = _("Must be at least %(n)d.", n=minimum)
        return number

    def boolean(self, name: str) -> bool:
        return self.form.get(name) in ("1", "on", "true", "yes")

    def choice(self, name: str, enum_cls, *, required: bool = False, default=None):
        value = self.text(name, required=required)
        if value is None:
            return default
        member = lookup_table(enum_cls).get(value.casefold().replace(" ", "").replace("-", "").replace("_", ""))
        if member is None:
            self.errors[name] = _("Not one of the choices.")
        return member or default

    def money(self, name: str, *, unit: str = "yuan", required: bool = True) -> Decimal | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return parse_amount(value, unit=unit)
        except MoneyError:
            self.errors[name] = _("Not an amount of money.")
            return None

    def values(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if v]

    def check(self) -> None:
        if self.errors:
            raise InvalidInput(_("Please correct the marked fields."), fields=dict(self.errors))
