"""Test data for the lecture tests: sessions and attendance rows made directly (the check-in flow
belongs to the attendance feature; statistics only read the rows)."""
from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from plugin.core.db import session
from plugin.core.host import Actor
from plugin.lectures.models import (
    Attendance,
    CheckInMethod,
    LectureFormat,
    Lecturer,
    LecturerKind,
    LectureSession,
    LectureSessionTopic,
    LectureTopic,
    SessionStatus,
)

#: 25 November 2026, 14:00 in Shanghai.
AFTERNOON = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


def make_lecture(unit, *, title: str = "防溺水安全宣讲", starts_at: datetime = AFTERNOON,
                 hours: float = 2, cancelled: bool = False,
                 topics=(LectureTopic.DROWNING,), venue: str = "生活区会议室", brochures: int = 0,
                 lecturers=()) -> LectureSession:
    lecture = LectureSession(
        title=title, format=LectureFormat.TALK, org_unit=unit, venue=venue, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours), code_key="ab" * 32, created_by="tests",
        brochures_handed_out=brochures,
        status=SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
        cancelled_at=starts_at - timedelta(days=1) if cancelled else None,
        cancel_reason="天气原因" if cancelled else None)
    lecture.topic_links = [LectureSessionTopic(topic=topic) for topic in topics]
    lecture.lecturers = list(lecturers)
    session.add(lecture)
    session.flush()
    return lecture


def make_lecturer(unit, name: str = "陈律师", kind: LecturerKind = LecturerKind.EXPERT,
                  active: bool = True) -> Lecturer:
    lecturer = Lecturer(name=name, kind=kind, org_unit=unit, active=active)
    session.add(lecturer)
    session.flush()
    return lecturer


def attend(lecture: LectureSession, worker, *, annulled: bool = False,
           method: CheckInMethod = CheckInMethod.WORKER_SCAN, minutes_after_start: int = -5,
           late_upload: bool = False) -> Attendance:
    checked_in_at = lecture.starts_at + timedelta(minutes=minutes_after_start)
    attendance = Attendance(session_id=lecture.id, worker_id=worker.id, method=method,
                            checked_in_at=checked_in_at, recorded_at=checked_in_at,
                            late_upload=late_upload,
                            annulled_at=checked_in_at + timedelta(hours=1) if annulled else None,
                            annulled_by="tests" if annulled else None,
                            annul_reason="代签" if annulled else None)
    session.add(attendance)
    session.flush()
    return attendance


def pdf_fonts(path) -> list[list[str]]:
    """Rows of ``pdffonts`` below its header (name, type, encoding, emb, sub, uni, object, ID)."""
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in output.splitlines()[2:] if line.strip()]


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def inked_share(path, tmp_path) -> float:
    """Share of non-white pixels of the first page, rendered by ``pdftoppm -png -r 50``."""
    from PIL import Image

    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(prefix)], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    histogram = image.histogram()
    return sum(histogram[:200]) / sum(histogram)
