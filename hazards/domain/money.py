"""Money: stored in yuan as Decimal, reported in 万元 (10,000 yuan) with two decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hazards.domain.errors import N_, TranslatableValueError

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")


class MoneyError(TranslatableValueError):
    pass


def to_wan(yuan: Decimal | int | None) -> Decimal:
    """Yuan to 万元, rounded half up to two decimals (the way report tables print it)."""
    return (Decimal(yuan or 0) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def from_wan(wan: Decimal | str | int) -> Decimal:
    return (Decimal(wan) * TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(yuan: Decimal | int | None) -> str:
    return f"{to_wan(yuan):,.2f}"


def parse_amount(text: str | int | Decimal, unit: str = "yuan") -> Decimal:
    """Parse an amount typed by a person ("12,500.00", "1.25万", "¥300") into yuan.

    Floats are refused: a spreadsheet cell that arrives as float is converted by its caller
    through `str()`, which keeps the digits the person typed.
    """
    if isinstance(text, float):
        raise MoneyError(N_("amount %(text)r arrived as a float; pass it as text or Decimal"), {"text": text})
    raw = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    for suffix in ("万元", "万"):
        if raw.endswith(suffix):
            raw, unit = raw[: -len(suffix)], "wan"
    if raw.endswith("元"):
        raw = raw[:-1]
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise MoneyError(N_("'%(text)s' is not an amount of money"), {"text": text}) from None
    if not amount.is_finite():
        raise MoneyError(N_("'%(text)s' is not an amount of money"), {"text": text})
    if amount < 0:
        raise MoneyError(N_("amount '%(text)s' is negative"), {"text": text})
    return from_wan(amount) if unit == "wan" else amount.quantize(CENT, rounding=ROUND_HALF_UP)
