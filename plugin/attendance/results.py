"""The answer to a check-in attempt: outcome, reason, the time it is about, and how it reads.

One short Chinese line per reason, the same for the worker's phone and the officer's scanner, with
a colour: green (counted), amber (nothing wrong, nothing to do or scan again), red (refused).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..core.clock import utcnow
from ..core.dates import format_datetime, format_time
from ..lectures.models import CHECK_IN_METHOD_LABELS, LectureSession
from ..registry.models import Worker
from .codes import CodeProblem
from .models import ATTEMPT_OUTCOME_LABELS, AttemptOutcome


class Reason(str, enum.Enum):
    """Why an attempt was not counted (stored in ``CheckInAttempt.reason``)."""

    ALREADY = "already"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    EXPIRED = CodeProblem.EXPIRED.value
    FORGED = CodeProblem.FORGED.value
    TAMPERED = CodeProblem.TAMPERED.value
    OTHER_SESSION = "other_session"
    NOT_A_BADGE = "not_a_badge"
    NOT_THIS_SITE = "not_this_site"
    WORKER_LEFT = "worker_left"
    UNKNOWN_WORKER = "unknown_worker"
    #: Logged only: an officer named (by badge, employee number or id) a worker outside their own
    #: scope. The officer is answered exactly as for an unknown worker (:data:`UNKNOWN_WORKER`),
    #: and the attempts log shows it so to everyone who may not see that worker.
    OUT_OF_SCOPE = "out_of_scope"
    #: The "first seen" mark of the sign-in detour came from another phone (a copied cookie)
    #: and the code has expired since.
    OTHER_DEVICE = "other_device"

    @property
    def label(self):
        return REASON_LABELS[self]


class Level(str, enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


#: Nothing wrong (or nothing the worker can fix by arguing): shown amber, not red.
AMBER_REASONS = frozenset({Reason.ALREADY, Reason.NOT_OPEN, Reason.EXPIRED})

#: Short labels for lists (the attempts log).
REASON_LABELS = {
    Reason.ALREADY: _l("重复签到"),
    Reason.NOT_OPEN: _l("签到未开始"),
    Reason.CLOSED: _l("签到已结束"),
    Reason.CANCELLED: _l("宣讲已取消"),
    Reason.EXPIRED: _l("二维码过期"),
    Reason.FORGED: _l("伪造的二维码"),
    Reason.TAMPERED: _l("被改动的二维码"),
    Reason.OTHER_SESSION: _l("其他场次的二维码"),
    Reason.NOT_A_BADGE: _l("不是职工胸卡"),
    Reason.NOT_THIS_SITE: _l("非本项目职工"),
    Reason.WORKER_LEFT: _l("已离职"),
    Reason.UNKNOWN_WORKER: _l("查无此人"),
    Reason.OUT_OF_SCOPE: _l("登记人权限范围外的职工"),
    Reason.OTHER_DEVICE: _l("在另一部手机上打开的签到码"),
}

#: What an attempt's reason reads as to a viewer who may not see its worker: an officer's lookup
#: outside their scope looks like a lookup of a number that does not exist.
HIDDEN_REASONS = {Reason.OUT_OF_SCOPE: Reason.UNKNOWN_WORKER}

#: The enums' own tables (:mod:`.models`), under the names the views pass to templates.
METHOD_LABELS = CHECK_IN_METHOD_LABELS
OUTCOME_LABELS = ATTEMPT_OUTCOME_LABELS


@dataclass(frozen=True)
class WorkerLabel:
    """A worker as a check-in answer names them (no database object behind it)."""

    id: int
    name: str
    employee_number: str


@dataclass(frozen=True)
class LectureLabel:
    """A session as a check-in answer names it (no database object behind it)."""

    id: int
    title: str
    venue: str


@dataclass(frozen=True)
class CheckInResult:
    outcome: AttemptOutcome
    reason: Reason | None = None
    #: Accepted/already: the check-in time; not open/closed: when the window opens/closed.
    time: datetime | None = None
    worker: Worker | WorkerLabel | None = None
    attendance_id: int | None = None
    late_upload: bool = False
    lecture: LectureSession | LectureLabel | None = None

    def labelled(self) -> CheckInResult:
        """The same answer naming worker and session by plain labels, so it can be shown after
        the transaction ended (database objects would be read again)."""
        worker, lecture = self.worker, self.lecture
        return replace(
            self,
            worker=WorkerLabel(worker.id, worker.name, worker.employee_number) if worker else None,
            lecture=LectureLabel(lecture.id, lecture.title, lecture.venue) if lecture else None)

    @property
    def accepted(self) -> bool:
        return self.outcome == AttemptOutcome.ACCEPTED

    @property
    def level(self) -> Level:
        if self.accepted:
            return Level.GREEN
        return Level.AMBER if self.reason in AMBER_REASONS else Level.RED


def short_time(moment: datetime | None) -> str:
    """``19:02`` today (company time zone), ``11-23 19:02`` on another day."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())
    local = moment.astimezone(zone)
    if local.date() == utcnow().astimezone(zone).date():
        return format_time(local)
    return format_datetime(local)


def result_message(result: CheckInResult) -> str:
    """The one line shown in the big coloured block."""
    time = short_time(result.time)
    if result.accepted:
        return gettext("签到成功 %(time)s", time=time)
    messages = {
        Reason.ALREADY: lambda: gettext("已于 %(time)s 签到，无需重复签到", time=time),
        Reason.NOT_OPEN: lambda: gettext("签到还没开始（%(time)s 开始）", time=time),
        Reason.CLOSED: lambda: gettext("签到已结束（%(time)s 截止）", time=time),
        Reason.CANCELLED: lambda: gettext("本场宣讲已取消"),
        Reason.EXPIRED: lambda: gettext("二维码已过期，请重新扫描屏幕上的二维码"),
        Reason.FORGED: lambda: gettext("二维码无效，请扫描现场屏幕上的二维码"),
        Reason.TAMPERED: lambda: gettext("二维码已损坏或被改动，请重新扫描"),
        Reason.OTHER_SESSION: lambda: gettext("这是另一场宣讲的二维码"),
        Reason.NOT_A_BADGE: lambda: gettext("这是会场签到码，不是职工胸卡"),
        Reason.NOT_THIS_SITE: lambda: gettext("不是本项目的职工（请找现场工作人员）"),
        Reason.WORKER_LEFT: lambda: gettext("已离职，不能签到（请找现场工作人员）"),
        Reason.UNKNOWN_WORKER: lambda: gettext("查无此职工（请找现场工作人员）"),
        Reason.OUT_OF_SCOPE: lambda: gettext("查无此职工（请找现场工作人员）"),
        Reason.OTHER_DEVICE: lambda: gettext(
            "这个签到码是在另一部手机上打开的，请用本机扫描现场屏幕上的二维码"),
    }
    return messages[result.reason]()
