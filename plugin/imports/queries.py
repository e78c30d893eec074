"""Reads for roster imports: jobs, their stored files, saved column mappings, importing units."""
from __future__ import annotations

from sqlalchemy import select

from ..access.checks import scope_paths
from ..core import task_files
from ..core.db import session
from ..core.task_files import StoredFile
from ..org.models import OrgKind, OrgUnit
from ..org.queries import in_subtrees, sorted_tree, units_in_subtrees
from .models import ROSTER_IMPORT, ColumnMapping, FileRole, ImportJob, ImportKind
from .permissions import ROSTERS_IMPORT

RECENT_JOBS = 20


def get_job(job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def job_of_task(task_id: int) -> ImportJob:
    return session.execute(select(ImportJob).where(ImportJob.task_id == task_id)).scalar_one()


def recent_jobs(user_key: str, limit: int = RECENT_JOBS) -> list[ImportJob]:
    """The latest jobs on units where the user may import."""
    paths = scope_paths(user_key, ROSTERS_IMPORT)
    return list(session.execute(
        select(ImportJob).join(OrgUnit, ImportJob.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, paths))
        .order_by(ImportJob.id.desc()).limit(limit)).scalars())


def importing_units(user_key: str) -> list[OrgUnit]:
    """Units a user may import into (teams are leaves: rosters name the teams themselves)."""
    units = units_in_subtrees(scope_paths(user_key, ROSTERS_IMPORT))
    return sorted_tree([unit for unit in units if unit.kind != OrgKind.TEAM])


def get_mapping(source: str | None, kind: ImportKind) -> ColumnMapping | None:
    if not source:
        return None
    return session.execute(select(ColumnMapping).where(
        ColumnMapping.source == source, ColumnMapping.kind == kind)).scalar_one_or_none()


def saved_columns(source: str | None, kind: ImportKind) -> dict[str, str]:
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
