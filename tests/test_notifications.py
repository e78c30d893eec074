from flask_babel import force_locale

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.notifications.models import Notification
from plugin.notifications.services import mark_all_read, notify, purge_read_notifications

from .conftest import submit


class RecordingChannel:
    name = "recording"

    def __init__(self):
        self.delivered = []

    def deliver(self, notification):
        self.delivered.append((notification.recipient_key, notification.title_msgid))


def test_bell_shows_unread_count_and_list(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    notify([user.key], "组织架构", body="已保存", link="/org/")
    notify([user.key], "首页")
    client = login(user)
    home = client.get("/")
    assert 'id="unread-count">2<' in home.text
    listing = client.get("/notifications/")
    assert "组织架构" in listing.text and "已保存" in listing.text


def test_opening_a_notification_marks_it_read_and_follows_its_link(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    note, = notify([user.key], "组织架构", link="/org/")
    client = login(user)
    response = submit(client, f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.location == "/org/"
    assert note.read_at is not None
    assert 'id="unread-count">0<' in client.get("/").text


def test_mark_all_read_and_unread_filter(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    notify([user.key], "组织架构")
    notify([user.key], "首页")
    client = login(user)
    assert client.get("/notifications/?unread=1").text.count("list-group-item-info") == 2
    submit(client, "/notifications/read-all", {}, form_url="/notifications/")
    assert "暂无通知" in client.get("/notifications/?unread=1").text


def test_nobody_can_read_someone_elses_notification(company, make_user, login):
    owner, other = make_user(Role.HR_OFFICER), make_user(Role.HR_OFFICER)
    note, = notify([owner.key], "首页")
    client = login(other)
    response = submit(client, f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.status_code == 404 and note.read_at is None


def test_external_links_are_not_followed(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    note, = notify([user.key], "首页", link="//evil.example/")
    response = submit(login(user), f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.location == "/notifications/"


def test_registered_channels_receive_every_notification(app, company, make_user):
    channel = RecordingChannel()
    state = app.extensions["carebridge"]
    state.channels.append(channel)
    try:
        notify(["1", "2", "1"], "首页", category="test")
    finally:
        state.channels.remove(channel)
    assert channel.delivered == [("1", "首页"), ("2", "首页")]


def test_titles_are_translated_for_each_reader(company):
    note, = notify(["1"], "已新建“%(name)s”", params={"name": "甲项目部"})
    with force_locale("zh_CN"):
        assert note.title == "已新建“甲项目部”"


def test_purge_keeps_unread_and_recently_read(company, clock):
    old, recent, unread = (notify(["1"], "首页")[0] for _ in range(3))
    mark_all_read("1")
    unread.read_at = None
    clock.advance(days=100)
    recent.read_at = clock.now
    clock.advance(days=100)
    session.flush()
    assert purge_read_notifications(older_than_days=180) == 1
    session.expire_all()
    remaining = {n.id for n in session.query(Notification)}
    assert remaining == {recent.id, unread.id}


def test_anonymous_visitors_cannot_see_notifications(company, client):
    assert client.get("/notifications/").status_code == 302
