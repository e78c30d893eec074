import pytest
from flask_babel import force_locale
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.notifications.jobs import deliver_due_notifications, purge_old_read_notifications
from plugin.notifications.models import DeliveryStatus, Notification, NotificationDelivery
from plugin.notifications.services import mark_all_read, notify, purge_read_notifications

from .conftest import submit
from .notifications_support import RecordingChannel, channels

LIST = ("carebridge.notifications.index", {"unread": 1})


def test_bell_shows_unread_count_and_list(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    notify([user.key], "组织架构", body="已保存", link=LIST)
    notify([user.key], "首页")
    client = login(user)
    home = client.get("/")
    assert 'id="unread-count">2<' in home.text
    listing = client.get("/notifications/")
    assert "组织架构" in listing.text and "已保存" in listing.text


def test_opening_a_notification_marks_it_read_and_follows_its_link(company, make_user, login):
    user = make_user(Role.HR_OFFICER)
    note, = notify([user.key], "组织架构", link=LIST)
    client = login(user)
    response = submit(client, f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.location == "/notifications/?unread=1"
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


def test_stored_paths_off_this_site_are_not_followed(company, make_user, login):
    """Links written before they were endpoints stay as paths (``legacy_link``), checked."""
    user = make_user(Role.HR_OFFICER)
    note, = notify([user.key], "首页")
    note.legacy_link = "//evil.example/"
    session.flush()
    response = submit(login(user), f"/notifications/{note.id}/read", {}, form_url="/notifications/")
    assert response.location == "/notifications/"


def test_links_must_name_an_endpoint_with_arguments_that_build(company):
    for link in ("/org/", ("carebridge.nowhere", {}), ("carebridge.lectures.detail", {}),
                 ("carebridge.lectures.detail", {"session_id": object()}), ("ab",),
                 ("carebridge.notifications.index", {"_external": True})):
        with pytest.raises(ValueError):
            notify(["1"], "首页", link=link)
    assert session.scalar(select(Notification.id)) is None


def test_each_registered_channel_gets_an_outbox_row_per_notification(app, company):
    with channels(app, RecordingChannel("sms"), RecordingChannel("wecom")) as (sms, wecom):
        notes = notify(["1", "2", "1"], "首页", category="test")
        rows = session.execute(select(NotificationDelivery.notification_id,
                                      NotificationDelivery.channel, NotificationDelivery.status)
                               .order_by(NotificationDelivery.id)).all()
        assert [note.recipient_key for note in notes] == ["1", "2"]
        assert sorted(rows) == sorted((note.id, name, DeliveryStatus.PENDING)
                                      for note in notes for name in ("sms", "wecom"))
        assert sms.delivered == wecom.delivered == []  # nothing sent inside the transaction
        session.commit()  # the request boundary
        assert deliver_due_notifications() == {"sent": 4, "failed": 0}
    assert sms.delivered == wecom.delivered == [("1", "首页"), ("2", "首页")]


def test_without_channels_no_outbox_rows_are_written(company):
    notify(["1"], "首页")
    assert session.scalar(select(NotificationDelivery.id)) is None


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


def test_purge_drops_outbox_rows_finished_a_month_ago(app, company, clock):
    with channels(app, RecordingChannel("sms")):
        notify(["1"], "首页")
        session.commit()
        deliver_due_notifications()
        clock.advance(days=20)
        notify(["1"], "首页")
        session.commit()
        deliver_due_notifications()
        clock.advance(days=11)
        assert purge_old_read_notifications() == {"notifications": 0, "deliveries": 1}
    assert session.scalar(select(NotificationDelivery.status)) == DeliveryStatus.SENT


def test_purging_a_notification_drops_its_outbox_rows(app, company, clock):
    with channels(app, RecordingChannel("sms")):
        notify(["1"], "首页")
    mark_all_read("1")
    clock.advance(days=181)
    session.flush()
    assert purge_read_notifications() == 1
    assert session.scalar(select(NotificationDelivery.id)) is None


def test_anonymous_visitors_cannot_see_notifications(company, client):
    assert client.get("/notifications/").status_code == 302
