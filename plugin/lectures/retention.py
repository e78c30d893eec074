"""Lectures' retention rule (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A lecturer taken off the team keeps their name, kind and affiliation (the sessions they gave name
them); their phone goes once their last session (or their being added, when they gave none) is
the rule's months old. Active lecturers keep theirs.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..privacy.purge import anonymise, end_of_local_day, months_before
from .models import Lecturer, LectureSession, lecture_session_lecturer


def purge_lecturer_phones(today: date, months: int, *, dry_run: bool) -> int:
    last_session = (select(func.max(LectureSession.starts_at))
                    .join(lecture_session_lecturer,
                          lecture_session_lecturer.c.session_id == LectureSession.id)
                    .where(lecture_session_lecturer.c.lecturer_id == Lecturer.id)
                    .scalar_subquery())
    last_seen = func.coalesce(last_session, Lecturer.created_at)
    ids = select(Lecturer.id).where(
        Lecturer.active.is_(False), Lecturer.phone.is_not(None),
        last_seen < end_of_local_day(months_before(today, months)))
    return anonymise(Lecturer, ids, {"phone": None}, dry_run=dry_run)
