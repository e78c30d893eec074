"""Entrusted guardianship (委托照护协议), contact logs and the worker's integrity record
(职工诚信)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, IntegrityKind, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import GUARDIANSHIP_MANAGE, GUARDIANSHIP_VIEW, INTEGRITY_MANAGE

feature = Feature(
    name="guardianship",
    package=__name__,
    subject_data="subject_data:subject_data",
    retention=(
        Retention("guardianship.ended_agreements", _l("已结束的委托照护协议"), 36,
                  _l("协议期满或终止、撤销满保留期后，清除受委托人的姓名、电话、身份证号码、出生日期"
                     "和住址、另一方家长姓名、扫描件、签名和终止原因；保留职工、儿童、期限、状态、"
                     "职责和联系约定，以及受委托人与儿童的关系。"),
                  "retention:purge_ended_agreements"),
        Retention("guardianship.contact_notes", _l("亲子联系记录的备注"), 24,
                  _l("联系日期满保留期后，清除联系记录的备注内容；保留日期、方式和联系对象，"
                     "联系跟进的统计不变。"),
                  "retention:purge_contact_notes"),
        Retention("guardianship.integrity_reasons", _l("职工诚信记录的事由"), 36,
                  _l("诚信记录发生之日满保留期后，清除写明的事由（表扬、警示、撤销或终止的原因）；"
                     "保留类型、日期、经办人和所涉记录，诚信统计不变。"),
                  "retention:purge_integrity_reasons"),
    ),
    demo="demo:load",
    blueprints=("views:bp", "phone:phone_bp"),
    models=("models",),
    permissions={
        GUARDIANSHIP_VIEW: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER,
                            Role.CARE_WORKER),
        GUARDIANSHIP_MANAGE: (Role.HR_OFFICER,),
        INTEGRITY_MANAGE: (Role.HR_OFFICER, Role.UNION_OFFICER),
    },
    links={
        "navigation": (
            Link("carebridge.guardianship.agreements", _l("委托照护"), GUARDIANSHIP_VIEW, order=60),
            Link("carebridge.guardianship.follow_up", _l("联系跟进"), GUARDIANSHIP_VIEW, order=70),
        ),
        "worker": (
            Link("carebridge.guardianship.worker_record", _l("诚信档案"), GUARDIANSHIP_VIEW,
                 subject_arg="worker_id", order=20),
            Link("carebridge.guardianship.worker_contacts", _l("联系记录"), GUARDIANSHIP_VIEW,
                 subject_arg="worker_id", order=30),
            Link("carebridge.guardianship.new_agreement", _l("新建委托照护协议"),
                 GUARDIANSHIP_MANAGE, subject_arg="worker_id", order=40),
        ),
        "phone.home": (
            Link("carebridge.guardianship_phone.contacts_page", _l("登记和孩子、照护人的联系"),
                 element_id="contacts-link", order=30),
            Link("carebridge.guardianship_phone.record", _l("我的委托照护协议和诚信档案"),
                 element_id="record-link", order=40),
        ),
    },
    jobs=(Job("guardianship.daily_check", "jobs:daily_guardianship_check", "cron",
              {"hour": 7, "minute": 40},
              why="Morning, so the care team finds the follow-up summary when the working day "
                  "starts."),),
    settings=(Setting("CAREBRIDGE_CONTACT_FOLLOW_UP_DAYS", 14, positive_int,
                      "Days without a logged contact after which a worker needs a follow-up."),),
    receivers=("integrity:connect_receivers",),
    integrity_kinds=(
        IntegrityKind("pledge_signed", _l("签署监护责任承诺书"), "success"),
        IntegrityKind("pledge_renewed", _l("续签监护责任承诺书"), "success"),
        IntegrityKind("pledge_expired", _l("监护责任承诺书到期"), "warning"),
        IntegrityKind("pledge_revoked", _l("监护责任承诺书被撤销"), "danger"),
        IntegrityKind("agreement_signed", _l("签订委托照护协议"), "success"),
        IntegrityKind("agreement_ended", _l("委托照护协议终止"), "secondary"),
        IntegrityKind("commendation", _l("表彰：依法履行监护职责模范"), "primary"),
        IntegrityKind("admonition", _l("批评教育（《家庭教育促进法》第四十八条）"), "danger"),
    ),
    audit_text="audit_text:AUDIT_TEXT",
    indicators="indicators:INDICATORS",
    record_pages={"agreement": ("carebridge.guardianship.agreement", "agreement_id")},
    label=_l("委托照护"),
    audit_actions={
        "agreement.created": _l("登记委托照护协议"),
        "agreement.signed": _l("职工手机签署委托照护协议"),
        "agreement.ended": _l("终止委托照护协议"),
        "agreement.revoked": _l("撤销委托照护协议"),
        "agreement.lapsed": _l("委托照护协议到期"),
        "agreement.downloaded": _l("下载委托照护协议"),
        "agreement.notice_downloaded": _l("下载委托照护告知书"),
        "agreement.scan_viewed": _l("查看委托照护协议扫描件"),
        "contact.logged_on_behalf": _l("代职工登记亲子联系"),
        "integrity.commended": _l("表彰监护模范"),
        "integrity.admonished": _l("批评教育（家庭教育促进法第四十八条）"),
    },
)
