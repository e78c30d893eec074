"""The venue's rotating code, badge codes and the first-seen mark: pure functions, any clock."""
from datetime import UTC, datetime, timedelta

import pytest

from plugin.attendance.codes import (
    CodeProblem,
    SeenMark,
    badge_code,
    badge_worker_id,
    derive_key,
    parse_venue_code,
    read_seen_mark,
    seen_mark,
    slot_at,
    slot_ends_at,
    venue_code,
    venue_code_problem,
)

KEY = "5f" * 32
#: Exactly the start of a 30-second slot.
BOUNDARY = datetime.fromtimestamp(59_012_345 * 30, tz=UTC)


def test_slots_are_thirty_seconds_long_and_change_on_the_boundary():
    assert slot_at(BOUNDARY) == 59_012_345
    assert slot_at(BOUNDARY - timedelta(microseconds=1)) == 59_012_344
    assert slot_at(BOUNDARY + timedelta(seconds=29.999)) == 59_012_345
    assert slot_ends_at(59_012_345) == BOUNDARY + timedelta(seconds=30)


def test_the_code_changes_every_slot_and_is_short():
    first = venue_code(7, KEY, BOUNDARY)
    assert venue_code(7, KEY, BOUNDARY + timedelta(seconds=29)) == first
    second = venue_code(7, KEY, BOUNDARY + timedelta(seconds=30))
    assert second.slot == first.slot + 1 and second.mac != first.mac
    assert len(str(first)) <= 24 and len(first.mac) == 10


@pytest.mark.parametrize("seconds_later, problem", [
    (0, None),
    (29.9, None),                       # same slot
    (30, None),                         # the previous slot is still accepted
    (59.9, None),
    (60, CodeProblem.EXPIRED),          # two slots later: a photo sent to a chat group
    (3600, CodeProblem.EXPIRED),
    (-30, None),                        # one slot ahead: another app server's clock
    (-60, CodeProblem.TAMPERED),        # further ahead than any clock: made by editing the slot
])
def test_a_code_is_accepted_in_its_slot_and_the_next(seconds_later, problem):
    code = venue_code(7, KEY, BOUNDARY)
    assert venue_code_problem(code, KEY, BOUNDARY + timedelta(seconds=seconds_later)) == problem


def test_codes_of_another_session_or_key_and_edited_codes_are_forged():
    code = venue_code(7, KEY, BOUNDARY)
    assert venue_code_problem(code, "00" * 32, BOUNDARY) == CodeProblem.FORGED
    moved = parse_venue_code(f"8.{code.slot}.{code.mac}")
    assert venue_code_problem(moved, KEY, BOUNDARY) == CodeProblem.FORGED
    later = parse_venue_code(f"7.{code.slot + 1}.{code.mac}")
    assert venue_code_problem(later, KEY, BOUNDARY) == CodeProblem.FORGED


@pytest.mark.parametrize("text", ["https://portal.example.com/c/{code}", "/care/c/{code}?x=1", "{code}",
                                  " {code}\n"])
def test_the_code_is_read_from_the_url_or_alone(text):
    code = venue_code(7, KEY, BOUNDARY)
    assert parse_venue_code(text.format(code=code)) == code


@pytest.mark.parametrize("text", ["", "7.1.short", "x.1.abcdefghij", "7.1.abcdefghij.more",
                                  "7.1.abc/efghij", "B.12.abcdefghijkl"])
def test_text_of_another_shape_is_no_venue_code(text):
    assert parse_venue_code(text) is None


def test_badge_codes_carry_the_worker_id_and_a_signature():
    key = derive_key("secret", "badge")
    code = badge_code(42, key)
    assert code.startswith("B.42.") and len(code) <= 20
    assert badge_worker_id(code, key) == (42, None)
    assert badge_worker_id(code.replace("B.42.", "B.43."), key) == (None, CodeProblem.FORGED)
    assert badge_worker_id(code, derive_key("another secret", "badge")) == (None, CodeProblem.FORGED)
    assert badge_worker_id("B.42", key) == (None, CodeProblem.TAMPERED)


def test_keys_differ_per_purpose():
    assert derive_key("secret", "badge") != derive_key("secret", "seen")


def test_the_first_seen_mark_is_signed_bound_to_the_code_and_short_lived():
    key = derive_key("secret", "seen")
    mark = seen_mark("7.1.abcdefghij", BOUNDARY, key, user_agent="Phone A")
    grace = timedelta(minutes=5)

    def read(text, code="7.1.abcdefghij", now=BOUNDARY, agent="Phone A"):
        return read_seen_mark(text, code, key, now, grace, user_agent=agent)

    assert read(mark, now=BOUNDARY + timedelta(minutes=4)) == SeenMark(BOUNDARY, same_phone=True)
    assert read(mark, now=BOUNDARY + timedelta(minutes=6)) is None
    assert read(mark, code="7.2.abcdefghij") is None
    stamp, agent, mac = mark.split(".")
    assert read(f"{int(stamp) - 100}.{agent}.{mac}") is None
    assert read(f"{stamp}.{mac}") is None  # the old, unbound shape
    assert read(None) is None


def test_the_first_seen_mark_tells_another_browser_from_the_one_that_made_it():
    key = derive_key("secret", "seen")
    mark = seen_mark("7.1.abcdefghij", BOUNDARY, key, user_agent="Phone A")
    assert "Phone" not in mark
    copied = read_seen_mark(mark, "7.1.abcdefghij", key, BOUNDARY, timedelta(minutes=5), user_agent="Phone B")
    assert copied == SeenMark(BOUNDARY, same_phone=False)
    stamp, _agent, mac = mark.split(".")
    other_tag = seen_mark("7.1.abcdefghij", BOUNDARY, key, user_agent="Phone B").split(".")[1]
    # Re-labelled for the other browser: the signature no longer matches, so it is no mark at all.
    assert read_seen_mark(f"{stamp}.{other_tag}.{mac}", "7.1.abcdefghij", key, BOUNDARY, timedelta(minutes=5),
                          user_agent="Phone B") is None
