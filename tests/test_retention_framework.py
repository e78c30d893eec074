"""The retention framework: ``CAREBRIDGE_RETENTION`` parsed at start (unknown rules and too few
months stop the app), the nightly job (idempotent, committing rule by rule), ``carebridge purge``
and the administrators' page with its dry-run counts and "run now" (audited)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from employer_portal import create_app
from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.features import Feature, Retention, forget_feature
from plugin.core.settings import SettingsError
from plugin.privacy import retention
from plugin.privacy.retention_settings import parse_retention
from plugin.registry.models import Worker

from .conftest import csrf_token, portal_test_config

PAGE = "/privacy/retention/"


@pytest.fixture
def leaver(make_unit, make_worker, clock):
    """A worker who left 36 months before the clock's day (2026-11-22): due today."""
    return make_worker(make_unit(name="甲项目部"), name="赵早离", employment_status="离职",
                       left_on="2023-11-22")


def test_the_setting_names_rules_and_months():
    assert parse_retention("") == {}
    assert parse_retention(" registry.leavers = 48 , aid.closed_applications=60") == {
        "registry.leavers": 48, "aid.closed_applications": 60}


@pytest.mark.parametrize(("value", "message"), [
    ("registry.leavers=0", "registry.leavers=0: keep at least 1 months"),
    ("registry.leavers=-3", "keep at least 1 months"),
    ("audit.events=12", "audit.events=12: keep at least 36 months"),
    ("nothing.here=12", "unknown rule 'nothing.here'"),
    ("registry.leavers", "'registry.leavers' is not 'rule.code=months'"),
    ("registry.leavers=twelve", "is not 'rule.code=months'"),
    ("registry.leavers=12,registry.leavers=14", "registry.leavers is given twice"),
])
def test_a_bad_setting_is_refused_naming_the_entry(value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_retention(value)


def test_a_bad_setting_stops_the_app_at_start(database_url):
    with pytest.raises(SettingsError, match=r"CAREBRIDGE_RETENTION: unknown rule 'registry\.x'"):
        create_app(portal_test_config(database_url, CAREBRIDGE_RETENTION="registry.x=5"))


def test_configured_months_replace_the_default(app_context, set_setting):
    set_setting("CAREBRIDGE_RETENTION", "registry.leavers=48")
    rules = {rule.code: rule for rule in retention.configured_rules()}
    assert rules["registry.leavers"].months == 48 and not rules["registry.leavers"].is_default
    assert rules["registry.children_of_leavers"].months == 12
    assert rules["registry.children_of_leavers"].is_default


def test_a_rule_needs_a_default_of_at_least_its_minimum_and_a_feature_code():
    with pytest.raises(ValueError, match="at least the minimum"):
        Retention("x.y", "x", 12, "x", "m:f", minimum_months=36)
    with pytest.raises(ValueError, match="<feature>.<name>"):
        Retention("nodot", "x", 12, "x", "m:f")


def test_a_rule_named_after_another_feature_is_a_declaration_error():
    from plugin.privacy.retention_settings import declared_rules

    stray = Feature(name="retention_stray", package="tests",
                    retention=(Retention("registry.stray", "x", 1, "x", "m:f"),))
    try:
        with pytest.raises(ValueError, match="must be named retention_stray"):
            declared_rules([stray])
    finally:
        forget_feature("retention_stray")


def test_the_job_purges_once_and_commits_nothing_twice(app, leaver, clock):
    from plugin.privacy.jobs import purge_expired_personal_data

    first = purge_expired_personal_data()
    assert first["registry.leavers"] == 1
    assert set(first) == {rule.code for rule in retention.configured_rules()}
    assert set(purge_expired_personal_data().values()) == {0}
    events = list(session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.purged")).scalars())
    # The job audits rules that purged something, with the count only.
    assert [(event.target_id, event.details) for event in events
            if event.target_id == "registry.leavers"] == [("registry.leavers", {"count": 1})]
    assert all(event.details["count"] > 0 for event in events)


def test_the_command_dry_run_lists_rules_months_and_counts(app, leaver, set_setting):
    set_setting("CAREBRIDGE_RETENTION", "registry.children_of_leavers=18")
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing is changed" in result.output
    assert re.search(r"registry\.leavers\s+36 months\s+1$", result.output, re.M)
    assert re.search(r"registry\.children_of_leavers\s+18\* months\s+0$", result.output, re.M)
    assert session.get(Worker, leaver.id).name == "赵早离"


def test_administrators_see_each_rule_with_todays_count(make_user, login, leaver):
    page = login(make_user(Role.ADMIN)).get(PAGE)
    assert page.status_code == 200
    row = re.search(r'<tr data-rule="registry.leavers">(.*?)</tr>', page.text, re.S).group(1)
    assert "已离职职工本人" in row and "36 个月" in row and "工号改为" in row
    assert re.search(r'class="retention-count">1<', row)
    assert "赵早离" not in page.text


@pytest.mark.parametrize("role", [Role.HR_OFFICER, Role.AUDITOR, Role.REPORT_OFFICER])
def test_no_other_role_sees_the_page_by_default(make_user, login, role, client):
    user_client = login(make_user(role))
    assert user_client.get(PAGE).status_code == 403
    assert user_client.post(PAGE + "registry.leavers/run").status_code in (400, 403)
    assert client.get(PAGE).status_code == 302  # signed out: to the sign-in page


def test_run_now_purges_the_rule_and_audits_it(make_user, login, leaver):
    admin = make_user(Role.ADMIN)
    client = login(admin)
    page = client.get(PAGE)
    response = client.post(PAGE + "registry.leavers/run",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "1 条记录" in client.get(PAGE).text
    session.expire_all()
    assert session.get(Worker, leaver.id).name == "已清除"
    (event,) = session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.purged")).scalars()
    assert event.target_id == "registry.leavers" and event.details == {"count": 1}
    assert event.actor_key == admin.key
    # Run again: nothing left, still audited (an administrator pressed the button).
    client.post(PAGE + "registry.leavers/run", data={"csrf_token": csrf_token(page.text)})
    counts = [event.details["count"] for event in session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.purged").order_by(AuditEvent.id)).scalars()]
    assert counts == [1, 0]


def test_run_now_answers_404_for_an_unknown_rule_and_400_without_a_token(make_user, login):
    client = login(make_user(Role.ADMIN))
    page = client.get(PAGE)
    assert client.post(PAGE + "registry.nothing/run",
                       data={"csrf_token": csrf_token(page.text)}).status_code == 404
    assert client.post(PAGE + "registry.leavers/run").status_code == 400
    assert not session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.purged")).first()


def test_the_audit_log_reads_the_rule_by_its_label(make_user, login, leaver):
    client = login(make_user(Role.ADMIN))
    page = client.get(PAGE)
    client.post(PAGE + "registry.leavers/run", data={"csrf_token": csrf_token(page.text)})
    log = client.get("/audit/").text
    assert "按保留期限清除个人信息" in log and "已离职职工本人" in log
    assert "清除或匿名化的记录数" in log
