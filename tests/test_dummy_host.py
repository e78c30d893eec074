"""CareBridge mounted in somebody else's Flask app (``tests/dummy_host.py``), through the test client.

The host owns the database session, the sign-in and the layout; CareBridge brings only its
``cb_*`` tables, its pages under ``/care`` and its ``flask care`` commands. These tests commit to
a database of their own, so the rolled-back ``db`` fixture steps aside.
"""
from __future__ import annotations

import re

import pytest
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import inspect, select

from plugin import CareBridgeState
from plugin.access.models import RoleGrant
from plugin.core.db import Base, session
from plugin.extension import import_models
from plugin.org.models import OrgUnit
from plugin.org.queries import get_root_unit

from .conftest import submit
from .dummy_host import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    CLERK_USERNAME,
    COMPANY_NAME,
    EMPLOYEES,
    HostEmployee,
    HostUser,
    create_host_app,
    create_host_tables,
)
from .dummy_host import (
    db as host_db,
)
from .support import sibling_database_url

pytestmark = pytest.mark.committing

HOST_TABLES = {"host_employee", "host_user"}
BANNER = '<header id="host-banner"><strong>HR Host</strong>'


def carebridge_tables() -> set[str]:
    import_models()
    return set(Base.metadata.tables)


@pytest.fixture(scope="module")
def host_app(database_url, tmp_path_factory):
    app = create_host_app(sibling_database_url(database_url, "host", tmp_path_factory.mktemp("host")))
    yield app
    with app.app_context():
        host_db.engine.dispose()


def host_login(app, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD):
    client = app.test_client()
    response = submit(client, "/host-login", {"username": username, "password": password})
    assert response.status_code == 302, response.text
    return client


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(host_db.engine).get_table_names())


def host_schema_and_rows(app) -> dict:
    """Everything about the host's own tables a migration could change."""
    with app.app_context():
        inspector = inspect(host_db.engine)
        schema = {
            table: {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted((tuple(fk["constrained_columns"]), fk["referred_table"])
                              for fk in inspector.get_foreign_keys(table)),
                "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                                  for ix in inspector.get_indexes(table)),
                "unique": sorted(tuple(uq["column_names"]) for uq in inspector.get_unique_constraints(table)),
            }
            for table in sorted(HOST_TABLES)
        }
        rows = {
            "employees": [tuple(row) for row in host_db.session.execute(
                select(HostEmployee.id, HostEmployee.employee_no, HostEmployee.name)
                .order_by(HostEmployee.id))],
            "users": [tuple(row) for row in host_db.session.execute(
                select(HostUser.id, HostUser.username, HostUser.password_hash, HostUser.employee_id)
                .order_by(HostUser.id))],
        }
        host_db.session.remove()
    return {"schema": schema, "rows": rows}


def test_host_tables_and_carebridge_tables_share_the_host_database(host_app):
    names = table_names(host_app)
    assert names >= HOST_TABLES
    assert carebridge_tables() <= names
    assert "cb_alembic_version" in names
    # Each side's metadata knows only its own tables.
    assert set(host_db.metadata.tables) == HOST_TABLES
    assert not carebridge_tables() & HOST_TABLES
    assert all(name.startswith("cb_") for name in carebridge_tables())


def test_carebridge_migrations_leave_the_host_tables_alone(database_url, tmp_path):
    app = create_host_app(sibling_database_url(database_url, "host_steps", tmp_path), set_up=False)
    try:
        with app.app_context():
            create_host_tables()
        before = host_schema_and_rows(app)
        assert len(before["rows"]["employees"]) == len(EMPLOYEES)
        assert table_names(app) == HOST_TABLES

        result = app.test_cli_runner().invoke(args=["care", "upgrade-db"])
        assert result.exit_code == 0, result.output
        assert "CareBridge tables are up to date." in result.output
        assert carebridge_tables() | {"cb_alembic_version"} <= table_names(app)
        assert host_schema_and_rows(app) == before
        assert table_names(app) - carebridge_tables() - {"cb_alembic_version"} == HOST_TABLES

        # A second run is a no-op; installing the company does not touch host rows either.
        result = app.test_cli_runner().invoke(args=["care", "upgrade-db"])
        assert result.exit_code == 0, result.output
        from .dummy_host import set_up_database

        with app.app_context():
            set_up_database()
            assert get_root_unit().name == COMPANY_NAME
            host_db.session.remove()
        assert host_schema_and_rows(app) == before
    finally:
        with app.app_context():
            host_db.engine.dispose()


def test_anonymous_visitor_of_a_carebridge_page_is_sent_to_the_host_login(host_app):
    client = host_app.test_client()
    for path in ("/care/org/", "/care/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location == f"/host-login?next={path}"
    login_page = client.get("/host-login?next=/care/org/")
    assert login_page.status_code == 200
    assert BANNER in login_page.text
    assert 'id="host-login-form"' in login_page.text


def test_host_login_takes_the_user_back_to_the_carebridge_page(host_app):
    client = host_app.test_client()
    response = submit(client, "/host-login?next=/care/org/",
                      {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/care/org/"


def test_host_login_is_protected_by_the_host_csrf(host_app):
    response = host_app.test_client().post(
        "/host-login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    assert response.status_code == 400


def test_org_tree_renders_inside_the_host_layout(host_app):
    response = host_login(host_app).get("/care/org/")
    assert response.status_code == 200
    html = response.text
    assert BANNER in html
    assert f'<span id="host-user">{ADMIN_NAME}</span>' in html
    assert "<title>组织架构 · HR Host</title>" in html
    tree = html[html.index('id="org-tree"'):]
    assert COMPANY_NAME in tree
    # CareBridge's navigation is offered inside the host's own navigation bar.
    assert '<a href="/care/org/">组织架构</a>' in html


def test_dashboard_renders_inside_the_host_layout(host_app):
    response = host_login(host_app).get("/care/")
    assert response.status_code == 200
    assert BANNER in response.text
    assert re.search(rf"<h1[^>]*>{COMPANY_NAME}</h1>", response.text)
    assert 'id="dashboard-tree"' in response.text


def test_unit_page_names_grantees_through_the_host_adapter(host_app):
    with host_app.app_context():
        root_id = get_root_unit().id
        grant_keys = session.execute(select(RoleGrant.user_key)).scalars().all()
        host_db.session.remove()
    response = host_login(host_app).get(f"/care/org/units/{root_id}")
    assert response.status_code == 200
    assert BANNER in response.text
    # The grant is keyed by the host's user key, and shown with the host's name for it.
    assert grant_keys == ["hr:1"]
    assert f"{ADMIN_NAME} — 系统管理员" in response.text


def test_host_user_without_a_carebridge_role_is_refused(host_app):
    client = host_login(host_app, CLERK_USERNAME)
    assert client.get("/care/org/").status_code == 403
    assert client.get("/").status_code == 200  # the host's own pages are unaffected


def test_carebridge_form_writes_through_the_host_session(host_app):
    client = host_login(host_app)
    with host_app.app_context():
        root_id = get_root_unit().id
        host_db.session.remove()
    url = f"/care/org/units/{root_id}/new"
    response = submit(client, url, {"kind": "site", "name": "苏州工地项目部"})
    assert response.status_code == 302, response.text
    tree = client.get("/care/org/").text
    assert "苏州工地项目部" in tree
    with host_app.app_context():
        # Committed by the request: a fresh session of the host's database sees it.
        assert host_db.session.execute(
            select(OrgUnit.name).where(OrgUnit.name == "苏州工地项目部")).scalar_one()
        host_db.session.remove()


def test_flask_care_group_lists_the_carebridge_commands(host_app):
    result = host_app.test_cli_runner().invoke(args=["care", "--help"])
    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:", 1)[1]
    assert re.search(r"^\s+scheduler\b", commands, re.MULTILINE)
    assert re.search(r"^\s+upgrade-db\b", commands, re.MULTILINE)
    # Grouped under ``care``, not added to the host's top level.
    top_level = host_app.test_cli_runner().invoke(args=["--help"]).output
    assert "upgrade-db" not in top_level


def test_plugin_uses_the_host_sqlalchemy_and_adds_none_of_its_own(host_app):
    assert isinstance(host_app.extensions["carebridge"], CareBridgeState)
    assert host_app.extensions["carebridge"].url_prefix == "/care"
    assert host_app.extensions["sqlalchemy"] is host_db
    assert [ext for ext in host_app.extensions.values() if isinstance(ext, SQLAlchemy)] == [host_db]
    with host_app.app_context():
        assert session._get_current_object() is host_db.session
        host_db.session.remove()
