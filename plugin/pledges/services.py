"""Pledge templates, signing (paper and phone), renewal and revocation.

Functions take plain values and model objects, check every rule (``ValidationError`` naming the
form field), flush, audit, send the documented signal and never commit.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.dates import format_date
from ..core.db import lock_rows, session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..core.signatures import PNG_MAGIC
from ..core.text import clean_free_text, clean_person_name
from ..core.uploads import SCAN, check_upload
from ..registry.models import Child, ChildParent, Worker
from ..signals import pledge_revoked, pledge_signed
from . import default_text, queries
from .models import Pledge, PledgeTemplate, SigningMethod
from .rules import (
    expiring_before,
    new_verification_code,
    reminder_days,
    scan_max_bytes,
    valid_until_for,
    validity_days,
)

TITLE_MAX = 200
BODY_MAX = 20_000
WITNESS_MAX = 100
REASON_MAX = 300
SYSTEM = Actor.system("carebridge")


def _sender():
    return current_app._get_current_object()


# -- templates --------------------------------------------------------------------------------

def template_text_sha256(template: PledgeTemplate) -> str:
    """Fingerprint of the exact wording (both languages) a pledge is signed under."""
    text = "\n\n".join((template.title_zh, template.body_zh, template.title_en, template.body_en))
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def current_template() -> PledgeTemplate:
    """The newest template version; version 1 (our default text) is created on first use."""
    template = queries.latest_template()
    if template is not None:
        return template
    try:
        with session.begin_nested():
            template = PledgeTemplate(version=1, title_zh=default_text.TITLE_ZH,
                                      title_en=default_text.TITLE_EN, body_zh=default_text.BODY_ZH,
                                      body_en=default_text.BODY_EN, created_at=utcnow(),
                                      created_by=SYSTEM.key)
            session.add(template)
    except IntegrityError:  # another request created it at the same moment
        return queries.latest_template()
    record_event("pledge.template_saved", SYSTEM, target_type="pledge_template",
                 target_id=template.id, details={"version": 1, "default": True})
    return template


def _clean_text(value: str | None, field: str, limit: int) -> str:
    text = clean_free_text(value, max_length=limit, field=field, multiline=True)
    if not text:
        raise ValidationError("请填写这一项", field=field)
    return text


def save_template(*, title_zh: str, title_en: str, body_zh: str, body_en: str,
                  actor: Actor) -> PledgeTemplate:
    """Save edited wording as a new version; versions already signed under stay as they were."""
    current = current_template()
    values = {"title_zh": _clean_text(title_zh, "title_zh", TITLE_MAX),
              "title_en": _clean_text(title_en, "title_en", TITLE_MAX),
              "body_zh": _clean_text(body_zh, "body_zh", BODY_MAX),
              "body_en": _clean_text(body_en, "body_en", BODY_MAX)}
    if all(getattr(current, name) == value for name, value in values.items()):
        raise ValidationError("内容没有变化，未保存新版本")
    version = (session.execute(select(func.max(PledgeTemplate.version))).scalar_one() or 0) + 1
    template = PledgeTemplate(version=version, created_at=utcnow(), created_by=actor.key, **values)
    session.add(template)
    session.flush()
    record_event("pledge.template_saved", actor, target_type="pledge_template",
                 target_id=template.id, details={"version": version, "previous": current.version})
    return template


# -- signing ----------------------------------------------------------------------------------

def _check_children(worker: Worker, children: Iterable[Child]) -> list[Child]:
    chosen = list(dict.fromkeys(children))
    if not chosen:
        raise ValidationError("请选择承诺书涵盖的子女", field="children")
    own = set(session.execute(select(ChildParent.child_id).where(
        ChildParent.worker_id == worker.id)).scalars())
    if any(child.id not in own for child in chosen):
        raise ValidationError("只能选择这名职工自己的子女", field="children")
    return chosen


def _check_dates(signed_on: date | None, today: date) -> date:
    if signed_on is None:
        raise ValidationError("请填写签署日期", field="signed_on")
    if signed_on > today:
        raise ValidationError("签署日期不能晚于今天", field="signed_on")
    if valid_until_for(signed_on) < today:
        raise ValidationError("按签署日期，这份承诺书已过有效期（%(days)s 天），不能登记",
                              field="signed_on", days=validity_days())
    return signed_on


def renewal_opens_on(worker: Worker, children: Iterable[Child], today: date) -> date | None:
    """None when a new pledge for ``children`` may be signed today, else the first day it may.

    A new pledge is for renewal (the valid one lapses within the reminder window) or for a child
    no valid pledge covers yet; anything else would be a second copy made by mistake.
    """
    wanted = {child.id for child in children}
    for pledge in queries.valid_pledges_of(worker.id, today):
        covered = {child.id for child in pledge.children}
        if pledge.valid_until > expiring_before(today) and wanted <= covered:
            return pledge.valid_until - timedelta(days=reminder_days())
    return None


def _check_not_duplicate(worker: Worker, children: list[Child], today: date) -> None:
    opens_on = renewal_opens_on(worker, children, today)
    if opens_on is not None:
        raise ValidationError("所选子女已有有效的监护承诺书（有效期至 %(date)s），"
                              "到期前 %(days)s 天内可以续签", field="children",
                              days=reminder_days(),
                              date=format_date(opens_on + timedelta(days=reminder_days())))


def _previous_pledge(worker: Worker, children: list[Child], signed_on: date) -> Pledge | None:
    """The pledge a new one renews: the worker's latest one not revoked, in force on the signing
    day or lapsed at most the reminder window before it, whose children the new one covers."""
    wanted = {child.id for child in children}
    since = signed_on - timedelta(days=reminder_days())
    for pledge in queries.recent_pledges_of(worker.id, since):
        if {child.id for child in pledge.children} <= wanted:
            return pledge
    return None


def _create(worker: Worker, children: Iterable[Child], *, method: SigningMethod, signed_on: date,
            template: PledgeTemplate | None, actor: Actor, **fields) -> Pledge:
    # Two submissions of the same pledge at once (the officer's paper form and the worker's
    # phone, a double tap) would both pass the duplicate check before either had written: the
    # second waits here until the first ends, then sees its pledge and gets the form's error.
    lock_rows(Worker, [worker.id])
    today = local_today()
    chosen = _check_children(worker, children)
    signed_on = _check_dates(signed_on, today)
    _check_not_duplicate(worker, chosen, today)
    template = template or current_template()
    previous = _previous_pledge(worker, chosen, signed_on)
    pledge = Pledge(worker=worker, template=template, text_sha256=template_text_sha256(template),
                    method=method, signed_on=signed_on, valid_until=valid_until_for(signed_on),
                    verification_code=new_verification_code(),
                    renews_id=previous.id if previous else None, recorded_by=actor.key,
                    recorded_at=utcnow(), **fields)
    pledge.children = chosen
    session.add(pledge)
    session.flush()
    record_event("pledge.signed", actor, target_type="pledge", target_id=pledge.id,
                 org_unit_id=worker.org_unit_id,
                 details={"worker_id": worker.id, "method": method.value,
                          "children": [child.id for child in chosen],
                          "template_version": template.version, "signed_on": signed_on.isoformat(),
                          "valid_until": pledge.valid_until.isoformat(),
                          **({"renews": previous.id} if previous else {})})
    pledge_signed.send(_sender(), pledge=pledge,
                       actor=None if method == SigningMethod.PHONE else actor)
    return pledge


def log_paper_pledge(worker: Worker, children: Iterable[Child], signed_on: date | None,
                     witness: str | None, scan_bytes: bytes, content_type: str | None,
                     actor: Actor, *, template: PledgeTemplate | None = None,
                     scan_filename: str | None = None) -> Pledge:
    """An HR officer logs a pledge signed on paper: witness, date and the scanned signed page.

    ``template`` is the version printed on the paper (default: the current one); the scan is
    checked by :func:`plugin.core.uploads.check_upload` (``scan_filename`` names it in refusals).
    """
    witness = clean_person_name(witness, max_length=WITNESS_MAX, field="witness")
    if not witness:
        raise ValidationError("请填写见证人", field="witness")
    scan_type = check_upload(scan_bytes, SCAN, max_bytes=scan_max_bytes(), filename=scan_filename,
                             declared_type=content_type, field="scan").content_type
    return _create(worker, children, method=SigningMethod.PAPER, signed_on=signed_on,
                   template=template, actor=actor, witness=witness, scan=scan_bytes,
                   scan_content_type=scan_type)


def sign_on_phone(worker: Worker, children: Iterable[Child], signature_png: bytes, *,
                  template: PledgeTemplate, actor: Actor) -> Pledge:
    """The worker signs on their own phone, today, under the version shown on the page.

    ``signature_png`` comes from :func:`plugin.core.signatures.decode_signature`.
    """
    if template.id != current_template().id:
        raise ValidationError("承诺书内容刚刚更新，请重新阅读后再签名", field="template_id")
    if not signature_png or not signature_png.startswith(PNG_MAGIC):
        raise ValidationError("请用手指在框内写下您的名字", field="signature")
    return _create(worker, children, method=SigningMethod.PHONE, signed_on=local_today(),
                   template=template, actor=actor, signature_png=signature_png)


def revoke(pledge: Pledge, reason: str | None, actor: Actor) -> Pledge:
    reason = clean_free_text(reason, max_length=REASON_MAX, field="reason")
    if not reason:
        raise ValidationError("请填写撤销原因", field="reason")
    if pledge.revoked_at is not None:
        raise ValidationError("这份承诺书已经撤销")
    pledge.revoked_at = utcnow()
    pledge.revoked_by = actor.key
    pledge.revoke_reason = reason
    session.flush()
    record_event("pledge.revoked", actor, target_type="pledge", target_id=pledge.id,
                 org_unit_id=pledge.worker.org_unit_id,
                 details={"worker_id": pledge.worker_id, "reason": reason})
    pledge_revoked.send(_sender(), pledge=pledge, reason=reason, actor=actor)
    return pledge


def record_pdf_download(pledge: Pledge, actor: Actor) -> None:
    """The PDF shows the worker's and children's (masked) data: every download is audited."""
    record_event("pledge.pdf_downloaded", actor, target_type="pledge", target_id=pledge.id,
                 org_unit_id=pledge.worker.org_unit_id, details={"worker_id": pledge.worker_id})


def record_scan_download(pledge: Pledge, actor: Actor) -> None:
    record_event("pledge.scan_downloaded", actor, target_type="pledge", target_id=pledge.id,
                 org_unit_id=pledge.worker.org_unit_id, details={"worker_id": pledge.worker_id})
