"""Issue #16's form polish: a new user's role has no default and each role is explained; a reload
after an audited action does not repeat it (POST-redirect-GET); digit fields open the phone's
number pad."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from employer_portal.accounts.services import get_user_by_username
from plugin.access.roles import Role
from plugin.api_tokens.models import ApiToken
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind

from .conftest import csrf_token, submit
from .factories import make_child, make_worker
from .imports_support import id_number


def audit_count(action: str) -> int:
    return session.execute(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.action == action)).scalar_one()


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<(?:input|select)[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, name
    return match.group(0)


# -- 1. roles ------------------------------------------------------------------------------------

def test_a_new_users_role_starts_empty_and_each_role_is_explained(company, make_unit, make_user, login):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    client = login(make_user())
    page = client.get("/users/new").text
    options = re.findall(r'<option([^>]*)value="([^"]*)"[^>]*>([^<]*)</option>',
                         page.split('name="role"')[1].split("</select>")[0])
    assert options[0][1] == "" and "请选择角色" in options[0][2]
    assert not any("selected" in attributes for attributes, value, _ in options if value)
    for role in Role:
        assert f'data-role="{role.value}"' in page
    refused = submit(client, "/users/new", {
        "username": "norole", "display_name": "无角色", "password": "Abcdefg-1",
        "confirm": "Abcdefg-1", "role": "", "unit": str(site.id)})
    assert refused.status_code == 422 and "请选择要授予的角色" in refused.text
    assert get_user_by_username("norole") is None
    created = submit(client, "/users/new", {
        "username": "withrole", "display_name": "有角色", "password": "Abcdefg-1",
        "confirm": "Abcdefg-1", "role": "site_manager", "unit": str(site.id)})
    assert created.status_code == 302


def test_the_grant_form_on_a_users_page_has_no_default_role_either(company, make_user, login):
    client = login(make_user())
    other = make_user(None)
    session.commit()
    page = client.get(f"/users/{other.id}").text
    select_html = page.split('name="grant-role"')[1].split("</select>")[0]
    assert re.search(r'<option[^>]*selected[^>]*value=""|<option[^>]*value=""[^>]*selected', select_html)


# -- 2. POST-redirect-GET ------------------------------------------------------------------------

def test_reloading_a_revealed_id_number_neither_audits_again_nor_shows_it_again(
        company, clock, make_unit, make_user, login):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    parent = make_worker(site, employee_number="E001", name="张三")
    number = id_number("110105", "20100202", "001")
    child = make_child(parent, name="张小明", birth_date="2010-02-02", id_number=number)
    client = login(make_user(Role.HR_OFFICER, site))
    session.commit()
    page = client.get(f"/children/{child.id}")
    answer = client.post(f"/children/{child.id}/reveal-id",
                         data={"csrf_token": csrf_token(page.text), "reveal-reason": "核对学籍信息"})
    assert answer.status_code == 302 and answer.location.endswith(f"/children/{child.id}")
    assert number not in answer.location
    shown = client.get(answer.location)
    assert number in shown.text and 'id="revealed-once"' in shown.text
    assert audit_count("child.id_revealed") == 1
    reloaded = client.get(answer.location)
    assert number not in reloaded.text and "110***" in reloaded.text
    assert audit_count("child.id_revealed") == 1
    # The session cookie never carries the number.
    cookies = " ".join(cookie.value for cookie in client._cookies.values())
    assert number not in cookies


def test_an_api_tokens_secret_is_shown_once_after_a_redirect(company, make_user, login):
    client = login(make_user())
    issued = submit(client, "/api-tokens/new", {"name": "金蝶HR", "unit": str(company.id),
                                                "scope": "read_only"})
    assert issued.status_code == 302
    first = client.get(issued.location)
    assert 'id="api-token-secret"' in first.text
    secret = first.text.split('id="api-token-secret"')[1].split('value="')[1].split('"')[0]
    again = client.get(issued.location)
    assert again.status_code == 302 and secret not in again.text
    assert session.execute(select(func.count()).select_from(ApiToken)).scalar_one() == 1
    assert audit_count("api_token.issued") == 1


def test_an_activation_code_is_shown_once_after_a_redirect(company, clock, make_unit, make_user, login):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    worker = make_worker(site, employee_number="E2001", name="赵铁柱")
    client = login(make_user(Role.HR_OFFICER, site))
    session.commit()
    page = client.get(f"/workers/{worker.id}/phones")
    answer = client.post(f"/workers/{worker.id}/phones/code",
                         data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302
    shown = client.get(answer.location)
    assert 'id="activation-code"' in shown.text
    reloaded = client.get(answer.location)
    assert 'id="activation-code"' not in reloaded.text
    assert audit_count("worker.activation_code_issued") == 1


# -- 3. number pads ------------------------------------------------------------------------------

def test_digit_fields_open_the_number_pad(company, make_unit, make_user, login, client):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    worker = make_worker(site, employee_number="E3001", name="孙七")
    make_child(worker, left_behind=True, name="孙小七")
    staff = login(make_user())
    session.commit()
    new_worker = staff.get("/workers/new").text
    assert 'type="tel"' in input_tag(new_worker, "phone")
    assert 'inputmode="numeric"' in input_tag(new_worker, "hukou_region_code")
    id_input = input_tag(new_worker, "id_number")  # may end with X: letters stay
    assert 'inputmode="text"' in id_input and 'autocapitalize="characters"' in id_input
    child_form = staff.get(f"/workers/{worker.id}/children/new").text
    assert 'type="tel"' in input_tag(child_form, "carer_phone")
    activation = client.get("/w/activate").text
    for name in ("code", "pin", "pin_again"):
        assert 'inputmode="numeric"' in input_tag(activation, name)
    assert 'inputmode="numeric"' in input_tag(client.get("/w/sign-in").text, "pin")
    agreement = staff.get(f"/guardianship/workers/{worker.id}/agreements/new").text
    assert 'type="tel"' in input_tag(agreement, "carer_phone")
    assert 'inputmode="text"' in input_tag(agreement, "carer_id_number")


def test_a_new_user_form_names_every_problem_at_once(company, make_unit, make_user, login):
    site = make_unit(OrgKind.SITE, name="一号项目部")
    client = login(make_user(Role.ADMIN))
    make_user(None, username="taken")
    refused = submit(client, "/users/new", {
        "username": "taken", "display_name": "张三", "password": "onlyletters",
        "confirm": "onlyletters", "role": Role.HR_OFFICER.value, "unit": str(site.id)})
    assert refused.status_code == 422
    assert "用户名“taken”已被使用" in refused.text
    assert "密码必须同时包含字母和数字或符号" in refused.text
