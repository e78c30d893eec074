"""Money: stored and computed as integer fen (分), typed and shown in yuan (元).

:func:`parse_yuan` reads what people type or a spreadsheet holds (``350``, ``350.5``,
``¥350.50``, ``350元``, full-width digits, a number cell) and never rounds: an amount with more
than two decimals is refused, as is a negative one. :func:`format_yuan` shows fen as yuan with
two decimals. :class:`YuanField` is the form input for an amount.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import StringField

from .i18n import N_
from .text import fold_width

#: 10 million yuan: more than any one amount this product handles (a campaign's budget).
MAX_FEN = 1_000_000_000
NOT_AN_AMOUNT = N_("请填写金额（元），例如 350 或 350.50")
TOO_MANY_DECIMALS = N_("金额最多精确到分（小数点后两位）")
TOO_LARGE = N_("金额不能超过 %(max)s 元")

_AMOUNT = re.compile(r"\d{1,12}(\.\d+)?")


class AmountInvalid(ValueError):
    """``message`` is a msgid with ``params``; ``str()`` is the message as translated now (for
    WTForms, which shows a field's ``ValueError`` as its error)."""

    def __init__(self, message: str, **params):
        from flask_babel import gettext

        super().__init__(gettext(message, **params))
        self.message = message
        self.params = params


def parse_yuan(value: Any, *, max_fen: int = MAX_FEN) -> int | None:
    """The amount in integer fen; None when empty. :class:`AmountInvalid` otherwise."""
    if isinstance(value, bool):
        raise AmountInvalid(NOT_AN_AMOUNT)
    if value is None:
        return None
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise AmountInvalid(NOT_AN_AMOUNT) from None
        if not amount.is_finite() or amount < 0:
            raise AmountInvalid(NOT_AN_AMOUNT)
    else:
        text = fold_width(str(value)).strip().replace(",", "").replace("，", "")
        text = text.lstrip("¥￥").removesuffix("元").strip()
        if not text:
            return None
        if not _AMOUNT.fullmatch(text):
            raise AmountInvalid(NOT_AN_AMOUNT)
        amount = Decimal(text)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountInvalid(TOO_MANY_DECIMALS)
    fen = int(amount * 100)
    if fen > max_fen:
        raise AmountInvalid(TOO_LARGE, max=format_yuan(max_fen, grouping=True))
    return fen


def format_yuan(fen: int | None, *, grouping: bool = False, empty: str = "") -> str:
    """``123450`` → ``"1234.50"`` (``"1,234.50"`` with ``grouping``); ``empty`` for None."""
    if fen is None:
        return empty
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    whole = f"{fen // 100:,}" if grouping else str(fen // 100)
    return f"{sign}{whole}.{fen % 100:02d}"


class YuanField(StringField):
    """An amount typed in yuan; ``data`` is integer fen (None when empty)."""

    def __init__(self, label=None, validators=None, *, max_fen: int = MAX_FEN, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_fen = max_fen

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            self.data = parse_yuan(valuelist[0], max_fen=self.max_fen)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_yuan(self.data)


def register_filters(app) -> None:
    """``cb_yuan`` (fen → ``"1234.50"``) for every template of the app."""
    app.jinja_env.filters["cb_yuan"] = lambda fen: format_yuan(fen, grouping=True, empty="—")
