"""Amounts typed or read in yuan become integer fen, never rounded; fen shows as yuan."""
from decimal import Decimal

import pytest

from plugin.core.money import (
    NOT_AN_AMOUNT,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    AmountInvalid,
    format_yuan,
    parse_yuan,
)


@pytest.mark.parametrize(("typed", "fen"), [
    ("350", 35_000), ("350.5", 35_050), ("¥350.50", 35_050), ("350元", 35_000),
    ("１,２８０.５", 128_050), (356.5, 35_650), (Decimal("0.01"), 1), (0, 0), ("", None),
    (None, None), ("  ", None)])
def test_amounts_in_yuan_become_integer_fen(typed, fen):
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(("typed", "message"), [
    ("12.345", TOO_MANY_DECIMALS), (12.345, TOO_MANY_DECIMALS), ("0.005", TOO_MANY_DECIMALS),
    ("-5", NOT_AN_AMOUNT), (-5, NOT_AN_AMOUNT), ("abc", NOT_AN_AMOUNT), (True, NOT_AN_AMOUNT),
    ("1e3", NOT_AN_AMOUNT)])
def test_what_is_not_an_amount_in_fen_is_refused_never_rounded(app_context, typed, message):
    with pytest.raises(AmountInvalid) as refused:
        parse_yuan(typed)
    assert refused.value.message == message


def test_a_limit_names_itself(app_context):
    with pytest.raises(AmountInvalid) as refused:
        parse_yuan("100.01", max_fen=10_000)
    assert refused.value.message == TOO_LARGE and refused.value.params == {"max": "100.00"}


def test_fen_show_as_yuan():
    assert format_yuan(123_450) == "1234.50" and format_yuan(5) == "0.05"
    assert format_yuan(123_456_789, grouping=True) == "1,234,567.89"
    assert format_yuan(-250) == "-2.50" and format_yuan(None, empty="—") == "—"
