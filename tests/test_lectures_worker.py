from datetime import timedelta

import pytest

from plugin.access.roles import Role
from plugin.lectures import services
from plugin.org.models import OrgKind

from .lectures_support import AFTERNOON, actor_of, attend, make_lecture
from .worker_phone_support import signed_in_phone


@pytest.fixture
def place(company, make_unit):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    return {"company": company, "site": site, "team": make_unit(OrgKind.TEAM, parent=site, name="木工班"),
            "other_team": make_unit(OrgKind.TEAM, parent=site, name="钢筋班"),
            "other_site": make_unit(OrgKind.SITE, name="后海项目部")}


@pytest.fixture
def worker(place, make_worker):
    return make_worker(place["team"], employee_number="E7001", name="赵铁柱", phone="13800135678")


@pytest.fixture
def phone(worker, client):
    return signed_in_phone(client, worker)


def test_the_worker_sees_the_sessions_for_their_unit_and_the_units_above(place, worker, phone, clock):
    make_lecture(place["company"], title="集团宣讲")
    make_lecture(place["site"], title="项目部宣讲", starts_at=AFTERNOON + timedelta(days=1))
    make_lecture(place["team"], title="班组宣讲", starts_at=AFTERNOON + timedelta(days=2))
    make_lecture(place["other_team"], title="别的班组")
    make_lecture(place["other_site"], title="别的项目部")
    make_lecture(place["site"], title="早就结束了", starts_at=clock.now - timedelta(days=3))
    page = phone.get("/w/lectures")
    assert page.status_code == 200
    upcoming = page.text[:page.text.index("我参加过的宣讲")]
    assert upcoming.index("集团宣讲") < upcoming.index("项目部宣讲") < upcoming.index("班组宣讲")
    for title in ("别的班组", "别的项目部", "早就结束了"):
        assert title not in page.text
    assert "2026-11-25 14:00 – 16:00" in upcoming  # company time


def test_cancel_and_reschedule_notices_reach_the_phone(place, worker, phone, make_user, clock):
    lecture = make_lecture(place["site"], title="亲子沟通课")
    gone = make_lecture(place["site"], title="防欺凌课", starts_at=AFTERNOON + timedelta(days=1))
    site_manager = actor_of(make_user(Role.SITE_MANAGER, place["site"]))
    services.reschedule_session(lecture, starts_at=AFTERNOON + timedelta(days=3),
                                ends_at=AFTERNOON + timedelta(days=3, hours=1), reason="讲师出差",
                                actor=site_manager)
    services.cancel_session(gone, "台风预警", actor=site_manager)
    page = phone.get("/w/lectures").text
    moved = page[page.index(f'data-session="{lecture.id}"'):]
    assert 'data-notice="rescheduled"' in moved and "原定 2026-11-25 14:00" in moved and "讲师出差" in moved
    assert "2026-11-28 14:00" in moved
    assert 'data-notice="cancelled"' in page and "台风预警" in page


def test_the_worker_sees_the_lectures_they_attended_without_annulled_ones(place, worker, phone, make_worker, clock):
    first = make_lecture(place["site"], title="上个月的课", starts_at=clock.now - timedelta(days=30))
    second = make_lecture(place["company"], title="上周的课", starts_at=clock.now - timedelta(days=7))
    annulled = make_lecture(place["site"], title="被作废的课", starts_at=clock.now - timedelta(days=3))
    someone_else = make_worker(place["team"])
    attend(first, worker)
    attend(second, worker)
    attend(annulled, worker, annulled=True)
    attend(annulled, someone_else)
    page = phone.get("/w/lectures").text
    attended = page[page.index("我参加过的宣讲"):]
    assert "共 2 次" in attended
    assert attended.index("上周的课") < attended.index("上个月的课")
    assert "被作废的课" not in page


def test_the_phone_page_needs_the_worker_and_the_home_page_links_to_it(worker, client, phone):
    assert client.get("/w/lectures").status_code == 200
    assert 'href="/w/lectures"' in phone.get("/w/").text
    stranger = phone.application.test_client()
    response = stranger.get("/w/lectures")
    assert response.status_code == 302 and response.location.startswith("/w/sign-in?next=")
