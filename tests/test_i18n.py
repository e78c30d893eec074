"""The English catalogs are complete, well-formed, compiled, and actually used by the portal.

The source text is Simplified Chinese; English comes from ``plugin/translations`` and
``employer_portal/translations``. After adding or changing user-facing text run
``make extract-messages``, translate the new entries in the ``en`` catalogs, then
``make translations``.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask import has_app_context
from flask_babel import refresh

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("plugin", "employer_portal")
LOCALE = "en"
HOW_TO_FIX = ("run `make extract-messages`, translate the new entries in {po}, "
              "then `make translations`")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*[0-9]*(?:\.[0-9]+)?[diouxXeEfFgGcrsa]")
#: Exception classes whose first positional argument is a msgid; ``make extract-messages``
#: must pass them as keywords or their messages never reach the catalogs.
EXCEPTION_KEYWORDS = {"ValidationError", "CareBridgeError", "SignInRefused", "NotFound"}


def po_path(package: str) -> Path:
    return ROOT / package / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def load_catalog(package: str):
    path = po_path(package)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing; {HOW_TO_FIX.format(po=path.name)}"
    with path.open("rb") as f:
        return read_po(f, locale=LOCALE)


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def makefile_keywords() -> dict:
    """The ``-k`` keywords ``make extract-messages`` passes to ``pybabel extract`` (plus Babel's
    defaults, which pybabel always adds), so this test extracts exactly what make does."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [line for line in makefile.splitlines() if "pybabel extract" in line]
    assert len(lines) == len(PACKAGES), "expected one `pybabel extract` line per package in the Makefile"
    keywords = dict(DEFAULT_KEYWORDS)
    for line in lines:
        names = set(re.findall(r"(?:-k|--keyword(?:s)?[= ])\s*(\S+)", line))
        missing = EXCEPTION_KEYWORDS - names
        assert not missing, f"`pybabel extract` in the Makefile lacks -k {' -k '.join(sorted(missing))}"
        for name in names:
            keywords.setdefault(name, None)
    return keywords


def babel_mapping():
    from babel.messages import frontend

    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        return parse(f)


def extracted_messages(package: str) -> dict[str, list[str]]:
    """msgid -> locations, extracted from the package's sources the way ``pybabel extract`` does."""
    method_map, options_map = babel_mapping()
    found: dict[str, list[str]] = {}
    for source in SOURCES[package]:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(ROOT / source), method_map, options_map, keywords=makefile_keywords()):
            msgid = message[0] if isinstance(message, (tuple, list)) else message
            found.setdefault(msgid, []).append(f"{source}/{filename}:{lineno}")
    return found


#: Source folders whose strings each catalog holds (integrations/ shares the plugin's catalog),
#: as in the Makefile's ``pybabel extract`` lines.
SOURCES = {"plugin": ("plugin", "integrations"), "employer_portal": ("employer_portal",)}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_entry_is_translated(package):
    catalog = load_catalog(package)
    assert catalog.locale is not None and str(catalog.locale) == LOCALE
    assert catalog.num_plurals == 2, "the English catalog needs Plural-Forms: nplurals=2; plural=(n != 1);"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if message.pluralizable else [message.id]
        strings = list(message.string) if message.pluralizable else [message.string]
        label = repr(ids[0])
        if message.fuzzy:
            problems.append(f"{label}: marked fuzzy")
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(f"{label}: has {len(strings)} plural forms, expected {catalog.num_plurals}")
        for index, string in enumerate(strings):
            if not (string or "").strip():
                problems.append(f"{label}: form {index} is not translated")
                continue
            source = ids[0] if index == 0 else ids[-1]
            if placeholders(source) != placeholders(string):
                problems.append(f"{label}: placeholders {sorted(placeholders(source))} in the msgid "
                                f"but {sorted(placeholders(string))} in {string!r}")
    assert not problems, (f"{po_path(package).relative_to(ROOT)}:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("package", PACKAGES)
def test_every_source_string_is_in_the_catalog(package):
    catalog = load_catalog(package)
    known = {message.id[0] if message.pluralizable else message.id for message in catalog if message.id}
    missing = {msgid: where for msgid, where in extracted_messages(package).items() if msgid not in known}
    assert not missing, (
        f"{len(missing)} string(s) are not in {po_path(package).relative_to(ROOT)}; "
        + HOW_TO_FIX.format(po=po_path(package).relative_to(ROOT)) + ":\n  "
        + "\n  ".join(f"{msgid!r}  ({', '.join(where)})" for msgid, where in sorted(missing.items())))


def test_shared_entries_agree():
    """Flask-Babel merges both catalogs (the plugin's wins), so a msgid both packages use must
    read the same in each, or the portal would silently show the plugin's wording."""
    plugin, portal = (load_catalog(package) for package in PACKAGES)
    differing = [f"{message.id!r}: plugin {message.string!r}, portal {portal[message.id].string!r}"
                 for message in plugin
                 if message.id and portal.get(message.id) is not None
                 and portal[message.id].string != message.string]
    assert not differing, "translate shared entries identically in both catalogs:\n  " + "\n  ".join(differing)


def assert_compiled(package: str) -> None:
    po = po_path(package)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run `make translations`"
    up_to_date = mo.stat().st_mtime >= po.stat().st_mtime
    assert up_to_date, f"{mo.relative_to(ROOT)} is older than {po.name}: run `make translations`"


@pytest.mark.parametrize("package", PACKAGES)
def test_catalogs_are_compiled(package):
    assert_compiled(package)


def forget_cached_locale() -> None:
    """Flask-Babel caches the locale on ``g``. The ``db`` fixture keeps one app context open for
    the whole test and the test client's requests reuse it, so without this every request after
    the first would keep the first request's language (a real browser's requests never share one)."""
    if has_app_context():
        refresh()


def test_language_switch(client):
    for package in PACKAGES:
        assert_compiled(package)

    page = client.get("/setup")
    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.text
    assert "首次设置" in page.text

    switched = client.get("/lang/en?next=/setup")
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/setup")
    forget_cached_locale()

    page = client.get("/setup")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "First-time setup" in page.text
    assert "Welcome to CareBridge" in page.text
    assert "首次设置" not in page.text
