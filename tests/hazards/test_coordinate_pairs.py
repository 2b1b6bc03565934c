"""A position as people paste it into the logging form: a pair in one field is split, in the order that
lies in the ledger's area; what is not one or two numbers is refused by name."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from geo.coords import CHINA_EXTENT, parse_coordinate
from hazards.inputs.shapes import LonLatTexts, read_lonlat, swap_fits
from hazards.inputs.values import FormValues


def read(lon: str, lat: str = "") -> tuple[LonLatTexts, dict]:
    form = FormValues(MultiDict({"lon": lon, "lat": lat}))
    return read_lonlat(form, CHINA_EXTENT), form.errors


@pytest.mark.parametrize("pasted", [
    "112.7340,38.4170", "112.7340，38.4170", "112.7340, 38.4170", "112.7340 38.4170", "112.7340;38.4170",
    "38.4170,112.7340", "北纬38.4170 东经112.7340", "１１２．７３４０，３８．４１７０",
])
def test_a_pair_in_one_field_is_split_longitude_first(pasted):
    texts, errors = read(pasted)
    assert errors == {} and texts.split
    assert (parse_coordinate(texts.lon, "lon"), parse_coordinate(texts.lat, "lat")) == (112.734, 38.417)


def test_one_number_per_field_is_left_as_typed():
    texts, errors = read("112°44′02″E", "38.4170")
    assert (texts.lon, texts.lat, texts.split, errors) == ("112°44′02″E", "38.4170", False, {})
    assert read("东经 112.734")[0] == LonLatTexts("东经 112.734", None)  # a space inside one number


def test_what_is_no_pair_is_refused_on_its_field():
    _texts, errors = read("112.7340,北")
    assert "is not a longitude and latitude" in errors["lon"]
    _texts, errors = read("112.7,38.4,5")
    assert "lon" in errors


def test_a_swap_is_offered_only_when_it_lands_inside():
    assert swap_fits(LonLatTexts("38.4170", "112.7340"), CHINA_EXTENT)
    assert not swap_fits(LonLatTexts("112.7340", "38.4170"), CHINA_EXTENT)
    assert not swap_fits(LonLatTexts("200", "300"), CHINA_EXTENT)
