"""Who sees a worker's phone number in full: the one rule every staff page and search follows.

A worker's phone number is contact data that only some roles need (HR officers and admins,
:data:`~plugin.access.roles.WORKERS_CONTACT_VIEW`, on the worker's unit). Everyone
else who sees the worker sees it masked (``138****5678``) and can find a worker by the whole
number only, never by a prefix (a prefix search would spell the hidden digits out one by one).

Pages call :func:`shown_phone` (templates: ``cb_worker_phone(worker)``), the worker list passes
:func:`full_phone_paths` to its search; the HR API returns :func:`mask_phone` always (the
masking rule itself is :func:`plugin.privacy.masking.mask_phone`).
"""
from __future__ import annotations

from flask import current_app, has_request_context

from ..access.checks import has_permission, scope_paths
from ..privacy.masking import mask_phone
from .models import Worker
from .permissions import WORKERS_CONTACT_VIEW

#: The permission that shows phone numbers in full.
CONTACT_PERMISSION = WORKERS_CONTACT_VIEW


def may_see_full_phone(actor_key: str | None, worker: Worker) -> bool:
    return has_permission(actor_key, CONTACT_PERMISSION, worker.org_unit)


def full_phone_paths(actor_key: str | None) -> list[str]:
    """The subtrees whose workers' phone numbers ``actor_key`` sees in full (and may search by
    prefix)."""
    return scope_paths(actor_key, CONTACT_PERMISSION) if actor_key else []


def shown_phone(actor_key: str | None, worker: Worker) -> str | None:
    """The worker's phone number as ``actor_key`` may see it: in full, or masked."""
    if not worker.phone:
        return None
    return worker.phone if may_see_full_phone(actor_key, worker) else mask_phone(worker.phone)


def shown_phone_for_current_user(worker: Worker) -> str | None:
    """Template helper ``cb_worker_phone(worker)``: :func:`shown_phone` for the signed-in user."""
    actor = (current_app.extensions["carebridge"].adapter.current_actor()
             if has_request_context() else None)
    return shown_phone(actor.key if actor else None, worker)
