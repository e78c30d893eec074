from datetime import timedelta
from zoneinfo import ZoneInfo

from plugin.access.roles import Role
from plugin.audit.services import record_event
from plugin.core.db import session
from plugin.core.host import Actor

from .conftest import SYSTEM


def test_events_record_who_what_which_when_where(company, clock):
    actor = Actor(key="7", name="李秀英", ip="10.1.2.3", user_agent="Mozilla/5.0")
    event = record_event("org.unit_updated", actor, target_type="org_unit", target_id=5,
                         org_unit_id=company.id, details={"name": ["甲", "乙"]})
    session.flush()
    assert (event.actor_key, event.actor_name, event.ip, event.target_id) == ("7", "李秀英", "10.1.2.3", "5")
    assert event.occurred_at == clock.now


def test_auditor_filters_by_action_actor_and_date(company, make_user, login, clock):
    auditor = make_user(Role.AUDITOR)
    alice = Actor(key="a", name="王小红")
    record_event("role.granted", alice, org_unit_id=company.id, target_type="user", target_id="42")
    clock.advance(days=3)
    record_event("org.unit_created", SYSTEM, org_unit_id=company.id, target_type="org_unit", target_id="9")
    session.flush()
    client = login(auditor)
    everything = client.get("/audit/")
    assert everything.status_code == 200 and "王小红" in everything.text
    by_action = client.get("/audit/?action=role.granted")
    assert "王小红" in by_action.text and 'data-action="org.unit_created"' not in by_action.text
    by_actor = client.get("/audit/?actor=小红")
    assert 'data-action="role.granted"' in by_actor.text
    assert 'data-action="org.unit_created"' not in by_actor.text
    first_day = (clock.now - timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    by_date = client.get(f"/audit/?until={first_day}&target_type=user")
    assert 'data-action="role.granted"' in by_date.text
    assert 'data-action="org.unit_created"' not in by_date.text
    by_target = client.get("/audit/?target_id=9")
    assert 'data-action="org.unit_created"' in by_target.text and "王小红" not in by_target.text


def test_bad_filter_values_show_everything_with_a_field_error(company, make_user, login):
    client = login(make_user(Role.AUDITOR))
    page = client.get("/audit/?since=not-a-date")
    assert page.status_code == 200 and "invalid-feedback" in page.text


def test_auditor_of_a_subtree_sees_only_its_events(company, make_unit, make_user, login):
    site_a, site_b = make_unit(name="甲"), make_unit(name="乙")
    record_event("org.unit_updated", Actor(key="x", name="甲的操作人"), org_unit_id=site_a.id)
    record_event("org.unit_updated", Actor(key="y", name="乙的操作人"), org_unit_id=site_b.id)
    record_event("auth.login", Actor(key="z", name="全公司登录"))
    session.flush()
    page = login(make_user(Role.AUDITOR, site_a)).get("/audit/").text
    assert "甲的操作人" in page and "乙的操作人" not in page and "全公司登录" not in page
    whole = login(make_user(Role.AUDITOR)).get("/audit/").text
    assert "乙的操作人" in whole and "全公司登录" in whole


def test_audit_log_is_paginated(company, make_user, login):
    for number in range(55):
        record_event("auth.login", Actor(key=str(number), name=f"用户{number:02d}"))
    session.flush()
    client = login(make_user(Role.AUDITOR))
    first = client.get("/audit/?action=auth.login")
    assert first.text.count('data-action="auth.login"') == 50
    second = client.get("/audit/?action=auth.login&page=2")
    assert second.text.count('data-action="auth.login"') == 6


def test_only_auditors_and_admins_see_the_log(company, make_user, login):
    assert login(make_user(Role.HR_OFFICER)).get("/audit/").status_code == 403
    assert login(make_user(Role.ADMIN)).get("/audit/").status_code == 200
