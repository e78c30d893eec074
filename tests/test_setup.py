from sqlalchemy import func, select

from employer_portal.accounts.models import User
from plugin.access.models import RoleGrant
from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import Company, OrgUnit

from .conftest import submit

SETUP = {"company_name": "华夏建工集团", "username": "wangjg", "display_name": "王建国",
         "password": "Start-2026", "confirm": "Start-2026"}


def count(model):
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_empty_database_sends_everyone_to_set_up(client, app_context):
    for path in ("/", "/login", "/org/", "/users/"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/setup", path
    page = client.get("/setup")
    assert page.status_code == 200 and "欢迎使用关爱桥" in page.text and 'lang="zh-CN"' in page.text


def test_set_up_creates_company_admin_and_signs_in(client, app_context):
    response = submit(client, "/setup", SETUP)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "华夏建工集团" in home.text and "王建国" in home.text
    admin = session.execute(select(User)).scalar_one()
    grant = session.execute(select(RoleGrant)).scalar_one()
    assert grant.role == Role.ADMIN and grant.user_key == admin.key and grant.org_unit.parent_id is None
    assert {"company.created", "user.created", "role.granted"} <= set(
        session.execute(select(AuditEvent.action)).scalars())
    assert client.get("/setup").location == "/"


def test_invalid_set_up_writes_nothing(client, app_context):
    response = submit(client, "/setup", {**SETUP, "password": "short", "confirm": "short"})
    assert response.status_code == 422 and "至少需要 8 个字符" in response.text
    mismatch = submit(client, "/setup", {**SETUP, "confirm": "Other-2026"})
    assert "两次输入的密码不一致" in mismatch.text
    bad_username = submit(client, "/setup", {**SETUP, "username": "王 建国"})
    assert "用户名须为" in bad_username.text
    assert (count(Company), count(OrgUnit), count(User)) == (0, 0, 0)


def test_create_admin_from_options_on_an_empty_database(app, app_context):
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--company", "华夏建工集团", "--username", "root1",
        "--name", "王建国", "--password", "Start-2026"])
    assert result.exit_code == 0, result.output
    assert "root1" in result.output
    assert session.execute(select(Company.name)).scalar_one() == "华夏建工集团"


def test_create_admin_prompts_when_options_are_missing(app, company):
    result = app.test_cli_runner().invoke(
        args=["create-admin"], input="root2\n李秀英\nStart-2026\nStart-2026\n")
    assert result.exit_code == 0, result.output
    user = session.execute(select(User).where(User.username == "root2")).scalar_one()
    assert user.display_name == "李秀英"


def test_create_admin_reports_bad_input_in_both_languages(app, company):
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--username", "x", "--name", "王", "--password", "Start-2026"])
    assert result.exit_code != 0
    assert "用户名须为" in result.output


def test_seed_demo_loads_a_company_with_every_role(app, app_context):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "Demo-2026x"])
    assert result.exit_code == 0, result.output
    roles = set(session.execute(select(RoleGrant.role)).scalars())
    assert roles == set(Role)
    assert count(OrgUnit) >= 10
    names = set(session.execute(select(OrgUnit.name)).scalars())
    assert "深圳前海国际中心项目部" in names and "钢筋班组" in names
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "空数据库" in again.output
