"""How the audit log reads roster imports: the job by its file name, linked for those who may
open it, and how it ended as one sentence ("试运行（未保存）：处理 120 行，新增 3 …")."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..core.errors import NotFound
from ..org.models import OrgUnit
from .kinds import KindLabels, kind_spec
from .models import ImportJob

#: The counts of a finished import, in the order a sentence names them.
_COUNTS = {"processed": _l("处理 %(count)s 行"), "created": _l("新增 %(count)s"),
           "updated": _l("更新 %(count)s"), "unchanged": _l("无变化 %(count)s"),
           "rejected": _l("拒绝 %(count)s"), "withheld": _l("%(count)s 名儿童待监护人同意")}


def describe_jobs(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(ImportJob.id, ImportJob.kind, ImportJob.filename, OrgUnit)
        .join(OrgUnit, OrgUnit.id == ImportJob.org_unit_id)
        .where(ImportJob.id.in_([int(i) for i in ids if i.isdigit()]))).all()
    return {str(job_id): Named(filename, url_for("carebridge.imports.job", job_id=job_id)
                               if _may_open(reader_key, kind, unit) else None)
            for job_id, kind, filename, unit in rows}


def _may_open(reader_key: str | None, kind: str, unit: OrgUnit) -> bool:
    try:
        permission = kind_spec(kind).permission
    except NotFound:
        return False  # a kind whose feature is no longer mounted
    return has_permission(reader_key, permission, unit)


def finished(details, phrase) -> list[str]:
    """``import.finished``: how it ended, dry run or not, and the counts."""
    sentences = []
    status = phrase("status", details.get("status"))
    if details.get("dry_run"):
        sentences.append(_("试运行，未保存任何数据"))
    if status:
        sentences.append(status)
    counts = [str(label) % {"count": details[key]} for key, label in _COUNTS.items()
              if details.get(key)]
    if counts:
        sentences.append(_("，").join(counts))
    known = {"status", "dry_run", *_COUNTS}
    sentences += [text for key, value in details.items()
                  if key not in known and (text := phrase(key, value))]
    return sentences


def started(details, phrase) -> list[str]:
    sentences = [_("试运行，不保存数据")] if details.get("dry_run") else []
    return sentences + [text for key, value in details.items()
                        if key != "dry_run" and (text := phrase(key, value))]


AUDIT_TEXT = AuditText(
    targets={"import": AuditTarget(_l("花名册导入"), describe_jobs)},
    keys={"kind": _l("花名册"), "rejected": _l("拒绝行数")},
    values={"kind": KindLabels()},
    sentences={"import.finished": finished, "import.started": started},
)
