"""A notification's link is an endpoint with arguments, made a URL when it is shown: it follows
the app's URL prefix as it is now, and a page that no longer exists shows as no link."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, insert, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.extension import MIGRATIONS_DIR
from plugin.notifications.services import notify

from .concurrency_support import app_on_own_database
from .conftest import submit
from .dummy_host import ADMIN_PASSWORD, ADMIN_USERNAME, HostUser, create_host_app
from .dummy_host import db as host_db
from .support import sibling_database_url

LECTURE = ("carebridge.lectures.detail", {"session_id": 5})
UNREAD = ("carebridge.notifications.index", {"unread": 1})
OUTBOX = "608c1a6bccad"


def revision_before(revision: str) -> str:
    """The revision the migration follows (wherever the history places it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def read(client, note):
    """Open the notification from the list, as its button does; the answer's Location."""
    response = submit(client, f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.status_code == 302
    return response.location


def test_a_link_is_stored_as_endpoint_and_arguments(company):
    note, = notify(["1"], "首页", link=LECTURE)
    assert (note.link_endpoint, note.link_args, note.legacy_link) == (
        "carebridge.lectures.detail", {"session_id": 5}, None)
    assert note.link == "/lectures/5"
    plain, = notify(["1"], "首页", link=("carebridge.notifications.index", {}))
    assert plain.link_args is None and plain.link == "/notifications/"


def test_links_follow_where_the_app_is_mounted_now(app, company):
    """The same row under another script root (the portal moved behind a proxy's path)."""
    note, = notify(["1"], "首页", link=UNREAD)
    with app.test_request_context("/", base_url="http://localhost/portal/"):
        assert note.link == "/portal/notifications/?unread=1"
    assert note.link == "/notifications/?unread=1"


def outside_any_request(app, read):
    """``read()`` in an app context and no request, as in a scheduled job (another thread: the
    test's own request context stays where it is)."""
    answers = []

    def run():
        with app.app_context():
            answers.append(read())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    return answers[0]


def test_outside_a_request_the_link_is_a_path_at_the_app_root(app, company):
    note, = notify(["1"], "首页", link=LECTURE)
    assert outside_any_request(app, lambda: note.link) == "/lectures/5"


def test_external_links_come_from_the_public_url(app, company, set_setting):
    note, = notify(["1"], "首页", link=LECTURE)
    set_setting("CAREBRIDGE_PUBLIC_URL", "https://care.example.com/hr")
    assert note.external_link == "https://care.example.com/hr/lectures/5"
    set_setting("CAREBRIDGE_PUBLIC_URL", None)
    # No public URL and no request: no host to name.
    assert outside_any_request(app, lambda: note.external_link) is None
    assert notify(["1"], "首页")[0].external_link is None


def test_a_page_that_no_longer_exists_shows_no_link(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    gone, changed = notify([user.key], "组织架构", link=LECTURE), notify([user.key], "首页",
                                                                     link=LECTURE)
    gone[0].link_endpoint = "carebridge.retired.page"
    changed[0].link_args = {"lecture": 5}  # the page's argument was renamed since
    session.flush()
    assert gone[0].link is None and changed[0].link is None
    client = login(user)
    listing = client.get("/notifications/")
    assert listing.status_code == 200 and "组织架构" in listing.text
    assert "查看" not in listing.text and listing.text.count("标为已读") == 3  # 2 rows + "all"
    assert read(client, gone[0]) == "/notifications/"


def test_paths_stored_before_links_were_endpoints_are_still_followed(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    note, = notify([user.key], "首页")
    note.legacy_link = "/pledges/batches/7"
    session.flush()
    assert read(login(user), note) == "/pledges/batches/7"


@pytest.mark.committing
def test_a_host_mounting_carebridge_under_a_prefix_gets_links_under_it(database_url, tmp_path):
    app = create_host_app(sibling_database_url(database_url, "notify_host", tmp_path))
    try:
        with app.app_context():
            admin = host_db.session.execute(
                select(HostUser).where(HostUser.username == ADMIN_USERNAME)).scalar_one()
            note, = notify([admin.care_key], "首页", link=UNREAD)
            note_id = note.id
            host_db.session.commit()
        client = app.test_client()
        submit(client, "/host-login", {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
        response = submit(client, f"/care/notifications/{note_id}/read", {},
                          form_url="/care/notifications/")
        assert response.status_code == 302
        assert response.location == "/care/notifications/?unread=1"
    finally:
        with app.app_context():
            host_db.engine.dispose()


@pytest.mark.committing
def test_the_migration_turns_the_products_paths_into_endpoints(database_url, tmp_path):
    written = {  # path as stored before → (endpoint, arguments, legacy path) after
        "/care/lectures/5": ("carebridge.lectures.detail", {"session_id": 5}, None),
        "/pledges/?unit=3&status=expiring": (
            "carebridge.pledges.index", {"unit": 3, "status": "expiring"}, None),
        "/hr/care/guardianship/follow-up": ("carebridge.guardianship.follow_up", {}, None),
        "/pledges/batches/7": ("carebridge.pledges.batch", {"batch_id": 7}, None),
        "/imports/9": ("carebridge.imports.job", {"job_id": 9}, None),
        "/org/": (None, None, "/org/"),
        None: (None, None, None),
    }
    with app_on_own_database(database_url, "notification_links", tmp_path,
                             upgrade_to=revision_before(OUTBOX)) as app, app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        with engine.begin() as connection:
            table = Table("cb_notification", MetaData(), autoload_with=connection)
            ids = {link: connection.execute(insert(table).values(
                recipient_key="1", category="general", title_msgid="首页", link=link,
                created_at=datetime(2026, 12, 1, tzinfo=UTC)).returning(table.c.id)
            ).scalar_one() for link in written}
        upgrade(revision=OUTBOX)
        with engine.connect() as connection:
            table = Table("cb_notification", MetaData(), autoload_with=connection)
            rows = {row.id: (row.link_endpoint, row.link_args, row.legacy_link)
                    for row in connection.execute(select(
                        table.c.id, table.c.link_endpoint, table.c.link_args,
                        table.c.legacy_link))}
        assert {link: rows[ids[link]] for link in written} == {
            link: (endpoint, arguments or None, legacy)
            for link, (endpoint, arguments, legacy) in written.items()}
        downgrade(revision=revision_before(OUTBOX))
        with engine.connect() as connection:
            table = Table("cb_notification", MetaData(), autoload_with=connection)
            links = dict(connection.execute(select(table.c.id, table.c.link)).all())
        assert {link: links[ids[link]] for link in written} == {
            "/care/lectures/5": "/lectures/5",  # the prefix is not known to a migration
            "/pledges/?unit=3&status=expiring": "/pledges/?unit=3&status=expiring",
            "/hr/care/guardianship/follow-up": "/guardianship/follow-up",
            "/pledges/batches/7": "/pledges/batches/7", "/imports/9": "/imports/9",
            "/org/": "/org/", None: None}
        upgrade(revision=OUTBOX)
