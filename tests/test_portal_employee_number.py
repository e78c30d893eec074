"""A staff account names its holder's employee number (工号), so the plugin knows which staff users
are workers on the roster (nobody approves their own hardship-aid application): set and cleared
on the user pages, cleaned like every code, one account per number, audited, and answered by the
portal's adapter (:meth:`plugin.core.host.HostAdapter.employee_numbers`) in one query."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from employer_portal.accounts import services
from employer_portal.adapter import PortalAdapter
from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.core.host import HostAdapter
from plugin.org.models import OrgKind

from .conftest import SYSTEM, submit
from .support import recorded_statements

TAKEN = "已关联到另一个账户"


def events(user, action: str) -> list[dict]:
    return [event.details for event in session.execute(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target_type == "user",
                                 AuditEvent.target_id == str(user.id))
        .order_by(AuditEvent.id)).scalars()]


def save_profile(client, user, number: str, name: str | None = None):
    return submit(client, f"/users/{user.id}", {
        "action": "profile", "profile-display_name": name or user.display_name,
        "profile-employee_number": number, "profile-active": "y"})


@pytest.fixture
def admin_client(company, make_user, login):
    return login(make_user(Role.ADMIN, name="总管理员"))


def test_the_number_is_set_cleaned_changed_and_cleared_on_the_user_page(
        company, make_user, admin_client):
    user = make_user(Role.HR_OFFICER, name="王专员")
    assert 'name="profile-employee_number"' in admin_client.get(f"/users/{user.id}").text

    # Typed with a full-width input method and a stray space: stored as the roster writes it.
    response = save_profile(admin_client, user, " Ｅ１０２４ ")
    assert response.status_code == 302
    session.refresh(user)
    assert user.employee_number == "E1024"
    assert 'value="E1024"' in admin_client.get(f"/users/{user.id}").text

    save_profile(admin_client, user, "E2048")
    save_profile(admin_client, user, "")
    session.refresh(user)
    assert user.employee_number is None
    assert [details.get("employee_number") for details in events(user, "user.updated")] == [
        [None, "E1024"], ["E1024", "E2048"], ["E2048", None]]

    # Saving the profile unchanged records nothing.
    save_profile(admin_client, user, "")
    assert len(events(user, "user.updated")) == 3


def test_a_number_belongs_to_one_account(company, make_user, admin_client):
    first = make_user(Role.HR_OFFICER, name="王专员")
    second = make_user(Role.HR_OFFICER, name="李专员")
    assert save_profile(admin_client, first, "E1024").status_code == 302

    refused = save_profile(admin_client, second, "Ｅ1024", name="李专员改名")
    assert refused.status_code == 422
    assert "工号“E1024”" in refused.text and TAKEN in refused.text
    session.refresh(second)
    assert second.employee_number is None and second.display_name == "李专员"
    assert events(second, "user.updated") == []

    # Saving one's own number again is no clash; a different number is free.
    assert save_profile(admin_client, first, "E1024").status_code == 302
    assert save_profile(admin_client, second, "E1025").status_code == 302
    with pytest.raises(ValidationError) as refusal:
        services.update_user(second, actor=SYSTEM, display_name="李专员",
                             active=True, employee_number="E1024")
    assert refusal.value.field == "employee_number"
    # Two accounts without a number are no clash either.
    services.update_user(first, actor=SYSTEM, display_name="王专员", active=True,
                         employee_number=None)
    services.update_user(second, actor=SYSTEM, display_name="李专员", active=True,
                         employee_number="  ")
    assert first.employee_number is None and second.employee_number is None


def test_a_new_user_may_be_given_a_number(company, make_unit, admin_client):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    form = {"display_name": "张伟", "password": "Abcdefg-1", "confirm": "Abcdefg-1",
            "role": "site_manager", "unit": str(site.id)}
    assert 'name="employee_number"' in admin_client.get("/users/new").text
    created = submit(admin_client, "/users/new", {**form, "username": "zhangwei",
                                                  "employee_number": "ｅ-0007"})
    assert created.status_code == 302
    user = services.get_user_by_username("zhangwei")
    assert user.employee_number == "e-0007"
    assert events(user, "user.created")[0]["employee_number"] == "e-0007"

    again = submit(admin_client, "/users/new", {**form, "username": "zhangwei2",
                                                "employee_number": "e-0007"})
    assert again.status_code == 422 and TAKEN in again.text
    assert services.get_user_by_username("zhangwei2") is None
    too_long = submit(admin_client, "/users/new", {**form, "username": "zhangwei3",
                                                   "employee_number": "9" * 65})
    assert too_long.status_code == 422 and services.get_user_by_username("zhangwei3") is None

    without = submit(admin_client, "/users/new", {**form, "username": "lisi"})
    assert without.status_code == 302
    assert services.get_user_by_username("lisi").employee_number is None


def test_creating_with_a_taken_number_reports_it_with_the_other_errors(company, make_user):
    make_user(None, username="holder")
    services.update_user(services.get_user_by_username("holder"), actor=SYSTEM,
                         display_name="持有人", active=True, employee_number="E1")
    with pytest.raises(InputInvalid) as refusal:
        services.create_user("x", "新人", "short", actor=SYSTEM, employee_number="E1")
    assert {error.field for error in refusal.value.errors} == {
        "username", "password", "employee_number"}


def test_the_adapter_answers_the_numbers_of_the_users_that_have_one(company, make_user):
    with_number = make_user(Role.HR_OFFICER)
    other = make_user(Role.HR_OFFICER)
    without = make_user(Role.HR_OFFICER)
    for user, number in ((with_number, "E1024"), (other, "E2048")):
        services.update_user(user, actor=SYSTEM, display_name=user.display_name, active=True,
                             employee_number=number)
    adapter = current_app.extensions["carebridge"].adapter
    assert isinstance(adapter, PortalAdapter)
    keys = [with_number.key, other.key, without.key, "999999", "system:tests", "worker:1", ""]
    with recorded_statements() as statements:
        answer = adapter.employee_numbers(keys)
    assert answer == {with_number.key: "E1024", other.key: "E2048"}
    assert len(statements) == 1
    assert adapter.employee_numbers([]) == {}
    assert adapter.employee_numbers(iter([other.key])) == {other.key: "E2048"}
    # A host that links no accounts to employees answers nothing.
    assert HostAdapter().employee_numbers([with_number.key]) == {}


@pytest.mark.committing
def test_a_host_of_its_own_answers_from_its_employee_table(database_url, tmp_path_factory):
    """The dummy HR host links every user to a ``host_employee`` row: its number is the answer."""
    from .dummy_host import ADMIN_USERNAME, CLERK_USERNAME, EMPLOYEES, HostUser, create_host_app
    from .dummy_host import db as host_db
    from .support import sibling_database_url

    app = create_host_app(sibling_database_url(database_url, "host_numbers",
                                               tmp_path_factory.mktemp("host_numbers")))
    try:
        with app.app_context():
            users = {user.username: user.care_key for user in host_db.session.execute(
                select(HostUser)).scalars()}
            adapter = app.extensions["carebridge"].adapter
            # E-001 is the administrator's row, E-002 the clerk's (E-003 has no account).
            assert adapter.employee_numbers([*users.values(), "hr:999", "7", "hr:x"]) == {
                users[ADMIN_USERNAME]: EMPLOYEES[0][0], users[CLERK_USERNAME]: EMPLOYEES[1][0]}
            assert adapter.employee_numbers([]) == {}
    finally:
        with app.app_context():
            host_db.engine.dispose()
