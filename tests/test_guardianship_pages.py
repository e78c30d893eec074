"""Officer and worker pages of entrusted guardianship: the form, phone signing, scoping."""
import io
from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.guardianship.models import AgreementStatus, EntrustmentAgreement
from plugin.guardianship.services import create_agreement
from plugin.org.models import OrgKind

from .conftest import SYSTEM, csrf_token, submit
from .guardianship_support import PNG_SCAN, TODAY, id_number, paper_draft, phone, signature_data_url
from .support import recorded_statements

CARER_ID = id_number(date(1958, 6, 7), sequence="248")


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


@pytest.fixture
def worker(sites, make_worker, make_child):
    father = make_worker(sites[0], name="张大山")
    # 14 or older: the carer is kept without a separate consent (PIPL Art. 31)
    make_child(father, left_behind=True, name="张小明", birth_date="2011-03-01", carer_name="李桂英")
    return father


@pytest.fixture
def hr(sites, make_user, login):
    return login(make_user(Role.HR_OFFICER, sites[0], name="王专员"))


def form_data(worker, **overrides) -> dict:
    child = worker.child_links[0].child
    data = {"children": [str(child.id)], "other_parent": "", "carer_name": "李桂英",
            "carer_relation": "外祖母",
            "carer_phone": "139 1234 5678", "carer_id_number": CARER_ID, "carer_address": "大坪村 3 组",
            "carer_capable_adult": "y", "no_bars_declared": "y", "duties": "接送上学\n照料生活",
            "child_contacts_per_week": "2", "carer_contacts_per_week": "1", "starts_on": "2026-11-22",
            "ends_on": "2027-11-21", "method": "paper", "witness": "王专员", "signed_on": "2026-11-22",
            "scan": (io.BytesIO(PNG_SCAN), "scan.png")}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def record(worker):
    return create_agreement(worker, paper_draft([worker.child_links[0].child]), actor=SYSTEM,
                            today=TODAY)


def new_agreement(client, worker, **overrides):
    url = f"/guardianship/workers/{worker.id}/agreements/new"
    return submit(client, url, form_data(worker, **overrides), content_type="multipart/form-data")


def test_an_hr_officer_records_a_paper_agreement(worker, hr, clock):
    form = hr.get(f"/guardianship/workers/{worker.id}/agreements/new")
    assert form.status_code == 200 and 'value="李桂英"' in form.text  # the carer of the child's record
    response = new_agreement(hr, worker)
    agreement = session.execute(select(EntrustmentAgreement)).scalar_one()
    assert response.status_code == 302 and response.location == f"/guardianship/agreements/{agreement.id}"
    assert agreement.status == AgreementStatus.ACTIVE and agreement.carer_phone == "13912345678"
    assert agreement.duties == "接送上学\n照料生活" and agreement.child_contacts_per_week == 2
    page = hr.get(response.location)
    assert CARER_ID not in page.text and CARER_ID[:3] + "*" * 11 + CARER_ID[-4:] in page.text
    assert "告知学校" in page.text and "告知村（居）民委员会" in page.text


def test_the_form_refuses_an_agreement_without_the_declaration(worker, hr, clock):
    response = new_agreement(hr, worker, no_bars_declared=None,
                             scan=(io.BytesIO(b"GIF89a"), "x.png"))
    assert response.status_code == 422
    assert "不能登记委托照护协议" in response.text and "只能上传 PDF、JPG 或 PNG 文件" in response.text
    assert session.execute(select(EntrustmentAgreement)).first() is None


def test_an_agreement_sent_to_the_phone_is_signed_there(app, worker, hr, clock):
    response = new_agreement(hr, worker, method="phone", witness="", signed_on="", scan=None)
    agreement = session.execute(select(EntrustmentAgreement)).scalar_one()
    assert response.status_code == 302 and agreement.status == AgreementStatus.PENDING
    client = phone(app, worker)
    record = client.get("/w/record")
    sign_url = f"/w/agreements/{agreement.id}/sign"
    assert sign_url in record.text
    page = client.get(sign_url)
    assert page.status_code == 200 and "李桂英" in page.text and "第二十二条" in page.text
    assert 'data-signature-for="signature"' in page.text and "signature-field.js" in page.text
    unconfirmed = client.post(sign_url, data={"csrf_token": csrf_token(page.text),
                                              "signature": signature_data_url()})
    assert unconfirmed.status_code == 422 and "同意签署" in unconfirmed.text
    signed = client.post(sign_url, data={"csrf_token": csrf_token(page.text),
                                         "signature": signature_data_url(), "confirmed": "y"})
    assert signed.status_code == 302 and signed.location == "/w/record?signed=1"
    assert agreement.status == AgreementStatus.ACTIVE and agreement.signed_on == TODAY
    assert client.get(sign_url).status_code == 302  # nothing left to sign
    download = client.get(f"/w/agreements/{agreement.id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")


def test_workers_cannot_open_other_workers_agreements(app, worker, make_worker, make_child, clock):
    agreement = record(worker)
    stranger = make_worker(worker.org_unit, name="路人")
    make_child(stranger)
    client = phone(app, stranger)
    assert client.get(f"/w/agreements/{agreement.id}.pdf").status_code == 404
    assert client.get(f"/w/agreements/{agreement.id}/sign").status_code == 404


def test_an_officer_of_another_site_sees_nothing_of_this_sites_agreements(worker, sites, make_user,
                                                                         login, clock):
    agreement = record(worker)
    other = login(make_user(Role.HR_OFFICER, sites[1]))
    listing = other.get("/guardianship/agreements/")
    assert listing.status_code == 200 and "张大山" not in listing.text
    for url in (f"/guardianship/agreements/{agreement.id}",
                f"/guardianship/agreements/{agreement.id}/agreement.pdf",
                f"/guardianship/workers/{worker.id}/agreements/new"):
        assert other.get(url).status_code == 404, url  # another site's records: "not found"
    own = login(make_user(Role.SITE_MANAGER, sites[0]))
    assert "张大山" in own.get("/guardianship/agreements/").text
    assert own.get(f"/guardianship/agreements/{agreement.id}").status_code == 200


def test_finding_the_worker_by_employee_number(worker, hr):
    response = hr.get("/guardianship/agreements/new?employee_number="
                      + worker.employee_number.lower())
    assert response.location == f"/guardianship/workers/{worker.id}/agreements/new"
    unknown = hr.get("/guardianship/agreements/new?employee_number=NOPE")
    assert unknown.location == "/guardianship/agreements/"


def test_ending_and_revoking_through_the_page(worker, hr, clock):
    agreement = record(worker)
    url = f"/guardianship/agreements/{agreement.id}"
    empty = submit(hr, f"{url}/end", {"end-reason": ""}, form_url=url)
    assert empty.status_code == 422 and agreement.status == AgreementStatus.ACTIVE
    done = submit(hr, f"{url}/end", {"end-reason": "父亲返乡照顾"}, form_url=url)
    assert done.status_code == 302 and agreement.status == AgreementStatus.ENDED
    page = hr.get(url)
    assert "父亲返乡照顾" in page.text and 'id="revoke-form"' not in page.text
    assert 'data-status="ended"' in hr.get("/guardianship/agreements/?status=ended").text
    assert 'data-status="ended"' not in hr.get("/guardianship/agreements/?status=active").text


def test_navigation_and_the_workers_home_page_link_to_guardianship(app, worker, hr):
    home = hr.get("/guardianship/agreements/")
    assert 'href="/guardianship/follow-up"' in home.text
    worker_home = phone(app, worker).get("/w/")
    assert 'href="/w/contacts"' in worker_home.text and 'href="/w/record"' in worker_home.text


def test_the_agreement_list_runs_a_fixed_number_of_queries(sites, make_worker, make_child, hr, clock):
    def add(count):
        for _ in range(count):
            parent = make_worker(sites[0])
            create_agreement(parent, paper_draft([make_child(parent, left_behind=True)]), actor=SYSTEM,
                             today=TODAY)

    def queries() -> int:
        with recorded_statements() as statements:
            assert hr.get("/guardianship/agreements/").status_code == 200
        return len(statements)

    add(1)
    queries()  # warm the per-process caches (the company's time zone)
    few = queries()
    add(6)
    assert queries() == few
