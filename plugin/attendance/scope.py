"""Whose names attendance may show to an officer (issue #13, finding 4).

An officer may name, and see named, the workers of the subtrees where they record attendance or
may see workers. A worker outside them is, to that officer, a worker who does not exist: naming
one (a badge, an employee number, a worker id in a form) is answered "not found" in the very words
used for a number nobody has, and lists show such a worker without name, number or unit
("范围外职工"). Badge and worker ids are sequential, so anything else would let an officer read
other sites' rosters one id at a time.

Which workers may *attend* a session is a separate rule (the workers of the session's unit
subtree, :func:`.services.check_in`); an officer may see more workers than a session admits, never
fewer: recording attendance on a session's unit covers its whole subtree.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..access.checks import scope_paths
from ..access.scope import Scope, is_system_actor
from ..core.host import Actor
from ..registry.models import Worker
from ..registry.permissions import WORKERS_VIEW
from .permissions import ATTENDANCE_RECORD


@dataclass(frozen=True)
class WorkerScope:
    """The subtrees (unit paths) whose workers one viewer may see named."""

    paths: tuple[str, ...]

    def covers(self, unit_path: str | None) -> bool:
        return unit_path is not None and any(unit_path.startswith(path) for path in self.paths)

    def sees(self, worker: Worker | None) -> bool:
        return worker is not None and self.covers(worker.org_unit.path)


def worker_scope(actor: Actor | None) -> WorkerScope:
    """Where ``actor`` records attendance or sees workers (grants are cached per request); code
    acting for the deployment (a system actor) sees the whole company."""
    if actor is None:
        return WorkerScope(())
    if is_system_actor(actor):
        return WorkerScope(("",))
    return WorkerScope(Scope.of_paths([*scope_paths(actor.key, ATTENDANCE_RECORD),
                                       *scope_paths(actor.key, WORKERS_VIEW)]).paths)
