"""The care team's pages: the roster and its filters (no query per row), the member, service and
nomination forms (a refused form writes nothing), the award written into the integrity record,
history pages (audited), records of another subtree answered as missing, and what each role
sees."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.care_team.models import (
    CareTeamMember,
    Commendation,
    CommendationStatus,
    MemberKind,
    ServiceRecord,
    Training,
)
from plugin.core.db import session
from plugin.guardianship.models import IntegrityEntry
from plugin.org.models import OrgKind

from .care_team_support import TODAY, add_member, award, nominate_guardian, record_service
from .conftest import submit
from .support import recorded_statements
from .test_refused_forms import changed, snapshot


@pytest.fixture
def org(company, make_unit, make_user, make_worker, make_child, clock):
    region = make_unit(OrgKind.SUBSIDIARY, name="西南分公司")
    site = make_unit(OrgKind.SITE, parent=region, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    worker = make_worker(site, employee_number="A1001", name="赵铁柱")
    child = make_child(worker, name="赵小花", birth_date="2015-03-03")
    other_worker = make_worker(other, employee_number="B2001", name="隔壁王五")
    make_child(other_worker, name="隔壁小宝", birth_date="2014-04-04")
    users = {"union": make_user(Role.UNION_OFFICER, region, name="工会王主席"),
             "care": make_user(Role.CARE_WORKER, site, name="陈静"),
             "manager": make_user(Role.SITE_MANAGER, site),
             "hr": make_user(Role.HR_OFFICER, company)}
    session.commit()
    return {"region": region, "site": site, "other": other, "worker": worker, "child": child,
            "other_worker": other_worker, "users": users}


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_roster_filters_by_kind_activity_and_unit_in_two_queries(org, login):
    volunteer = add_member(org["site"], name="周小燕")
    staff = add_member(org["region"], name="林晓燕", kind=MemberKind.STAFF)
    left = add_member(org["site"], name="已离队的", left_on=TODAY - timedelta(days=1))
    hidden = add_member(org["other"], name="隔壁志愿者")
    client = login(org["users"]["union"])
    page = client.get("/care-team/")
    assert page.status_code == 200
    for member in (volunteer, staff):
        assert f'data-member="{member.id}"' in page.text
    assert f'data-member="{left.id}"' not in page.text and "隔壁志愿者" not in page.text
    assert hidden.id  # of site 乙, outside the union officer's region
    gone = client.get("/care-team/?active=0").text
    assert f'data-member="{left.id}"' in gone and f'data-member="{volunteer.id}"' not in gone
    staff_only = client.get("/care-team/?kind=staff").text
    assert f'data-member="{staff.id}"' in staff_only
    assert f'data-member="{volunteer.id}"' not in staff_only
    site_only = client.get(f"/care-team/?unit={org['site'].id}").text
    assert f'data-member="{volunteer.id}"' in site_only
    assert f'data-member="{staff.id}"' not in site_only
    with recorded_statements() as few:
        client.get("/care-team/")
    for number in range(6):
        add_member(org["site"], name=f"志愿者{number}", employee_number=None)
    session.commit()
    with recorded_statements() as many:
        assert client.get("/care-team/").text.count("data-member=") == 8
    member_queries = [s for s in many if "cb_care_member" in s]
    assert len(member_queries) == len([s for s in few if "cb_care_member" in s]) <= 2


def test_adding_a_member_and_a_training_through_the_pages(org, login):
    client = login(org["users"]["union"])
    form = client.get("/care-team/members/new")
    assert form.status_code == 200 and "甲项目部" in form.text and "乙项目部" not in form.text
    data = {"unit": str(org["site"].id), "kind": "social_worker", "engagement": "purchased",
            "provider": "", "name": "高敏", "joined_on": "2026-10-01",
            "available_days": ["2", "4"], "availability_note": "每周二、周四驻点"}
    before = snapshot()
    refused = submit(client, "/care-team/members/new", data, form_url="/care-team/members/new")
    assert refused.status_code == 422 and "请填写服务机构" in refused.text
    assert 'value="高敏"' in refused.text
    outside = submit(client, "/care-team/members/new", {**data, "provider": "阳光社工",
                                                         "unit": str(org["other"].id)})
    assert outside.status_code == 422 and "请选择成员服务的单位" in outside.text
    assert changed(before, snapshot()) == []
    done = submit(client, "/care-team/members/new", {**data, "provider": "阳光社会工作服务中心"})
    assert done.status_code == 302, done.text
    member = session.scalars(select(CareTeamMember)).one()
    assert (member.engagement.value, member.available_days) == ("purchased", "2,4")
    url = done.headers["Location"]
    page = client.get(url)
    assert "阳光社会工作服务中心" in page.text and "周二、周四" in page.text
    before = snapshot()
    bad = submit(client, f"{url}/trainings", {"training-title": "", "training-hours": "x"},
                 form_url=url)
    assert bad.status_code == 422 and changed(before, snapshot()) == []
    good = submit(client, f"{url}/trainings", {
        "training-title": "儿童心理危机识别", "training-held_on": "2026-11-20",
        "training-hours": "2.5", "training-provider": "市妇联"}, form_url=url)
    assert good.status_code == 302 and count(Training) == 1
    assert "儿童心理危机识别" in client.get(url).text
    edit = submit(client, f"{url}/edit", {**data, "provider": "阳光社会工作服务中心",
                                          "left_on": "2026-11-21"})
    assert edit.status_code == 302
    session.refresh(member)
    assert str(member.left_on) == "2026-11-21"
    assert actions()[-3:] == ["care_team.member_added", "care_team.training_recorded",
                              "care_team.member_updated"]


def test_recording_a_service_and_reading_it_audited(org, login):
    member = add_member(org["site"], name="周小燕")
    session.commit()
    client = login(org["users"]["care"])
    found = client.get("/care-team/services/new?employee_number=a1001")
    assert found.status_code == 302 and found.headers["Location"].endswith(
        f"/care-team/services/new/{org['worker'].id}")
    missing = client.get("/care-team/services/new?employee_number=B2001")
    assert missing.status_code == 200 and "找不到这个工号的职工" in missing.text
    assert "隔壁王五" not in missing.text
    url = f"/care-team/services/new/{org['worker'].id}"
    form = client.get(url)
    assert "周小燕" in form.text and "赵小花" in form.text
    data = {"kind": "tutoring", "occurred_on": "2026-11-21", "members": [str(member.id)],
            "children": [str(org["child"].id)], "description": "辅导数学作业",
            "outcome": "作业按时完成"}
    before = snapshot()
    refused = submit(client, url, {**data, "description": ""})
    assert refused.status_code == 422 and "请写明服务内容" in refused.text
    assert changed(before, snapshot()) == []
    done = submit(client, url, data)
    assert done.status_code == 302, done.text
    service = session.scalars(select(ServiceRecord)).one()
    shown = client.get(done.headers["Location"])
    assert "辅导数学作业" in shown.text and "作业按时完成" in shown.text
    assert "care_team.service_notes_viewed" in actions()
    listed = client.get("/care-team/services/?kind=tutoring")
    assert f'data-service="{service.id}"' in listed.text and "周小燕" in listed.text
    assert f'data-service="{service.id}"' not in client.get(
        "/care-team/services/?kind=counselling").text
    assert f'data-service="{service.id}"' not in client.get(
        "/care-team/services/?start=2026-11-22").text


def test_history_pages_are_audited(org, login):
    member = add_member(org["site"])
    record_service(org["worker"], [member], child_ids=[org["child"].id],
                   description="陪孩子读绘本")
    record_service(org["worker"], [member], description="与家长谈亲子沟通")
    session.commit()
    client = login(org["users"]["care"])
    worker_page = client.get(f"/care-team/services/workers/{org['worker'].id}")
    assert worker_page.status_code == 200
    assert worker_page.text.count("data-service=") == 2 and "与家长谈亲子沟通" in worker_page.text
    child_page = client.get(f"/care-team/services/children/{org['child'].id}")
    assert child_page.text.count("data-service=") == 1 and "陪孩子读绘本" in child_page.text
    viewed = session.execute(select(AuditEvent.action, AuditEvent.target_type,
                                    AuditEvent.target_id, AuditEvent.details)
                             .where(AuditEvent.action.in_(("child.viewed",
                                                           "care_team.history_notes_viewed")))
                             .order_by(AuditEvent.id)).all()
    assert [tuple(row[:3]) for row in viewed] == [
        ("care_team.history_notes_viewed", "worker", str(org["worker"].id)),
        ("child.viewed", "child", str(org["child"].id)),
        ("care_team.history_notes_viewed", "child", str(org["child"].id))]
    assert viewed[1].details == {"page": "care_team.history"}
    worker_record = client.get(f"/workers/{org['worker'].id}")
    assert 'id="care-services-worker-link"' in worker_record.text


def test_nominating_and_awarding_through_the_pages_writes_the_integrity_record(org, login):
    client = login(org["users"]["union"])
    data = {"category": "model_guardian", "employee_number": "A1001", "awarding_body": "集团工会",
            "nominated_on": "2026-11-01", "reason": "每周与孩子视频通话"}
    before = snapshot()
    refused = submit(client, "/care-team/commendations/new", {**data, "employee_number": "B2001"})
    assert refused.status_code == 422 and "找不到工号为 B2001 的职工" in refused.text
    assert "隔壁王五" not in refused.text and changed(before, snapshot()) == []
    done = submit(client, "/care-team/commendations/new", data)
    assert done.status_code == 302, done.text
    url = done.headers["Location"]
    nominated = session.scalars(select(Commendation)).one()
    page = client.get(url)
    assert "赵铁柱" in page.text and 'id="decision-form"' in page.text
    before = snapshot()
    early = submit(client, f"{url}/decide", {"decision-outcome": "awarded",
                                             "decision-awarded_on": "2026-10-01"}, form_url=url)
    assert early.status_code == 422 and "授予日期不能早于推荐日期" in early.text
    assert changed(before, snapshot()) == []
    awarded = submit(client, f"{url}/decide", {"decision-outcome": "awarded",
                                               "decision-awarded_on": "2026-11-20"}, form_url=url)
    assert awarded.status_code == 302
    session.refresh(nominated)
    assert nominated.status == CommendationStatus.AWARDED and count(IntegrityEntry) == 1
    page = client.get(url)
    assert 'id="decision-form"' not in page.text and 'id="integrity-link"' in page.text
    record = client.get(f"/guardianship/workers/{org['worker'].id}/record")
    assert "依法履行监护职责模范" in record.text and "每周与孩子视频通话（集团工会）" in record.text
    again = submit(client, f"{url}/decide", {"decision-outcome": "not_awarded",
                                             "decision-note": "重复"}, form_url=url)
    assert again.status_code == 422 and "已经评定" in again.text
    assert count(IntegrityEntry) == 1
    listed = client.get("/care-team/commendations/?status=awarded")
    assert f'data-commendation="{nominated.id}"' in listed.text


def test_records_of_another_subtree_answer_as_missing(org, login):
    theirs = add_member(org["other"], name="隔壁志愿者")
    service = record_service(org["other_worker"], [theirs])
    commendation = nominate_guardian(org["other_worker"])
    session.commit()
    client = login(org["users"]["union"])
    for url in (f"/care-team/members/{theirs.id}", f"/care-team/members/{theirs.id}/edit",
                f"/care-team/services/{service.id}",
                f"/care-team/services/new/{org['other_worker'].id}",
                f"/care-team/services/workers/{org['other_worker'].id}",
                f"/care-team/commendations/{commendation.id}",
                "/care-team/members/2000000000", "/care-team/services/2000000000"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "隔壁" not in response.text, url
    before = snapshot()
    for url in (f"/care-team/members/{theirs.id}/trainings",
                f"/care-team/commendations/{commendation.id}/decide"):
        response = submit(client, url, {"decision-outcome": "awarded",
                                        "training-title": "x"}, form_url="/care-team/")
        assert response.status_code == 404, url
    assert changed(before, snapshot()) == []


def test_what_each_role_sees(org, login):
    member = add_member(org["site"])
    service = record_service(org["worker"], [member])
    commendation = nominate_guardian(org["worker"])
    session.commit()
    manager = login(org["users"]["manager"])
    roster = manager.get("/care-team/")
    assert roster.status_code == 200 and 'id="new-member"' not in roster.text
    assert manager.get("/care-team/members/new").status_code == 403
    assert manager.get(f"/care-team/members/{member.id}/edit").status_code == 403
    assert manager.get(f"/care-team/services/{service.id}").status_code == 200
    assert manager.get(f"/care-team/services/new/{org['worker'].id}").status_code == 200
    assert manager.get("/care-team/commendations/new").status_code == 403
    page = manager.get(f"/care-team/commendations/{commendation.id}")
    assert page.status_code == 200 and 'id="decision-form"' not in page.text
    care = login(org["users"]["care"])
    assert care.get("/care-team/members/new").status_code == 200
    assert care.get("/care-team/commendations/new").status_code == 403
    hr = login(org["users"]["hr"])
    for url in ("/care-team/", "/care-team/services/", "/care-team/commendations/",
                f"/care-team/members/{member.id}", f"/care-team/services/{service.id}",
                f"/care-team/services/workers/{org['worker'].id}"):
        assert hr.get(url).status_code == 403, url
    assert 'id="care-services-worker-link"' not in hr.get(f"/workers/{org['worker'].id}").text
    award(commendation)
    session.commit()
    union = login(org["users"]["union"])
    assert "关爱服务队伍" in union.get("/").text
