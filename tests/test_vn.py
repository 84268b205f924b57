"""Vietnamese numbers (hue_dx/vn.py): one module for every number a person reads."""

import pytest

from hue_dx import vn


@pytest.mark.parametrize("value, digits, expected", [
    (1234.5, None, "1.234,5"), (0.75, None, "0,75"), (0.87214, None, "0,8721"), (2, None, "2"), (1234567, None, "1.234.567"),
    (0.7529, 4, "0,7529"), (29.25, 2, "29,25"), (27.456, 1, "27,5"), (1.4, 1, "1,4"), (5, 0, "5"), (-1234.5, None, "-1.234,5"),
])
def test_number(value, digits, expected):
    assert vn.number(value, digits) == expected


@pytest.mark.parametrize("value, digits, trim, expected", [
    (5831, 0, False, "5.831"), (1234.5, 2, False, "1.234,50"), (1234.5, 2, True, "1.234,5"), (85.25, 1, True, "85,2"),
    (100.0, 2, True, "100"), (None, 2, False, "—"),
])
def test_fixed(value, digits, trim, expected):
    assert vn.fixed(value, digits, trim=trim) == expected
    assert vn.fixed(None, empty="") == ""


def test_percent_whole_billions():
    assert vn.percent(0.875) == "87,5%" and vn.percent(0.5, 2) == "50,00%" and vn.percent(None) == "—"
    assert vn.whole(554_500_000_000) == "554.500.000.000" and vn.whole(100_000.0) == "100.000"
    assert vn.billions(554_500_000_000) == "554,5 tỷ đồng" and vn.billions(2_177_500_000_000) == "2.177,5 tỷ đồng"


def test_the_two_texts_the_intake_prints():
    """What intake/check.py's value quotes and tracking/intake.py's numbers print, reproduced
    exactly (the intake engine calls these): ``found`` has no thousands dots; ``fixed(v, 2, trim=True)``."""
    assert [vn.found(v) for v in (1234.5, 0.00004, 12.0, None, "12 ", 3)] == ["1234,5", "0", "12", "", "12 ", "3"]
    assert [vn.fixed(v, 2, trim=True) for v in (1234.5, 0.125, 100.0, 1e6)] == ["1.234,5", "0,12", "100", "1.000.000"]
