"""What the registry holds about a worker and their children, for the worker's own-data file
(:mod:`plugin.privacy.subject_data`): the worker's record and each child's, in the words of the
pages. ID numbers masked (first 3 and last 4), a carer's phone masked; consent and details held
for consent stated."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import local_today
from ..core.features import DataSection
from ..privacy.masking import mask_id_number, mask_phone
from .consent import active_consents, needs_consent
from .held_details import held_for
from .labels import CATEGORY_LABELS, FLAG_LABELS, PARENT_STATUS_LABELS
from .models import Child, Worker
from .queries import children_of
from .regions import region_name


def _masked(number: str | None) -> str | None:
    return mask_id_number(number) if number else None


def _region(code: str | None) -> str | None:
    if not code:
        return None
    name = region_name(code)
    return f"{name}（{code}）" if name else code


def _yes_no(value: bool | None):
    return None if value is None else (_("是") if value else _("否"))


def _situation(status, since: date | None, capable: bool | None) -> str | None:
    if status is None and capable is None:
        return None
    parts = [str(PARENT_STATUS_LABELS[status])] if status is not None else []
    if since:
        parts.append(_("自 %(date)s", date=since.isoformat()))
    if capable is not None:
        parts.append(_("有监护能力") if capable else _("没有监护能力"))
    return "；".join(parts)


def worker_section(worker: Worker) -> DataSection:
    return DataSection(_l("职工本人"), (
        (_l("姓名"), worker.name),
        (_l("工号"), worker.employee_number),
        (_l("性别"), worker.sex.label if worker.sex else None),
        (_l("身份证号码"), _masked(worker.id_number)),
        (_l("手机号码"), worker.phone),
        (_l("户籍地"), _region(worker.hukou_region_code)),
        (_l("项目部/班组"), worker.org_unit.name),
        (_l("劳务分包单位"), worker.subcontractor),
        (_l("入职日期"), worker.entry_date),
        (_l("在职状态"), worker.employment_status.label),
        (_l("离职日期"), worker.left_on),
        (_l("外出务工起始日期"), worker.works_away_since),
        (_l("配偶（子女另一方家长）状况"), _situation(
            worker.other_parent_status, worker.other_parent_since, worker.other_parent_capable)),
        (_l("本人（作为家长）状况"), _situation(
            worker.own_parent_status, worker.own_parent_status_since, worker.own_parent_capable)),
    ))


def _categories(child: Child) -> str | None:
    names = [str(label) for code, label in CATEGORY_LABELS.items() if getattr(child, code)]
    names += [str(FLAG_LABELS.get(flag, flag)) for flag in child.focus_flags.split()]
    return "、".join(names) or None


def child_section(child: Child, consent, today: date) -> DataSection:
    held = held_for(child)
    if consent is not None:
        consent_text = _("%(name)s 于 %(date)s 同意（告知书版本 %(version)s）",
                         name=consent.guardian_name, date=consent.given_on,
                         version=consent.notice_version)
    elif needs_consent(child.birth_date, today):
        consent_text = _("未满 14 周岁，尚无监护人同意：只保存统计所需的最少信息。")
    else:
        consent_text = _("已满 14 周岁，无需单独同意。")
    rows = [
        (_l("姓名"), child.name),
        (_l("性别"), child.sex.label if child.sex else None),
        (_l("民族"), child.ethnicity),
        (_l("出生日期"), child.birth_date),
        (_l("身份证号码"), _masked(child.id_number)),
        (_l("户籍地"), _region(child.hukou_region_code)),
        (_l("户口类型"), None if child.hukou_rural is None
         else (_("农村") if child.hukou_rural else _("城镇"))),
        (_l("现住址"), child.address),
        (_l("与谁同住"), child.lives_with.label if child.lives_with else None),
        (_l("生活状况"), child.living_situation),
        (_l("就读学校"), " ".join(part for part in (child.school, child.grade) if part) or None),
        (_l("是否寄宿"), _yes_no(child.boarding)),
        (_l("健康状况"), child.health_note),
        (_l("是否残疾"), _yes_no(child.has_disability)),
        (_l("家庭经济状况"), child.family_poverty.label if child.family_poverty else None),
        (_l("委托照护人"), " ".join(part for part in (child.carer_name, child.carer_relation)
                                 if part) or None),
        (_l("照护人电话"), mask_phone(child.carer_phone)),
        (_l("村（居）委会联系人"), child.village_committee_contact),
        (_l("儿童主任"), child.village_child_director),
        (_l("类别和关注标记"), _categories(child)),
        (_l("监护人同意"), consent_text),
    ]
    if held is not None:
        rows.append((_l("暂存信息"), _("已加密暂存 %(count)s 项信息，%(date)s 前未同意即删除",
                                      count=len(held.codes), date=held.expires_on.isoformat())))
    return DataSection(_("子女：%(name)s", name=child.name), tuple(rows))


def subject_data(worker: Worker) -> list[DataSection]:
    today = local_today()
    children = children_of(worker)
    consents = active_consents([child.id for child in children])
    return [worker_section(worker)] + [child_section(child, consents.get(child.id), today)
                                       for child in children]
