"""Sending notices to workers' phones, and reading them there.

:func:`send_notices` writes one notice per worker in one statement per chunk, ``INSERT … ON
CONFLICT (worker_id, dedupe_key) DO NOTHING RETURNING worker_id``: a worker who already has the
reminder (sent earlier today, or by a colleague pressing the same button at the same moment) is
counted as already sent, never notified twice. One audit entry per bulk action, with the counts.
Where an SMS integration is registered (a channel with ``send_text``, see
:class:`plugin.worker_access.services.TextMessageChannel`), each worker newly notified who has a
phone number also gets the notice as a text message, sent after the commit.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record_event
from ..core.boundary import after_commit
from ..core.clock import local_today, utcnow
from ..core.db import session
from ..core.host import Actor
from ..notifications.links import check_link, link_path, link_url
from ..registry.models import EmploymentStatus, Worker
from ..worker_access.services import text_channel
from .messages import NOTICE_TEXTS, notice_text
from .models import WorkerNotice

log = logging.getLogger(__name__)

_TABLE = WorkerNotice.__table__
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}
#: Workers per INSERT (well under SQLite's bound-parameter limit).
CHUNK = 200
#: Unread notices shown on the phone's home page.
SHOWN = 20


@dataclass(frozen=True)
class SendOutcome:
    sent: int
    already_sent: int


def default_dedupe_key(kind: str) -> str:
    """The same kind of reminder once a day (the company's day)."""
    return f"{kind}:{local_today().isoformat()}"


def send_notices(worker_ids: Iterable[int], kind: str, params: dict[str, Any] | None,
                 link: tuple[str, dict[str, Any]] | None, actor: Actor,
                 dedupe_key: str | None = None, *, per_worker_params: dict[int, dict] | None = None,
                 audit_details: dict[str, Any] | None = None,
                 org_unit_id: int | None = None) -> SendOutcome:
    """Put a notice of ``kind`` on each worker's phone; returns (sent, already_sent).

    The caller has checked that ``actor`` may reach each worker (only active workers are
    notified; others are left out of both counts). ``per_worker_params`` overrides ``params``
    for some workers (the next lecture differs per site). Audited once, with the counts.
    """
    if kind not in NOTICE_TEXTS:
        raise ValueError(f"unknown worker notice kind {kind!r}")
    endpoint, arguments = check_link(link)
    key = dedupe_key or default_dedupe_key(kind)
    ids = sorted(set(worker_ids))
    active = _active_workers(ids)
    now = utcnow()
    statement = (_DIALECTS[session.get_bind().dialect.name].insert(_TABLE)
                 .on_conflict_do_nothing(index_elements=[_TABLE.c.worker_id, _TABLE.c.dedupe_key])
                 .returning(_TABLE.c.worker_id))
    sent_ids: list[int] = []
    for start in range(0, len(active), CHUNK):
        rows = [{"worker_id": worker_id, "kind": kind,
                 "params": (per_worker_params or {}).get(worker_id, params),
                 "link_endpoint": endpoint, "link_args": arguments, "dedupe_key": key,
                 "sent_by": actor.key[:64], "created_at": now, "read_at": None}
                for worker_id in sorted(active)[start:start + CHUNK]]
        sent_ids += session.execute(statement, rows).scalars().all()
    outcome = SendOutcome(sent=len(sent_ids), already_sent=len(active) - len(sent_ids))
    record_event("worker_notice.sent", actor, target_type="worker_notice", target_id=kind,
                 org_unit_id=org_unit_id,
                 details={"kind": kind, "sent": outcome.sent,
                          "already_sent": outcome.already_sent,
                          **(audit_details or {})})
    _queue_texts(sent_ids, active, kind, params, per_worker_params, endpoint, arguments)
    return outcome


def _active_workers(ids: list[int]) -> dict[int, str | None]:
    """The active workers among ``ids``, each with their phone number (or None)."""
    found: dict[int, str | None] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(session.execute(
            select(Worker.id, Worker.phone).where(
                Worker.id.in_(ids[start:start + CHUNK]),
                Worker.employment_status == EmploymentStatus.ACTIVE)).all())
    return found


def _queue_texts(sent_ids, phones, kind, params, per_worker_params, endpoint, arguments) -> None:
    """A text message to each newly notified worker with a phone, after the commit, where an
    SMS channel is registered (in Chinese, the workers' language on site)."""
    channel = text_channel()
    if channel is None or not sent_ids:
        return
    url = link_url(endpoint, arguments) if endpoint else None
    messages = []
    with force_locale("zh_CN"):
        for worker_id in sent_ids:
            phone = phones.get(worker_id)
            if not phone:
                continue
            text = notice_text(kind, (per_worker_params or {}).get(worker_id, params))
            messages.append((phone, f"{text} {url}" if url else text))

    def send_all() -> None:
        for phone, text in messages:
            try:
                channel.send_text(phone, text)
            except Exception:  # one failed number does not stop the others
                log.exception("worker notice text to a phone failed")

    after_commit(send_all)


# --- the worker's phone ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ShownNotice:
    id: int
    text: str
    created_at: Any
    has_link: bool


def unread_notices(worker_id: int, limit: int = SHOWN) -> list[ShownNotice]:
    notices = session.execute(
        select(WorkerNotice).where(WorkerNotice.worker_id == worker_id,
                                   WorkerNotice.read_at.is_(None))
        .order_by(WorkerNotice.created_at.desc(), WorkerNotice.id.desc()).limit(limit)).scalars()
    return [ShownNotice(notice.id, notice_text(notice.kind, notice.params), notice.created_at,
                        bool(notice.link_endpoint)) for notice in notices]


def unread_count(worker_id: int) -> int:
    return session.execute(select(func.count()).select_from(WorkerNotice).where(
        WorkerNotice.worker_id == worker_id, WorkerNotice.read_at.is_(None))).scalar_one()


def open_notice(worker_id: int, notice_id: int) -> str | None:
    """Mark the worker's own notice read; the path it points to (None: no link, or no such
    notice of this worker: the caller answers 404 for the latter, see :func:`own_notice`)."""
    notice = own_notice(worker_id, notice_id)
    if notice is None:
        return None
    if notice.read_at is None:
        session.execute(update(WorkerNotice).where(WorkerNotice.id == notice.id,
                                                   WorkerNotice.read_at.is_(None))
                        .values(read_at=utcnow()))
    return link_path(notice.link_endpoint, notice.link_args) if notice.link_endpoint else None


def own_notice(worker_id: int, notice_id: int) -> WorkerNotice | None:
    return session.execute(select(WorkerNotice).where(
        WorkerNotice.id == notice_id, WorkerNotice.worker_id == worker_id)).scalar_one_or_none()
