"""Issue #13, finding 1: users, their roles and their passwords are managed only within the
actor's reach. A user is within reach when every role they hold is one the actor could have
granted where they hold it (the actor manages users there and holds every permission of the
role there); a user with no role at all is reached only by someone who could grant any role on
the whole company. Beyond reach a user does not exist: not listed, 404 for the page and every
action, nothing of them shown."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from employer_portal.accounts import queries, services
from employer_portal.accounts.models import User
from plugin.access.queries import get_grant, grants_for_users, may_manage_user
from plugin.access.roles import Role
from plugin.access.services import grant_role, revoke_role
from plugin.core.db import session
from plugin.core.errors import NotFound, ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind

from .conftest import PASSWORD, SYSTEM, submit
from .support import recorded_statements

NEW_PASSWORD = "Taken-over-1"
#: Hashed once: hashing is slow on purpose, and these tests make a hundred accounts.
PASSWORD_HASH = generate_password_hash(PASSWORD)


def fast_user(role, unit=None, *, username: str, name: str | None = None) -> User:
    """An account like ``make_user``'s, with the password hashed beforehand."""
    user = User(username=username, display_name=name or username, password_hash=PASSWORD_HASH)
    session.add(user)
    session.flush()
    if role is not None:
        grant_role(user.key, role, unit, actor=SYSTEM, check_actor=False)
    return user


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


@pytest.fixture
def people(company, make_unit):
    """A company with a bureau; site A (with a team) in it, site B beside it; and users."""
    bureau = make_unit(OrgKind.SUBSIDIARY, name="一局")
    site_a = make_unit(OrgKind.SITE, parent=bureau, name="甲项目部")
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    people = {
        "company_admin": fast_user(Role.ADMIN, company, username="boss", name="总管理员"),
        "site_admin": fast_user(Role.ADMIN, site_a, username="site-admin", name="甲管理员"),
        "peer_admin": fast_user(Role.ADMIN, site_a, username="peer-admin", name="甲副管理员"),
        "hr_a": fast_user(Role.HR_OFFICER, site_a, username="hr-a", name="甲人事"),
        "team_lead": fast_user(Role.SITE_MANAGER, team, username="team-lead", name="班组长"),
        "team_admin": fast_user(Role.ADMIN, team, username="team-admin", name="班组管理员"),
        "bureau_admin": fast_user(Role.ADMIN, bureau, username="bureau-admin", name="一局管理员"),
        "hr_b": fast_user(Role.HR_OFFICER, site_b, username="hr-b", name="乙人事"),
        # One role inside site A, one above it: beyond the site admin's reach as a whole.
        "mixed": fast_user(Role.HR_OFFICER, site_a, username="mixed", name="兼职审计"),
        "no_role": fast_user(None, username="no-role", name="无角色"),
    }
    grant_role(people["mixed"].key, Role.AUDITOR, company, actor=SYSTEM, check_actor=False)
    session.flush()
    return {"units": {"company": company, "bureau": bureau, "site_a": site_a, "team": team,
                      "site_b": site_b}, **people}


BEYOND_SITE_ADMIN = ("company_admin", "bureau_admin", "hr_b", "mixed", "no_role")
WITHIN_SITE_ADMIN = ("site_admin", "peer_admin", "hr_a", "team_lead", "team_admin")


def test_the_list_shows_only_users_within_reach(people, login):
    client = login(people["site_admin"])
    page = client.get("/users/").text
    for name in WITHIN_SITE_ADMIN:
        assert f'>{people[name].username}</a>' in page, name
    for name in BEYOND_SITE_ADMIN:
        assert people[name].username not in page and people[name].display_name not in page, name
    # Roles of users beyond reach never show either (the mixed user's company-wide auditor role).
    assert "审计员" not in page and "乙项目部" not in page


def test_the_company_admin_sees_everyone(people, login):
    page = login(people["company_admin"]).get("/users/").text
    for name in WITHIN_SITE_ADMIN + BEYOND_SITE_ADMIN:
        assert f'>{people[name].username}</a>' in page, name


def test_search_finds_only_users_within_reach(people, login):
    client = login(people["site_admin"])
    found = client.get("/users/?q=admin").text
    assert ">site-admin</a>" in found and ">peer-admin</a>" in found and ">team-admin</a>" in found
    assert "boss" not in found and "bureau-admin" not in found
    assert "bureau-admin" not in client.get("/users/?q=bureau").text
    assert "总管理员" not in client.get("/users/?q=总").text


@pytest.mark.parametrize("name", BEYOND_SITE_ADMIN)
def test_a_user_beyond_reach_answers_404_and_shows_nothing(people, login, name):
    target = people[name]
    client = login(people["site_admin"])
    page = client.get(f"/users/{target.id}")
    assert page.status_code == 404
    assert target.username not in page.text and target.display_name not in page.text
    assert client.get(f"/users/{target.id}").status_code == client.get("/users/999999").status_code


@pytest.mark.parametrize("name", BEYOND_SITE_ADMIN)
def test_no_action_reaches_a_user_beyond_reach(people, login, name):
    target = people[name]
    client = login(people["site_admin"])
    form_url = f"/users/{people['hr_a'].id}"  # a page of the actor's own, for the CSRF token
    posts = [
        {"action": "password", "password-password": NEW_PASSWORD, "password-confirm": NEW_PASSWORD},
        {"action": "profile", "profile-display_name": "改掉了"},  # unchecked "active": deactivate
        {"action": "unlock"},
        {"action": "grant", "grant-role": "hr_officer",
         "grant-unit": str(people["units"]["site_a"].id)},
    ]
    grants_before = len(grants_for_users([target.key])[target.key])
    for data in posts:
        response = submit(client, f"/users/{target.id}", data, form_url=form_url)
        assert response.status_code == 404, data["action"]
        assert target.display_name not in response.text
    session.expire_all()
    target = session.get(User, target.id)
    assert check_password_hash(target.password_hash, PASSWORD)
    assert target.active and target.display_name != "改掉了"
    assert len(grants_for_users([target.key])[target.key]) == grants_before


def test_a_grant_of_a_user_beyond_reach_cannot_be_revoked(people, login):
    client = login(people["site_admin"])
    mixed = people["mixed"]
    for grant in grants_for_users([mixed.key])[mixed.key]:  # site A's role too: the user is out
        response = submit(client, f"/users/{mixed.id}/grants/{grant.id}/revoke", {},
                          form_url=f"/users/{people['hr_a'].id}")
        assert response.status_code == 404
        assert get_grant(grant.id) is not None
    hr_b = people["hr_b"]
    grant = grants_for_users([hr_b.key])[hr_b.key][0]
    # Naming the grant under a user within reach does not help either.
    response = submit(client, f"/users/{people['hr_a'].id}/grants/{grant.id}/revoke", {},
                      form_url=f"/users/{people['hr_a'].id}")
    assert response.status_code == 404 and get_grant(grant.id) is not None


def test_users_within_reach_are_managed_as_before(people, login, client):
    hr_a = people["hr_a"]
    admin_client = login(people["site_admin"])
    assert admin_client.get(f"/users/{hr_a.id}").status_code == 200
    response = submit(admin_client, f"/users/{hr_a.id}", {
        "action": "password", "password-password": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(hr_a, NEW_PASSWORD)
    grant = grants_for_users([hr_a.key])[hr_a.key][0]
    assert submit(admin_client, f"/users/{hr_a.id}/grants/{grant.id}/revoke", {},
                  form_url=f"/users/{hr_a.id}").status_code == 302
    assert get_grant(grant.id) is None


def test_nobody_reaches_a_user_with_more_power(people):
    """Within one's subtree, but holding a role higher up (the site admin, for a team admin)."""
    team_admin = actor_of(people["team_admin"])
    for name in ("site_admin", "peer_admin", "hr_a", "company_admin"):
        assert not may_manage_user(team_admin, people[name].key), name
        with pytest.raises(NotFound):
            services.set_password(people[name], NEW_PASSWORD, actor=team_admin)
        with pytest.raises(NotFound):
            services.update_user(people[name], actor=team_admin, display_name="x", active=False)
        with pytest.raises(NotFound):
            services.unlock(people[name], actor=team_admin)
    assert may_manage_user(team_admin, people["team_lead"].key)


def test_a_user_without_roles_is_reached_company_wide_only(people, login):
    no_role = people["no_role"]
    for name in ("site_admin", "bureau_admin", "team_admin"):
        assert not may_manage_user(actor_of(people[name]), no_role.key), name
    assert may_manage_user(actor_of(people["company_admin"]), no_role.key)
    assert login(people["company_admin"]).get(f"/users/{no_role.id}").status_code == 200
    # ...and a site admin cannot adopt such an account by granting it a role.
    with pytest.raises(NotFound):
        grant_role(no_role.key, Role.HR_OFFICER, people["units"]["site_a"],
                   actor=actor_of(people["site_admin"]))


def test_no_one_grants_above_or_outside_their_grants(people, login):
    site_admin = actor_of(people["site_admin"])
    units = people["units"]
    for unit in (units["company"], units["bureau"], units["site_b"]):
        with pytest.raises(ValidationError):
            grant_role(people["hr_a"].key, Role.ADMIN, unit, actor=site_admin)
    client = login(people["site_admin"])
    # The page only offers units of the actor's subtree; a forged unit is refused and nothing
    # is granted.
    response = submit(client, f"/users/{people['hr_a'].id}", {
        "action": "grant", "grant-role": "admin", "grant-unit": str(units["company"].id)})
    assert response.status_code == 422
    assert [g.org_unit_id for g in grants_for_users([people["hr_a"].key])[people["hr_a"].key]] == [
        units["site_a"].id]
    # New accounts: the same check, before anything is written.
    created = submit(client, "/users/new", {
        "username": "newcomer", "display_name": "新人", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD, "role": "admin", "unit": str(units["bureau"].id)})
    assert created.status_code == 422 and services.get_user_by_username("newcomer") is None
    created = submit(client, "/users/new", {
        "username": "newcomer", "display_name": "新人", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD, "role": "hr_officer", "unit": str(units["team"].id)})
    assert created.status_code == 302
    newcomer = services.get_user_by_username("newcomer")
    assert may_manage_user(site_admin, newcomer.key)


def test_revoking_is_checked_like_granting(people):
    def first_grant(name):
        return grants_for_users([people[name].key])[people[name].key][0]

    hr_b_grant = first_grant("hr_b")
    with pytest.raises(NotFound):
        revoke_role(hr_b_grant, actor=actor_of(people["site_admin"]))
    bureau_admin_grant = first_grant("bureau_admin")
    with pytest.raises(NotFound):
        revoke_role(bureau_admin_grant, actor=actor_of(people["site_admin"]))
    assert get_grant(hr_b_grant.id) and get_grant(bureau_admin_grant.id)


def test_the_list_and_the_single_check_agree(people):
    everyone = list(session.execute(select(User).order_by(User.id)).scalars())
    for actor_name in ("company_admin", "bureau_admin", "site_admin", "team_admin", "hr_a",
                       "no_role", "mixed"):
        actor = actor_of(people[actor_name])
        listed = {user.id for user in queries.list_users(actor=actor).items}
        reached = {user.id for user in everyone if may_manage_user(actor, user.key)}
        assert listed == reached, actor_name
    bureau = queries.list_users(actor=actor_of(people["bureau_admin"])).items
    assert {user.username for user in bureau} == {
        "bureau-admin", "site-admin", "peer-admin", "hr-a", "team-lead", "team-admin"}


def test_the_list_filters_and_pages_in_the_database(people):
    site_a, site_b = people["units"]["site_a"], people["units"]["site_b"]
    for number in range(55):
        fast_user(Role.CARE_WORKER, site_a, username=f"care-a-{number:02d}")
        fast_user(Role.CARE_WORKER, site_b, username=f"care-b-{number:02d}")
    actor = actor_of(people["site_admin"])
    with recorded_statements() as statements:
        first = queries.list_users(actor=actor, page=1)
    second = queries.list_users(actor=actor, page=2)
    assert first.total == second.total == 60 and len(first.items) == 50 and len(second.items) == 10
    assert all(may_manage_user(actor, user.key) for user in [*first.items, *second.items])
    paged = [s for s in statements if "portal_user" in s and "LIMIT" in s.upper()]
    assert len(paged) == 1 and "EXISTS" in paged[0].upper()
    searched = queries.list_users(actor=actor, search="care-b")
    assert searched.total == 0
    assert queries.list_users(actor=actor, search="care_a").total == 0  # "_" is no wildcard
    assert queries.list_users(actor=actor, page=10**20).items == []


def test_a_site_admin_cannot_take_over_the_company_admin(people, login, client):
    """The probe's attack, end to end: reset the company admin's password, then sign in."""
    boss = people["company_admin"]
    attacker = login(people["site_admin"])
    submit(attacker, f"/users/{boss.id}", {
        "action": "password", "password-password": NEW_PASSWORD, "password-confirm": NEW_PASSWORD},
        form_url=f"/users/{people['hr_a'].id}")
    response = submit(client, "/login", {"username": boss.username, "password": NEW_PASSWORD})
    assert response.status_code == 422 and "用户名或密码错误" in response.text
