"""The codes attendance reads: the venue's rotating code, workers' badge codes, and the signed
"first seen" mark that lets a worker finish signing in on a new phone.

Pure functions of their inputs (keys and times are passed in), so slot boundaries can be tested
with any clock.

- Venue code ``<session_id>.<slot>.<mac>``: ``slot = floor(unix_time / 30)`` and ``mac`` is the
  first 10 base64url characters (60 bits) of HMAC-SHA256 over ``"<session_id>:<slot>"`` with the
  session's own random key. It is accepted in its slot and the next one (so it lives 30 to 60
  seconds); one slot ahead is tolerated for clock differences between app servers.
- First-seen mark ``<unix time>.<browser tag>.<mac>`` (:func:`seen_mark`): see
  :func:`plugin.attendance.services.first_seen` for what it proves and how a copy is recognised.
- Badge code ``B.<worker_id>.<mac>``: HMAC-SHA256 over ``"badge:<worker_id>"`` with a key derived
  from the app's secret key (12 characters, 72 bits). It carries the worker's id, never the ID
  number. Changing the secret key invalidates printed badges.
"""
from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SLOT_SECONDS = 30
VENUE_MAC_LENGTH = 10
BADGE_MAC_LENGTH = 12
BADGE_PREFIX = "B"
#: Path segment of the worker check-in URL, ``/c/<code>``.
CHECK_IN_PATH = "/c/"

_VENUE_PATTERN = re.compile(r"^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{%d})$" % VENUE_MAC_LENGTH)
_BADGE_PATTERN = re.compile(r"^B\.(\d{1,12})\.([A-Za-z0-9_-]{%d})$" % BADGE_MAC_LENGTH)


class CodeProblem(str, enum.Enum):
    """Why a code is refused (the values double as attempt reasons)."""

    #: Right shape, wrong signature: made up, or for another session's key.
    FORGED = "forged"
    #: Signed, but its slot is over: a photo or a forwarded link.
    EXPIRED = "expired"
    #: Damaged or edited: not our shape, or a slot further ahead than any clock can be.
    TAMPERED = "tampered"


def _mac(key: bytes, message: str, length: int) -> str:
    digest = hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:length]


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A key for one purpose, derived from the app's secret key."""
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, f"carebridge.attendance.{purpose}".encode("ascii"),
                    hashlib.sha256).digest()


# --- the venue's rotating code -------------------------------------------------------------

@dataclass(frozen=True)
class VenueCode:
    session_id: int
    slot: int
    mac: str

    def __str__(self) -> str:
        return f"{self.session_id}.{self.slot}.{self.mac}"


def slot_at(moment: datetime) -> int:
    return int(moment.timestamp() // SLOT_SECONDS)


def slot_ends_at(slot: int) -> datetime:
    return datetime.fromtimestamp((slot + 1) * SLOT_SECONDS, tz=UTC)


def venue_code(session_id: int, code_key: str, at: datetime) -> VenueCode:
    slot = slot_at(at)
    return VenueCode(session_id, slot, _mac(code_key.encode("utf-8"), f"{session_id}:{slot}",
                                            VENUE_MAC_LENGTH))


def parse_venue_code(text: str) -> VenueCode | None:
    """The code in ``text`` (the bare code or a whole check-in URL), or None if it has not
    the shape."""
    text = (text or "").strip()
    if CHECK_IN_PATH in text:
        text = text.rsplit(CHECK_IN_PATH, 1)[1].split("?", 1)[0].split("#", 1)[0]
    match = _VENUE_PATTERN.match(text)
    if match is None:
        return None
    return VenueCode(int(match.group(1)), int(match.group(2)), match.group(3))


def venue_code_problem(code: VenueCode, code_key: str, at: datetime) -> CodeProblem | None:
    """None when ``code`` is valid at ``at`` for the session whose key is ``code_key``."""
    expected = _mac(code_key.encode("utf-8"), f"{code.session_id}:{code.slot}", VENUE_MAC_LENGTH)
    if not hmac.compare_digest(expected, code.mac):
        return CodeProblem.FORGED
    current = slot_at(at)
    if code.slot > current + 1:
        return CodeProblem.TAMPERED
    if code.slot < current - 1:
        return CodeProblem.EXPIRED
    return None


# --- badge codes ---------------------------------------------------------------------------

def badge_code(worker_id: int, key: bytes) -> str:
    return f"{BADGE_PREFIX}.{worker_id}.{_mac(key, f'badge:{worker_id}', BADGE_MAC_LENGTH)}"


def looks_like_badge(text: str) -> bool:
    return (text or "").strip().startswith(BADGE_PREFIX + ".")


def badge_worker_id(text: str, key: bytes) -> tuple[int | None, CodeProblem | None]:
    """(worker id, None) for a genuine badge code, else (None, the problem)."""
    match = _BADGE_PATTERN.match((text or "").strip())
    if match is None:
        return None, CodeProblem.TAMPERED
    worker_id = int(match.group(1))
    if not hmac.compare_digest(_mac(key, f"badge:{worker_id}", BADGE_MAC_LENGTH), match.group(2)):
        return None, CodeProblem.FORGED
    return worker_id, None


# --- "first seen" mark for the sign-in detour ----------------------------------------------

#: Characters of the browser's tag in a first-seen mark (48 bits of an HMAC of its user agent).
AGENT_TAG_LENGTH = 8


@dataclass(frozen=True)
class SeenMark:
    """A genuine first-seen mark: when the code was opened, and whether by this browser."""

    at: datetime
    #: False when the mark names another browser (its user agent differs): a copied cookie.
    same_phone: bool = True


def _agent_tag(key: bytes, user_agent: str | None) -> str:
    return _mac(key, "agent:" + (user_agent or ""), AGENT_TAG_LENGTH)


def seen_mark(code: str, at: datetime, key: bytes, *, user_agent: str | None) -> str:
    """Signed ``<unix time>.<browser tag>.<mac>`` saying this browser opened ``code`` at ``at``.

    The browser tag is an HMAC of its user agent (the agent itself is not stored in the cookie).
    """
    stamp = int(at.timestamp())
    agent = _agent_tag(key, user_agent)
    return f"{stamp}.{agent}.{_mac(key, f'seen:{code}:{stamp}:{agent}', 16)}"


def read_seen_mark(mark: str | None, code: str, key: bytes, now: datetime, max_age: timedelta, *,
                   user_agent: str | None) -> SeenMark | None:
    """When ``code`` was first opened, if ``mark`` is genuine for it and at most ``max_age`` old;
    ``same_phone`` says whether the browser presenting it (``user_agent``) made it."""
    parts = (mark or "").split(".")
    if len(parts) != 3:
        return None
    stamp, agent, mac = parts
    if (not stamp.isdigit()
            or not hmac.compare_digest(_mac(key, f"seen:{code}:{stamp}:{agent}", 16), mac)):
        return None
    seen = datetime.fromtimestamp(int(stamp), tz=UTC)
    if seen > now + timedelta(seconds=5) or now - seen > max_age:
        return None
    return SeenMark(seen, same_phone=hmac.compare_digest(agent, _agent_tag(key, user_agent)))
