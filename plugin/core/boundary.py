"""The request boundary: a request commits its work once, or none of it.

Services check everything before they change anything and never commit; the boundary
(:func:`commit_on_success`) commits a request that succeeded and rolls back one that was refused,
whatever it answers. The rule, its deliberate exceptions and how it keeps audited reads and
refused requests apart are below.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import SAFE_METHODS, _host_session, session

# -- The request boundary: one commit, or nothing ----------------------------------------------
#
# How a request ends. Services check everything before they change anything, then change, flush,
# audit and signal; they never commit. The boundary (:func:`commit_on_success`, an
# ``after_request`` hook of every CareBridge blueprint and of the portal's) then commits the
# request's work once, or none of it:
#
# - An exception the view does not handle ends the request with a 500, and Flask-SQLAlchemy's
#   teardown discards the session: nothing is stored.
# - An answer of 400 or more (``abort``, an API error) is rolled back.
# - A *refused* request is rolled back whatever it answers, a 200 page or a redirect. A request is
#   refused when a service refused it (every :class:`~plugin.core.errors.CareBridgeError` made
#   during a request that may write notes itself, :func:`note_refusal`, whether or not a view
#   catches it) or when a view shows a submitted form again (:func:`plugin.core.forms.render_form`
#   and ``render_refused``, which answer 422). A refused form that is shown again with a 200
#   becomes a 422 here, so browsers, proxies and tests see the refusal too.
#
# So a form refused for a duplicate ID number stores nothing: not the half-made worker a service
# flushed before it found the clash, not an audit row, not a notification (the outbox rows go
# with the transaction). Only a refusal that is a record in its own right is kept, and only
# because the view commits it on purpose before answering (:func:`commit_refusal_record`: a
# failed sign-in's count and audit row, which must survive the refusal they record).
#
# A request that accepts and refuses parts of itself (the HR API's batches: each record stored or
# rejected on its own) runs each part in :func:`refusable_part`: a refused part is rolled back to
# its savepoint and its refusal stays with it, so the request commits the accepted parts.
#
# Reads are audited (every view of a child's record), and a refused request leaves the audit log
# untouched: both hold because a refused form about a record is shown again on a page that does
# not read the record (e.g. a refused ID-number reveal shows the child's name, the masked number
# and the form, not the child's record), so there is no read to audit. A GET, HEAD or OPTIONS
# request is never refused: it changes nothing but the audit rows of what it showed, and those
# must be kept even when the page also shows an error.

#: Where the current request's refusals are noted: its WSGI environ, one per request (``g``
#: belongs to the app context, which requests made inside one test share).
_REFUSALS_KEY = "carebridge.refusals"


def _noted_refusals(create: bool = False) -> list | None:
    if not has_request_context() or request.method in SAFE_METHODS:
        return None
    if create:
        return request.environ.setdefault(_REFUSALS_KEY, [])
    return request.environ.get(_REFUSALS_KEY)


def note_refusal(refusal: object) -> None:
    """Mark the current request refused: :func:`commit_on_success` will store none of it.

    Called by every :class:`~plugin.core.errors.CareBridgeError` when it is made, and by the
    form helpers of :mod:`plugin.core.forms`; ``refusal`` is the error (or a short reason) and is
    kept for debugging. Outside a request, and in requests that only read (GET, HEAD, OPTIONS),
    it does nothing.
    """
    refusals = _noted_refusals(create=True)
    if refusals is not None:
        refusals.append(refusal)


def request_refused() -> bool:
    """Whether something refused the current request (see :func:`note_refusal`)."""
    return bool(_noted_refusals())


@contextmanager
def refusable_part():
    """A part of a request that is accepted or refused on its own, such as one record of a batch.

    The part runs in a savepoint. If it raises, or a refusal is noted inside it, its writes are
    rolled back to the savepoint (a refused record stores nothing of itself) and its refusals are
    forgotten: they refuse the part, not the request, which goes on to commit the parts that were
    accepted. The exception is raised again for the caller to report::

        try:
            with refusable_part():
                save(record)
        except CareBridgeError as error:
            rejected.append(error)
    """
    refusals = _noted_refusals(create=True)
    mark = len(refusals) if refusals is not None else 0
    savepoint = session.begin_nested()
    try:
        yield
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    else:
        if refusals is not None and len(refusals) > mark:
            savepoint.rollback()
        else:
            savepoint.commit()
    finally:
        if refusals is not None:
            del refusals[mark:]


#: ``Session.info`` key of the callbacks to run once the session's transaction has committed.
_AFTER_COMMIT_KEY = "carebridge.after_commit"


def after_commit(callback) -> None:
    """Run ``callback()`` once the current transaction has committed; never if it, or the
    savepoint it was registered in, rolls back.

    For what leaves the system and cannot be taken back, and must not wait for the outbox job
    (a sign-in code a worker is waiting for on the phone): a refused or failed request then sends
    nothing. The callback runs after the database has committed, outside the transaction; an
    exception in it is logged and does not undo the commit.
    """
    current_session = session()  # the scoped session's session of this context
    current = current_session.get_nested_transaction() or current_session.get_transaction()
    current_session.info.setdefault(_AFTER_COMMIT_KEY, []).append((current, callback))


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _run_after_commit(committed: Session) -> None:
    for _transaction, callback in committed.info.pop(_AFTER_COMMIT_KEY, []):
        try:
            callback()
        except Exception:  # the commit stands; the person can ask again
            logging.getLogger(__name__).exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_commit(rolled_back: Session, previous_transaction) -> None:
    """Forget the callbacks of the work that was just rolled back (a savepoint, or all of it)."""
    pending = rolled_back.info.get(_AFTER_COMMIT_KEY)
    if pending:
        pending[:] = [(transaction, callback) for transaction, callback in pending
                      if not _within(transaction, previous_transaction)]


def commit_refusal_record() -> None:
    """Commit now what a refusal recorded on purpose, before the boundary rolls the rest back.

    Only for refusals that are records in their own right: a failed sign-in (staff or worker)
    counts the attempt and writes its audit row, and both must survive the refusal they record.
    The request stays refused (it answers 422, and anything written after this is rolled back).
    """
    session.commit()


def commit_on_success(response):
    """``after_request`` hook: commit the request's work once, or none of it (see above).

    Commits when the view answered below 400 and nothing refused the request; rolls back
    otherwise. A refused request that answers 200 (a form shown again) answers 422. Registered on
    every CareBridge blueprint (and the portal's), so a request commits exactly once. A view that
    committed already (the check-in does, before rendering) leaves no transaction, and none is
    begun just to end it.
    """
    refused = request_refused()
    if refused and response.status_code == 200:
        response.status_code = 422
    if not _host_session()().in_transaction():  # scoped_session does not proxy in_transaction
        return response
    if response.status_code < 400 and not refused:
        session.commit()
    else:
        session.rollback()
    return response
