"""Issue #13, findings 5 and 9a on the staff side: sign-in attempts are counted before the
password is checked, per account and per client address; known and unknown usernames get the
same answers after the same work; ``next=`` never leads to another site, nor to a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug import security

from employer_portal.accounts import services
from employer_portal.accounts.models import SignInThrottle, User
from plugin.audit.models import AuditEvent
from plugin.core.db import session

from .conftest import PASSWORD, csrf_token, submit

WRONG = "Wrong-pass-1"
ATTACKER = "203.0.113.9"


def attempt(client, username, password, **kwargs):
    return submit(client, "/login", {"username": username, "password": password}, **kwargs)


def error_of(response) -> str:
    assert response.status_code == 422, response.status_code
    return response.text.split('id="login-error">')[1].split("</div>")[0]


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the sign-in checks, with the failure count the account had then."""
    checked = []
    original = security.check_password_hash

    def counting(pwhash, password):
        count = session.execute(select(User.failed_login_count).where(
            User.password_hash == pwhash)).scalar()
        checked.append(count)
        return original(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    return checked


def test_the_attempt_is_counted_before_the_password_is_checked(company, make_user, hash_checks):
    """So a concurrent attempt sees it: the count is already 1 while the first hash is checked."""
    user = make_user()
    with pytest.raises(services.SignInRefused):
        services.sign_in(user.username, WRONG, ip=None, user_agent=None)
    assert hash_checks == [1]


def test_a_locked_account_is_refused_without_checking_the_password(company, make_user, client,
                                                                   hash_checks, clock):
    user = make_user()
    for _ in range(5):
        attempt(client, user.username, WRONG)
    assert len(hash_checks) == 5
    assert "账户已被锁定" in error_of(attempt(client, user.username, PASSWORD))
    assert len(hash_checks) == 5
    clock.advance(minutes=16)
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_unknown_usernames_get_the_same_answers_and_the_same_work(company, make_user, client,
                                                                  hash_checks, clock):
    """A name nobody holds is counted and locked like an account, and its password is checked
    against a hash of the same cost: the answers do not tell which usernames exist."""
    user = make_user(username="zhangwei")
    known, unknown = [], []
    for answers, name in ((known, "zhangwei"), (unknown, "nobody-here")):
        for _ in range(7):
            answers.append(error_of(attempt(client, name, WRONG)))
    assert known == unknown
    assert known[0] == "用户名或密码错误" and "已锁定 15 分钟" in known[4]
    assert "账户已被锁定" in known[5]
    assert len(hash_checks) == 10  # five per name; none once locked
    assert "账户已被锁定" in error_of(attempt(client, "NOBODY-here", WRONG))  # names are case-blind
    clock.advance(minutes=16)
    assert error_of(attempt(client, "nobody-here", WRONG)) == "用户名或密码错误"
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_a_new_account_does_not_inherit_the_guesses_at_its_name(company, make_user, client):
    for _ in range(5):
        attempt(client, "future-user", WRONG)
    user = make_user(username="future-user")
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_the_address_limit_stops_guessing_across_accounts(app, company, make_user, client,
                                                          hash_checks, monkeypatch, clock):
    """72 guesses over 18 workers got one in: now one address gets 10 failures per window."""
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 10)
    users = [make_user() for _ in range(12)]
    attacker = {"environ_base": {"REMOTE_ADDR": ATTACKER}}
    for user in users[:10]:
        assert error_of(attempt(client, user.username, WRONG, **attacker)) == "用户名或密码错误"
    refused = error_of(attempt(client, users[10].username, WRONG, **attacker))
    assert "此网络地址登录失败次数过多" in refused
    # Nothing more is checked from that address, not even a right password of another account.
    assert "此网络地址登录失败次数过多" in error_of(attempt(client, users[11].username, PASSWORD,
                                                            **attacker))
    assert len(hash_checks) == 10
    assert all(user.failed_login_count <= 1 for user in users)
    # Other addresses are not affected; the address may try again once the window is over.
    assert attempt(client, users[11].username, PASSWORD).status_code == 302
    limited = session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.address_limited")).scalar_one()
    assert limited == 1  # one audit entry per window, not one per refused guess
    clock.advance(minutes=16)
    assert attempt(app.test_client(), users[10].username, PASSWORD, **attacker).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(app, company, make_user,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 3)
    own, victims = make_user(), [make_user() for _ in range(4)]
    for victim in victims[:2]:
        with pytest.raises(services.SignInRefused):
            services.sign_in(victim.username, WRONG, ip=ATTACKER, user_agent=None)
    services.sign_in(own.username, PASSWORD, ip=ATTACKER, user_agent=None)
    with pytest.raises(services.SignInRefused) as third:
        services.sign_in(victims[2].username, WRONG, ip=ATTACKER, user_agent=None)
    assert third.value.message == "用户名或密码错误"
    with pytest.raises(services.SignInRefused) as fourth:
        services.sign_in(victims[3].username, PASSWORD, ip=ATTACKER, user_agent=None)
    assert "此网络地址" in fourth.value.message
    row = session.execute(select(SignInThrottle).where(
        SignInThrottle.key == f"address:{ATTACKER}")).scalar_one()
    assert row.failures == 4


# --- next= ----------------------------------------------------------------------------------

@pytest.mark.parametrize("next_url", [
    "/%09/evil.example/", "/%0A/x", "/%0D%0ALocation:%20https://evil.example/", "/%00/x",
    "/%20/evil.example", "%09//evil.example", "/%E3%80%80/evil.example", "/%E2%80%8B/evil.example",
    "/\\evil.example", "//evil.example", "https://evil.example/",
])
def test_login_never_redirects_off_site_nor_fails(company, make_user, client, next_url):
    user = make_user()
    page = client.get(f"/login?next={next_url}")
    assert page.status_code == 200
    response = client.post(f"/login?next={next_url}", data={
        "csrf_token": csrf_token(page.text), "username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("next_url", ["/%09/evil.example/", "/%0A/x", "/%E2%80%AE/x"])
def test_the_language_switch_never_redirects_off_site_nor_fails(client, next_url):
    response = client.get(f"/lang/en?next={next_url}")
    assert response.status_code == 302 and response.location == "/"


def test_an_ipv6_client_counts_as_its_whole_network(app, company, make_user, monkeypatch):
    """One IPv6 client holds a /64: hopping between its addresses does not reset the count."""
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 2)
    users = [make_user() for _ in range(3)]
    for number, user in enumerate(users[:2]):
        with pytest.raises(services.SignInRefused):
            services.sign_in(user.username, WRONG, ip=f"2001:db8:1:2::{number + 1}",
                             user_agent=None)
    with pytest.raises(services.SignInRefused) as refusal:
        services.sign_in(users[2].username, PASSWORD, ip="2001:db8:1:2:ffff::9", user_agent=None)
    assert "此网络地址" in refusal.value.message
    assert services.sign_in(users[2].username, PASSWORD, ip="2001:db8:1:3::1", user_agent=None)


def test_the_address_limit_can_be_switched_off(app, company, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "CAREBRIDGE_LOGIN_ADDRESS_MAX_FAILURES", 0)
    users = [make_user() for _ in range(3)]
    for user in users[:2]:
        with pytest.raises(services.SignInRefused):
            services.sign_in(user.username, WRONG, ip=ATTACKER, user_agent=None)
    assert services.sign_in(users[2].username, PASSWORD, ip=ATTACKER, user_agent=None)
