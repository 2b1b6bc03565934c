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


def to_wan_exact(yuan: Decimal | int | None) -> Decimal:
    """Yuan to 万元 without rounding (12,345.67 -> 1.234567; 85,000 -> 8.50): a ledger file that
    carries money in 万元 must give back every fen when it is read again."""
    wan = Decimal(yuan or 0) / TEN_THOUSAND
    two_places = wan.quantize(CENT)
    return two_places if two_places == wan else wan.normalize()


def from_wan(wan: Decimal | str | int) -> Decimal:
    return (Decimal(wan) * TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(yuan: Decimal | int | None) -> str:
    return f"{to_wan(yuan):,.2f}"


# What a person may write after the number, and the unit it means. 万元 is tried before 元.
_UNIT_WORDS = (("万元", "wan"), ("万", "wan"), ("元", "yuan"))


class WrongUnit(MoneyError):
    """The text names a unit other than the field's: "85,000元" in a 万元 field. Converting it silently
    would be a guess about which one the person meant, and the wrong guess is off by 10,000 times."""


def parse_amount(text: str | int | Decimal, unit: str = "yuan") -> Decimal:
    """Parse an amount typed by a person ("12,500.00", "¥300", "12,500元") into yuan.

    `unit` is the field's unit ("yuan" or "wan"); the text may repeat it ("8.5万元" in a 万元 field)
    but not name the other one. Floats are refused: a spreadsheet cell that arrives as float is
    converted by its caller through `str()`, which keeps the digits the person typed.
    """
    if isinstance(text, float):
        raise MoneyError(N_("amount %(text)r arrived as a float; pass it as text or Decimal"), {"text": text})
    raw = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    typed_unit = None
    for word, word_unit in _UNIT_WORDS:
        if raw.endswith(word):
            raw, typed_unit = raw[: -len(word)].strip(), word_unit
            break
    amount = _number(raw, text)
    if typed_unit is not None and typed_unit != unit:
        raise _wrong_unit(text, amount, unit)
    return from_wan(amount) if unit == "wan" else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(raw: str, text) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise MoneyError(N_("'%(text)s' is not an amount of money"), {"text": text}) from None
    if not amount.is_finite():
        raise MoneyError(N_("'%(text)s' is not an amount of money"), {"text": text})
    if amount < 0:
        raise MoneyError(N_("amount '%(text)s' is negative"), {"text": text})
    return amount


def _wrong_unit(text, amount: Decimal, field_unit: str) -> WrongUnit:
    """Say what to type instead: the same amount in the field's unit."""
    if field_unit == "wan":
        instead = _plain(amount / TEN_THOUSAND)
        return WrongUnit(N_("'%(text)s' is in yuan but this field is in 10,000 yuan (万元): "
                            "type %(instead)s without a unit"), {"text": text, "instead": instead})
    instead = _plain(amount * TEN_THOUSAND)
    return WrongUnit(N_("'%(text)s' is in 10,000 yuan (万元) but this field is in yuan: "
                        "type %(instead)s without a unit"), {"text": text, "instead": instead})


def _plain(amount: Decimal) -> str:
    """A number as people type it: no exponent, no trailing zeros ("8.5", not "8.5000" or "8.5E+0")."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exceeds_line_limit(amount_yuan: Decimal, limit_wan: Decimal | int | str | None) -> bool:
    """Is one funding line larger than is plausible (the limit in 万元; none: no limit)?"""
    if limit_wan is None:
        return False
    return amount_yuan > from_wan(Decimal(str(limit_wan)))
