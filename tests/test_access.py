import pytest

from plugin.access.checks import has_permission, scope_paths
from plugin.access.permissions import USERS_MANAGE
from plugin.access.roles import ROLE_PERMISSIONS, Permission, Role
from plugin.access.services import grant_role, revoke_role
from plugin.audit.permissions import AUDIT_VIEW
from plugin.core.errors import ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.permissions import ORG_MANAGE, ORG_VIEW

from .conftest import SYSTEM, submit


def actor_of(user):
    return Actor(key=user.key, name=user.display_name)


def test_every_role_has_permissions_and_admin_has_all(app):
    assert set(ROLE_PERMISSIONS) == set(Role)
    declared = {permission for feature in app.extensions["carebridge"].features
                for permission in feature.permissions}
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(declared)
    assert all(isinstance(permission, Permission) for permission in declared)
    assert AUDIT_VIEW in ROLE_PERMISSIONS[Role.AUDITOR]
    assert USERS_MANAGE not in ROLE_PERMISSIONS[Role.HR_OFFICER]


#: The default policy, as the features declare it. A change here is a change of who may do what
#: in every company that has not granted otherwise: review it as such.
DEFAULT_POLICY = {
    Role.HR_OFFICER: {
        "org.view", "org.manage", "workers.view", "workers.manage", "workers.contact_view",
        "worker_phones.manage", "children.view", "children.manage", "children.id_view",
        "rosters.import", "lectures.view", "lectures.manage", "attendance.record", "pledges.view",
        "pledges.manage", "guardianship.view", "guardianship.manage", "integrity.manage",
        "reunions.view", "reunions.book", "family_contact.view", "family_contact.allowances",
        "referrals.view", "risk_reports.raise", "privacy.corrections", "holiday_safety.view",
        "positions.view", "positions.manage", "positions.decide"},
    Role.SITE_MANAGER: {
        "org.view", "workers.view", "children.view", "lectures.view", "lectures.manage",
        "attendance.record", "pledges.view", "guardianship.view", "reunions.view",
        "reunions.visits", "reports.confirm", "aid.view", "aid.apply", "aid.decide",
        "aid.pairing", "family_contact.view", "family_contact.rooms", "referrals.view",
        "care_team.view", "care_team.services", "risk_reports.raise", "risk_reports.view",
        "risk_reports.handle", "holiday_safety.view", "holiday_safety.manage", "positions.view"},
    Role.UNION_OFFICER: {
        "org.view", "workers.view", "children.view", "lectures.view", "pledges.view",
        "guardianship.view", "integrity.manage", "reunions.view", "reunions.manage",
        "reunions.visits", "reports.view", "aid.view", "aid.apply", "aid.decide", "aid.pay",
        "aid.funds", "aid.pairing", "aid.visits", "family_contact.view",
        "family_contact.allowances", "family_contact.rooms", "referrals.view", "care_team.view",
        "care_team.manage", "care_team.services", "care_team.commend", "risk_reports.raise",
        "holiday_safety.view"},
    Role.CARE_WORKER: {
        "org.view", "workers.view", "children.view", "lectures.view", "lectures.manage",
        "attendance.record", "guardianship.view", "reunions.view", "reunions.visits",
        "aid.view", "aid.apply", "aid.pairing", "family_contact.view", "family_contact.rooms",
        "referrals.view", "referrals.manage", "care_team.view", "care_team.manage",
        "care_team.services", "risk_reports.raise", "risk_reports.view", "risk_reports.handle",
        "holiday_safety.view", "holiday_safety.manage"},
    Role.REPORT_OFFICER: {"org.view", "lectures.view", "reunions.view", "reports.view",
                          "reports.file", "reports.confirm", "family_contact.view",
                          "risk_reports.raise"},
    Role.AUDITOR: {"org.view", "audit.view", "risk_reports.raise"},
}


@pytest.mark.parametrize("role", list(DEFAULT_POLICY))
def test_the_features_declare_the_default_policy(app, role):
    assert set(ROLE_PERMISSIONS[role]) == DEFAULT_POLICY[role]


def test_grant_covers_the_subtree_only(company, make_unit, make_user):
    bureau = make_unit(OrgKind.SUBSIDIARY)
    site_in, site_out = make_unit(parent=bureau), make_unit()
    hr = make_user(Role.HR_OFFICER, bureau)
    assert has_permission(hr.key, ORG_MANAGE, site_in)
    assert has_permission(hr.key, ORG_MANAGE, bureau)
    assert not has_permission(hr.key, ORG_MANAGE, site_out)
    assert not has_permission(hr.key, ORG_MANAGE, company)
    assert not has_permission(hr.key, AUDIT_VIEW)
    assert has_permission(hr.key, ORG_VIEW)
    assert not has_permission(None, ORG_VIEW)


def test_scope_paths_fold_nested_grants(company, make_unit, make_user):
    site = make_unit()
    user = make_user(Role.SITE_MANAGER, site)
    grant_role(user.key, Role.HR_OFFICER, company, actor=SYSTEM, check_actor=False)
    assert scope_paths(user.key, ORG_VIEW) == [company.path]
    assert scope_paths(user.key, AUDIT_VIEW) == []


def test_granting_twice_is_idempotent(company, make_user):
    user = make_user(None)
    first = grant_role(user.key, Role.AUDITOR, company, actor=SYSTEM, check_actor=False)
    assert grant_role(user.key, Role.AUDITOR, company, actor=SYSTEM, check_actor=False).id == first.id


def test_no_escalation_outside_own_scope(company, make_unit, make_user):
    site_a, site_b = make_unit(), make_unit()
    site_admin = make_user(Role.ADMIN, site_a)
    newcomer = make_user(Role.AUDITOR, site_a)  # within the site admin's reach (no grant: not)
    grant_role(newcomer.key, Role.HR_OFFICER, site_a, actor=actor_of(site_admin))
    with pytest.raises(ValidationError):
        grant_role(newcomer.key, Role.HR_OFFICER, site_b, actor=actor_of(site_admin))
    hr = make_user(Role.HR_OFFICER, company)
    with pytest.raises(ValidationError):
        grant_role(newcomer.key, Role.SITE_MANAGER, site_a, actor=actor_of(hr))


def test_admin_cannot_revoke_own_admin_role(company, make_user):
    from plugin.access.queries import grants_for_users

    admin = make_user(Role.ADMIN)
    grant = grants_for_users([admin.key])[admin.key][0]
    with pytest.raises(ValidationError):
        revoke_role(grant, actor=actor_of(admin))


def test_another_sites_records_are_not_found_and_own_pages_beyond_the_role_are_forbidden(
        make_unit, make_user, login):
    site_a, site_b = make_unit(name="甲"), make_unit(name="乙")
    client = login(make_user(Role.SITE_MANAGER, site_a))
    assert client.get(f"/org/units/{site_a.id}").status_code == 200
    assert client.get(f"/org/units/{site_b.id}").status_code == 404  # as if it did not exist
    assert client.get(f"/org/units/{site_b.id + 1000}").status_code == 404
    assert client.get(f"/org/units/{site_a.id}/edit").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/users/").status_code == 403
    assert client.get("/org/company").status_code == 403


def test_anonymous_visitors_are_sent_to_login(company, client):
    response = client.get(f"/org/units/{company.id}?x=1")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_navigation_shows_each_role_what_it_may_use(company, make_user, login):
    auditor_page = login(make_user(Role.AUDITOR)).get("/").text
    assert "审计日志" in auditor_page and 'href="/users/"' not in auditor_page
    admin_page = login(make_user(Role.ADMIN)).get("/").text
    assert "审计日志" in admin_page and 'href="/users/"' in admin_page
    site_page = login(make_user(Role.SITE_MANAGER)).get("/").text
    assert "审计日志" not in site_page


def test_admin_manages_users_and_grants(company, make_unit, make_user, login):
    site = make_unit(name="甲项目部")
    admin = make_user()
    client = login(admin)
    created = submit(client, "/users/new", {
        "username": "zhangwei", "display_name": "张伟", "password": "Abcdefg-1",
        "confirm": "Abcdefg-1", "role": "site_manager", "unit": str(site.id)})
    assert created.status_code == 302
    page = client.get(created.location)
    assert "张伟" in page.text and "甲项目部" in page.text
    listing = client.get("/users/?q=zhang")
    assert "zhangwei" in listing.text and admin.username not in listing.text
    weak = submit(client, "/users/new", {
        "username": "lisi", "display_name": "李四", "password": "12345678", "confirm": "12345678",
        "role": "hr_officer", "unit": str(site.id)})
    assert weak.status_code == 422 and "字母" in weak.text
    assert "lisi" not in client.get("/users/").text


def test_user_creation_refused_by_grant_scope_writes_nothing(company, make_unit, make_user, login):
    from employer_portal.accounts.services import get_user_by_username

    site_a, site_b = make_unit(), make_unit()
    client = login(make_user(Role.ADMIN, site_a))
    response = submit(client, "/users/new", {
        "username": "outsider", "display_name": "外人", "password": "Abcdefg-1",
        "confirm": "Abcdefg-1", "role": "hr_officer", "unit": str(site_b.id)})
    assert response.status_code == 422
    assert get_user_by_username("outsider") is None


def test_grant_and_revoke_send_signals(app, company, make_user):
    from plugin.signals import role_granted, role_revoked

    received = []
    user = make_user(None)
    with role_granted.connected_to(lambda sender, **kw: received.append(("granted", kw["grant"].role)), app), \
            role_revoked.connected_to(lambda sender, **kw: received.append(("revoked", kw["role"])), app):
        grant = grant_role(user.key, Role.AUDITOR, company, actor=SYSTEM, check_actor=False)
        admin = make_user(Role.ADMIN)
        revoke_role(grant, actor=actor_of(admin))
    assert ("granted", Role.AUDITOR) in received and ("revoked", Role.AUDITOR) in received
