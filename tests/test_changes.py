"""The one change-tracking helper for audit diffs (plugin.core.changes)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.changes import HIDDEN, apply_changes
from plugin.core.db import session
from plugin.org.services import update_unit
from plugin.privacy.masking import mask_phone

from .conftest import SYSTEM


def record(**values):
    return SimpleNamespace(**values)


def test_only_real_changes_are_set_and_returned_in_order():
    unit = record(name="一号项目部", responsible_person="王建国", responsible_phone=None)
    changes = apply_changes(unit, {"responsible_phone": "13800135678", "name": "一号项目部",
                                   "responsible_person": "李娜"})
    assert changes == {"responsible_phone": [None, "13800135678"],
                       "responsible_person": ["王建国", "李娜"]}
    assert list(changes) == ["responsible_phone", "responsible_person"]
    assert unit.responsible_person == "李娜" and unit.name == "一号项目部"


def test_nothing_changed_is_an_empty_diff():
    user = record(display_name="王建国", active=True)
    assert apply_changes(user, {"display_name": "王建国", "active": True}) == {}


def test_sensitive_values_are_hidden_or_masked_in_the_diff():
    worker = record(id_number="110105194912310021", phone="13800135678", name="张伟")
    changes = apply_changes(worker, {"id_number": "44030619900101123X", "phone": "13912345678",
                                     "name": "张为"},
                            mask={"id_number": lambda value: HIDDEN, "phone": mask_phone})
    assert changes == {"id_number": [HIDDEN, HIDDEN], "phone": ["138****5678", "139****5678"],
                       "name": ["张伟", "张为"]}
    assert worker.id_number == "44030619900101123X"  # the record gets the real value
    assert apply_changes(record(note="a"), {"note": "b"}, mask=["note"]) == {"note": [HIDDEN, HIDDEN]}
    assert apply_changes(record(phone=None), {"phone": "13800135678"}, mask={"phone": mask_phone}) == {
        "phone": [None, "138****5678"]}


def test_a_unit_update_is_audited_with_the_same_diff(company, make_unit):
    unit = make_unit(name="一号项目部")
    update_unit(unit, actor=SYSTEM, name="一号项目部", responsible_person=" 王　建国 ",
                responsible_department="")
    details = session.execute(select(AuditEvent.details).where(
        AuditEvent.action == "org.unit_updated")).scalar_one()
    assert details == {"responsible_person": [None, "王建国"]}
