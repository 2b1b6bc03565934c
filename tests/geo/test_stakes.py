"""Road stakes: what people type is read as the right number of metres, and bad input is explained."""

import pytest

from geo.stakes import (
    Section,
    StakeError,
    format_stake,
    format_stake_range,
    parse_stake,
    parse_section,
    parse_stake_range,
    section_length_m,
)


@pytest.mark.parametrize(
    "text, metres",
    [
        ("K12+300", 12300),
        ("k12+300", 12300),
        ("K0+000", 0),
        ("K0+005", 5),
        ("K257+015", 257015),
        ("  K12+300  ", 12300),
        ("K 12 + 300", 12300),
        ("Ｋ１２＋３００", 12300),
        ("K12＋300", 12300),
        ("K12+5", 12005),
        ("K12+50", 12050),
        ("K12+300.6", 12301),
        ("K12+300.4", 12300),
        ("K12+300.5", 12301),
        ("12.3", 12300),
        ("0.005", 5),
        ("12300m", 12300),
        ("12300M", 12300),
    ],
)
def test_good_stakes_are_read_as_metres(text, metres):
    result = parse_stake(text)
    assert result == metres
    assert type(result) is int


@pytest.mark.parametrize(
    "text",
    ["", "   ", "K12+3OO", "K12+", "K+300", "K12", "12", "M12+300", "A12+300", "K12-300",
     "-K12+300", "-12.3", "-12300m", "K12+300km", "12,3", "K12+300+5", "K12+1000", "K12+1500.2"],
)
def test_bad_stakes_are_refused_with_the_input_quoted(text):
    with pytest.raises(StakeError) as exc:
        parse_stake(text)
    message = str(exc.value)
    assert f"'{text}'" in message
    assert "K12+300" in message  # the expected form is shown


def test_metres_part_of_1000_or_more_is_explained():
    with pytest.raises(StakeError, match="metres part must be below 1000") as exc:
        parse_stake("K12+1000")
    assert "K13+000" in str(exc.value)  # the carried-over stake the user probably meant


def test_the_example_message_reads_plainly():
    with pytest.raises(StakeError, match=r"^'K12\+3OO' is not a stake; expected a form like K12\+300$"):
        parse_stake("K12+3OO")


def test_negative_stakes_say_so():
    with pytest.raises(StakeError, match="negative"):
        parse_stake("-K1+000")


def test_stake_error_is_a_value_error():
    assert issubclass(StakeError, ValueError)


@pytest.mark.parametrize(
    "metres, text",
    [(0, "K0+000"), (5, "K0+005"), (999, "K0+999"), (1000, "K1+000"), (12300, "K12+300"),
     (257015, "K257+015"), (1234567, "K1234+567")],
)
def test_format_stake(metres, text):
    assert format_stake(metres) == text


@pytest.mark.parametrize("metres", [-1, -12300])
def test_format_refuses_negative(metres):
    with pytest.raises(StakeError, match="negative"):
        format_stake(metres)


@pytest.mark.parametrize("metres", [12.5, "12300", None])
def test_format_refuses_what_is_not_whole_metres(metres):
    with pytest.raises(StakeError):
        format_stake(metres)


@pytest.mark.parametrize("metres", [0, 5, 999, 1000, 12300, 257015])
def test_round_trip(metres):
    assert parse_stake(format_stake(metres)) == metres


@pytest.mark.parametrize("separator", ["~", "～", "〜", "-", "—", "——", "–", "至", "到", " ~ ", " 至 ", " - "])
def test_ranges_with_every_separator(separator):
    assert parse_stake_range(f"K257+015{separator}K262+505") == (257015, 262505)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("K12+300", (12300, None)),
        ("  k12+5 ", (12005, None)),
        ("Ｋ２５７＋０１５～Ｋ２６２＋５０５", (257015, 262505)),
        ("K1+000~K1+000", (1000, 1000)),
        ("12.3~13.4", (12300, 13400)),
        ("12300m至13400m", (12300, 13400)),
    ],
)
def test_ranges(text, expected):
    assert parse_stake_range(text) == expected


def test_a_hyphen_is_not_mistaken_for_a_section():
    # "K12-300" is a mistyped plus, not the section K12 ~ 300.
    with pytest.raises(StakeError, match="'K12-300' is not a stake"):
        parse_stake_range("K12-300")


def test_a_descending_section_is_the_down_carriageway_kept_low_stake_first():
    # It was refused before; 下行 sections are written in the direction of travel, high stake first.
    assert parse_section("K262+505~K257+015") == Section(257015, 262505, descending=True)
    assert parse_stake_range("K262+505~K257+015") == (257015, 262505)
    assert parse_section("K257+015~K262+505") == Section(257015, 262505, descending=False)
    assert parse_section("K12+300") == Section(12300, None, descending=False)


@pytest.mark.parametrize(
    "text", ["K1+000~K2+3OO", "K1+000~", "~K1+000", "K1+000~K2+000~K3+000", "K1+000~-K2+000", "K1+000~K2+1000"]
)
def test_bad_ranges_quote_the_input(text):
    with pytest.raises(StakeError) as exc:
        parse_stake_range(text)
    assert f"'{text}'" in str(exc.value)


def test_format_stake_range():
    assert format_stake_range(257015, 262505) == "K257+015~K262+505"
    assert format_stake_range(12300, None) == "K12+300"
    assert parse_stake_range(format_stake_range(257015, 262505)) == (257015, 262505)


def test_section_length():
    assert section_length_m(257015, 262505) == 5490
    assert section_length_m(12300, None) == 0
    assert section_length_m(12300, 12300) == 0
