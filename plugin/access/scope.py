"""Scopes: the subtrees within which an actor finds and changes records.

Pages check a permission on the unit of the record they show (:func:`require_in_scope`). Paths
that name a record by something else — an employee number in a roster or a form, an ID number,
a parent's number, a child's id — look it up *within a scope* (:class:`Scope`): the same
subtree rule for the forms, the roster importer and the HR API. Outside its scope a record does
not exist for the actor: it is never returned, moved or overwritten, and no answer names it,
its people or its site.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort
from sqlalchemy import false, true

from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from .checks import has_permission, require, scope_paths
from .roles import Permission

T = TypeVar("T")

#: Key prefix of :meth:`Actor.system` actors: code acting for the deployment, company-wide.
SYSTEM_KEY_PREFIX = "system:"


def is_system_actor(actor: Actor) -> bool:
    return actor.key.startswith(SYSTEM_KEY_PREFIX)


def _folded(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths without those nested in another one, sorted."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """The units at these paths and everything below them (``whole_company``: every unit).

    An empty scope covers nothing.
    """

    paths: tuple[str, ...] = ()
    whole_company: bool = False

    @classmethod
    def company(cls) -> Scope:
        return cls(whole_company=True)

    @classmethod
    def of_paths(cls, paths: Iterable[str]) -> Scope:
        return cls(_folded(paths))

    @classmethod
    def of_unit(cls, unit: OrgUnit) -> Scope:
        """The subtree of ``unit`` (an import's unit, an API token's unit)."""
        return cls((unit.path,))

    @classmethod
    def of_actor(cls, actor: Actor, permission: Permission) -> Scope:
        """Where ``actor`` holds ``permission``; a system actor acts company-wide."""
        if is_system_actor(actor):
            return cls.company()
        return cls.of_paths(scope_paths(actor.key, permission))

    def __bool__(self) -> bool:
        return self.whole_company or bool(self.paths)

    def covers(self, unit: OrgUnit | None) -> bool:
        """Is ``unit`` in the scope?"""
        if unit is None:
            return False
        return self.whole_company or any(unit.path.startswith(path) for path in self.paths)

    def sees_worker(self, worker) -> bool:
        """Is ``worker`` (any record with an ``org_unit``) in the scope?"""
        return self.covers(worker.org_unit)

    def within(self, other: Scope) -> Scope:
        """The units in both scopes."""
        if self.whole_company:
            return other
        if other.whole_company:
            return self
        mine, theirs = self.paths, other.paths
        return Scope.of_paths([path for path in mine if any(path.startswith(t) for t in theirs)]
                              + [path for path in theirs if any(path.startswith(m) for m in mine)])

    def contains_unit_id(self, unit_id_column):
        """SQL condition: the unit ``unit_id_column`` points to is in the scope (usable in a
        ``WHERE`` clause or, labelled, as a selected column)."""
        if self.whole_company:
            return true()
        if not self.paths:
            return false()
        return unit_id_in_subtrees(unit_id_column, list(self.paths))


def require_in_scope(permission: Permission, unit: OrgUnit | None, *,
                     seen_with: Permission | None = None) -> Actor:
    """For a view acting on one record whose unit is ``unit`` (``None``: no such record).

    Anonymous visitors go to the login page and users without ``permission`` anywhere get 403,
    whatever record they name. A record that does not exist, or that lies outside the subtrees
    where the actor holds ``seen_with`` (by default ``permission``), answers 404: nothing tells
    it apart from a record that does not exist. A record the actor may see but not act on
    answers 403.
    """
    actor = require(permission)
    refusal = scope_refusal(actor, permission, unit, seen_with=seen_with)
    if refusal is not None:
        abort(refusal)
    return actor


def scope_refusal(actor: Actor, permission: Permission, unit: OrgUnit | None, *,
                  seen_with: Permission | None = None) -> int | None:
    """The status :func:`require_in_scope` answers for a signed-in ``actor`` (404 or 403), or
    None when the actor may act; for views that answer in another shape (JSON)."""
    if unit is None or not has_permission(actor.key, seen_with or permission, unit):
        return 404
    if not has_permission(actor.key, permission, unit):
        return 403
    return None


def load_in_scope(get: Callable[[int], T | None], record_id: int, permission: Permission, *,
                  unit: Callable[[T], OrgUnit] = lambda record: record.org_unit,
                  seen_with: Permission | None = None) -> tuple[T, Actor]:
    """``get(record_id)`` and the actor, for a view that names a record by its id in the URL:
    :func:`require_in_scope` on the record's ``unit`` (an id too large for the database names
    no record rather than failing)."""
    record = get(record_id) if valid_id(record_id) else None
    actor = require_in_scope(permission, unit(record) if record is not None else None,
                             seen_with=seen_with)
    return record, actor


def valid_id(value: int) -> bool:
    """Record ids are 32-bit integers; a larger number in a URL would make the driver raise."""
    return 0 < value < 2**31
