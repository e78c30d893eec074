"""Labels of guardianship codes for pages and documents."""
from flask_babel import lazy_gettext as _l

from .models import AgreementSigning, AgreementStatus, ContactKind, ContactParty, IntegrityKind

STATUS_LABELS = {
    AgreementStatus.PENDING: _l("待职工手机签署"),
    AgreementStatus.ACTIVE: _l("生效中"),
    AgreementStatus.ENDED: _l("已终止"),
    AgreementStatus.REVOKED: _l("已撤销"),
}

SIGNING_LABELS = {
    AgreementSigning.PAPER: _l("纸质签署（人力资源专员见证）"),
    AgreementSigning.PHONE: _l("职工手机签名"),
}

CONTACT_KIND_LABELS = {
    ContactKind.CALL: _l("电话"),
    ContactKind.VIDEO: _l("视频"),
    ContactKind.VISIT: _l("探望"),
}

PARTY_LABELS = {
    ContactParty.CHILD: _l("孩子"),
    ContactParty.CARER: _l("照护人"),
}

INTEGRITY_LABELS = {
    IntegrityKind.PLEDGE_SIGNED: _l("签署监护责任承诺书"),
    IntegrityKind.PLEDGE_RENEWED: _l("续签监护责任承诺书"),
    IntegrityKind.PLEDGE_EXPIRED: _l("监护责任承诺书到期"),
    IntegrityKind.PLEDGE_REVOKED: _l("监护责任承诺书被撤销"),
    IntegrityKind.AGREEMENT_SIGNED: _l("签订委托照护协议"),
    IntegrityKind.AGREEMENT_ENDED: _l("委托照护协议终止"),
    IntegrityKind.COMMENDATION: _l("表彰：依法履行监护职责模范"),
    IntegrityKind.ADMONITION: _l("批评教育（《家庭教育促进法》第四十八条）"),
}

#: Bootstrap colour of each kind on the timeline: good news, neutral facts, warnings.
INTEGRITY_TONES = {
    IntegrityKind.PLEDGE_SIGNED: "success", IntegrityKind.PLEDGE_RENEWED: "success",
    IntegrityKind.PLEDGE_EXPIRED: "warning", IntegrityKind.PLEDGE_REVOKED: "danger",
    IntegrityKind.AGREEMENT_SIGNED: "success", IntegrityKind.AGREEMENT_ENDED: "secondary",
    IntegrityKind.COMMENDATION: "primary", IntegrityKind.ADMONITION: "danger",
}


def mask_name(name: str) -> str:
    """A name for public pages: the family name and one ``*`` per other character (张**)."""
    return name[:1] + "*" * (len(name) - 1) if name else ""
