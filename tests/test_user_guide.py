"""The user guide (docs/guide/) shows pictures the browser tests take, and nothing stale."""
from __future__ import annotations

import re
from pathlib import Path

from .browser.test_demo import GUIDE_SHOTS

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"


def _shot_names() -> set[str]:
    return {f"{user}-{re.sub(r'[^a-z0-9]+', '-', path.strip('/').lower()) or 'home'}.png"
            for user, paths in GUIDE_SHOTS.items() for path in paths}


def test_every_picture_the_guide_shows_is_taken_by_the_browser_tests():
    shown = set(re.findall(r"\(img/([^)]+\.png)\)", (GUIDE / "README.md").read_text("utf-8")))
    assert shown <= _shot_names(), shown - _shot_names()
    assert all((GUIDE / "img" / name).is_file() for name in shown)


def test_no_picture_is_left_over():
    assert {path.name for path in (GUIDE / "img").glob("*.png")} <= _shot_names()
