"""Protecting children's personal information (PIPL): encryption, masking, consent, read audit."""
from __future__ import annotations

from ..core.features import Feature

feature = Feature(
    name="privacy",
    package=__name__,
    commands=("cli:rotate_keys_command",),
)
