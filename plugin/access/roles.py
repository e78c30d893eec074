"""Roles (DOMAIN §1) and what each may do. The single table of who-may-what.

Features add their permissions here, next to the roles that hold them, so the whole policy reads
in one place.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(str, enum.Enum):
    ADMIN = "admin"
    HR_OFFICER = "hr_officer"
    SITE_MANAGER = "site_manager"
    UNION_OFFICER = "union_officer"
    CARE_WORKER = "care_worker"
    REPORT_OFFICER = "report_officer"
    AUDITOR = "auditor"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.HR_OFFICER: _l("人力资源专员"),
    Role.SITE_MANAGER: _l("项目经理/厂区负责人"),
    Role.UNION_OFFICER: _l("工会干部"),
    Role.CARE_WORKER: _l("关爱服务队伍成员"),
    Role.REPORT_OFFICER: _l("报表专员"),
    Role.AUDITOR: _l("审计员"),
}


class Permission(str, enum.Enum):
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    COMPANY_MANAGE = "company.manage"
    WORKERS_VIEW = "workers.view"
    WORKERS_MANAGE = "workers.manage"
    #: See workers' phone numbers in full; everyone else with WORKERS_VIEW sees them masked
    #: (138****5678) and finds workers by a whole phone number only.
    WORKERS_CONTACT_VIEW = "workers.contact_view"
    #: Issue a worker the one-time activation code of the phone sign-in; see and revoke the
    #: worker's remembered phones.
    WORKER_PHONES_MANAGE = "worker_phones.manage"
    CHILDREN_VIEW = "children.view"
    CHILDREN_MANAGE = "children.manage"
    #: See ID numbers at all (masked) and reveal them with a reason (audited).
    CHILDREN_ID_VIEW = "children.id_view"
    ROSTERS_IMPORT = "rosters.import"
    API_TOKENS_MANAGE = "api_tokens.manage"
    LECTURES_VIEW = "lectures.view"
    #: Plan, cancel and reschedule lectures; keep the lecture team.
    LECTURES_MANAGE = "lectures.manage"
    #: Scan badges, enter attendance by hand or from a paper sheet, annul a check-in.
    ATTENDANCE_RECORD = "attendance.record"
    PLEDGES_VIEW = "pledges.view"
    #: Log paper pledges, edit pledge templates, revoke pledges.
    PLEDGES_MANAGE = "pledges.manage"
    #: Entrusted-guardianship agreements, contact logs and integrity records.
    GUARDIANSHIP_VIEW = "guardianship.view"
    GUARDIANSHIP_MANAGE = "guardianship.manage"
    #: Commend a worker as a model guardian or admonish one (Family Education Promotion Law Art. 48).
    INTEGRITY_MANAGE = "integrity.manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.HR_OFFICER: frozenset({
        Permission.ORG_VIEW, Permission.ORG_MANAGE, Permission.WORKERS_VIEW, Permission.WORKERS_MANAGE,
        Permission.WORKERS_CONTACT_VIEW, Permission.WORKER_PHONES_MANAGE,
        Permission.CHILDREN_VIEW, Permission.CHILDREN_MANAGE, Permission.CHILDREN_ID_VIEW,
        Permission.ROSTERS_IMPORT, Permission.LECTURES_VIEW, Permission.LECTURES_MANAGE,
        Permission.ATTENDANCE_RECORD, Permission.PLEDGES_VIEW, Permission.PLEDGES_MANAGE,
        Permission.GUARDIANSHIP_VIEW, Permission.GUARDIANSHIP_MANAGE, Permission.INTEGRITY_MANAGE}),
    Role.SITE_MANAGER: frozenset({
        Permission.ORG_VIEW, Permission.WORKERS_VIEW, Permission.CHILDREN_VIEW,
        Permission.LECTURES_VIEW, Permission.LECTURES_MANAGE, Permission.ATTENDANCE_RECORD,
        Permission.PLEDGES_VIEW, Permission.GUARDIANSHIP_VIEW}),
    # Union officers run campaigns and aid: they see workers and children, never ID numbers.
    Role.UNION_OFFICER: frozenset({
        Permission.ORG_VIEW, Permission.WORKERS_VIEW, Permission.CHILDREN_VIEW,
        Permission.LECTURES_VIEW, Permission.PLEDGES_VIEW, Permission.GUARDIANSHIP_VIEW,
        Permission.INTEGRITY_MANAGE}),
    # The care team lectures, takes attendance and follows up workers out of touch with children.
    Role.CARE_WORKER: frozenset({
        Permission.ORG_VIEW, Permission.WORKERS_VIEW, Permission.CHILDREN_VIEW,
        Permission.LECTURES_VIEW, Permission.LECTURES_MANAGE, Permission.ATTENDANCE_RECORD,
        Permission.GUARDIANSHIP_VIEW}),
    # Report officers file lecture and pledge figures; they need the statistics, not the people.
    Role.REPORT_OFFICER: frozenset({Permission.ORG_VIEW, Permission.LECTURES_VIEW}),
    Role.AUDITOR: frozenset({Permission.ORG_VIEW, Permission.AUDIT_VIEW}),
}
