"""Marking text for translation where it cannot be translated yet, and text stored now to be
translated when it is read (a notification's parameters: the reader's language, not the
sender's)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel.speaklater import LazyString


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction only. The text is stored (a notification, a job's message)
    and translated where it is shown, in the reader's language."""
    return msgid


def translatable(msgid: str, **params: Any) -> dict[str, Any]:
    """A text to store and translate when shown (:func:`translate`): ``msgid`` marked with
    :func:`N_` where it is written, its ``params`` plain values or translatable themselves."""
    return {"msgid": msgid, "params": params}


def translatable_label(label: Any) -> Any:
    """A label made with ``lazy_gettext`` (an enum's label), as :func:`translatable` text; any
    other value as it is."""
    if isinstance(label, LazyString):
        # flask_babel's LazyString keeps the msgid and its variables to translate them later.
        return translatable(label._args[0], **label._kwargs)
    return label


def translate(value: Any) -> Any:
    """``value`` for the current reader: :func:`translatable` text translated now (its
    parameters first), anything else as it is."""
    if isinstance(value, Mapping) and set(value) == {"msgid", "params"}:
        return gettext(value["msgid"], **translate_params(value["params"]))
    return value


def translate_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Stored parameters of a stored msgid, translated for the current reader."""
    return {name: translate(value) for name, value in (params or {}).items()}
