"""Reads for roster imports: jobs, their stored files, saved column mappings, importing units."""
from __future__ import annotations

from sqlalchemy import false, or_, select

from ..access.checks import scope_paths
from ..core import task_files
from ..core.db import session
from ..core.task_files import StoredFile
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, sorted_tree, units_in_subtrees
from .kinds import import_kinds
from .models import ROSTER_IMPORT, ColumnMapping, FileRole, ImportJob, ImportKind

RECENT_JOBS = 20


def get_job(job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def job_of_task(task_id: int) -> ImportJob:
    return session.execute(select(ImportJob).where(ImportJob.task_id == task_id)).scalar_one()


def _paths_by_permission(user_key: str) -> dict[str, tuple[list[str], list[str]]]:
    """Import permission → (the kinds it imports, the subtrees where the user holds it)."""
    kinds: dict[str, list[str]] = {}
    for spec in import_kinds().values():
        kinds.setdefault(spec.permission, []).append(spec.code)
    return {permission: (codes, scope_paths(user_key, permission))
            for permission, codes in kinds.items()}


def recent_jobs(user_key: str, limit: int = RECENT_JOBS) -> list[ImportJob]:
    """The latest jobs of each kind on units where the user may import that kind."""
    visible = [ImportJob.kind.in_(codes) & in_subtrees(OrgUnit.path, paths)
               for codes, paths in _paths_by_permission(user_key).values() if paths]
    return list(session.execute(
        select(ImportJob).join(OrgUnit, ImportJob.org_unit_id == OrgUnit.id)
        .where(or_(false(), *visible))
        .order_by(ImportJob.id.desc()).limit(limit)).scalars())


def importable_kinds(user_key: str) -> list[str]:
    """Codes of the kinds the user may import somewhere."""
    return [code for codes, paths in _paths_by_permission(user_key).values() if paths
            for code in codes]


def importing_units(user_key: str) -> list[OrgUnit]:
    """Units a user may import something into (teams are leaves: rosters name the teams
    themselves); which kind into which unit is checked on upload."""
    paths = [path for _codes, paths in _paths_by_permission(user_key).values() for path in paths]
    units = units_in_subtrees(paths)
    return sorted_tree([unit for unit in units if unit.kind != OrgKind.TEAM])


def get_mapping(source: str | None, kind: ImportKind | str) -> ColumnMapping | None:
    if not source:
        return None
    return session.execute(select(ColumnMapping).where(
        ColumnMapping.source == source, ColumnMapping.kind == getattr(kind, "value", kind))
    ).scalar_one_or_none()


def saved_columns(source: str | None, kind: ImportKind | str) -> dict[str, str]:
    """Normalised header → field code saved for this source ({} when there is none)."""
    mapping = get_mapping(source, kind)
    return dict(mapping.columns) if mapping is not None else {}


def _task_id(job_id: int) -> int | None:
    return session.execute(select(ImportJob.task_id).where(ImportJob.id == job_id)).scalar()


def stored_file(job_id: int, role: FileRole) -> StoredFile | None:
    """The job's uploaded roster or error file, if it is stored."""
    task_id = _task_id(job_id)
    return task_files.stored_file(ROSTER_IMPORT, task_id, role.value) if task_id else None


def has_file(job_id: int, role: FileRole) -> bool:
    task_id = _task_id(job_id)
    return task_id is not None and task_files.has_file(task_id, role.value)


def unit_by_reference(reference: str | None) -> list[OrgUnit]:
    """Units a command-line ``--unit`` may mean: an id, else every unit with that exact name."""
    if reference is None:
        return []
    reference = reference.strip()
    if reference.isdigit():
        unit = session.get(OrgUnit, int(reference))
        if unit is not None:
            return [unit]
    return list(session.execute(select(OrgUnit).where(OrgUnit.name == reference)
                                .order_by(OrgUnit.path)).scalars())
