"""A site's pledge PDFs as one zip, made in the background with a progress bar."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select, text

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.tasks import TaskChunk
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind
from plugin.pledges import batches, services
from plugin.pledges.jobs import pledge_lifecycle_today, run_queued_pledge_batches
from plugin.pledges.models import BatchStatus, PledgeBatch

from .conftest import submit
from .pledges_support import OFFICER, Family, make_family, paper_pledge, phone_pledge


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)


@pytest.fixture
def site_pledges(family, make_worker, make_child):
    """Three pledges at the site: two valid (one in a team), one revoked."""
    team_worker = make_worker(family.site, name="孙二娘")
    valid = [phone_pledge(family), paper_pledge(Family(family.site, team_worker, [make_child(team_worker)]))]
    revoked_worker = make_worker(family.site, name="吴撤销")
    revoked = paper_pledge(Family(family.site, revoked_worker, [make_child(revoked_worker)]))
    services.revoke(revoked, "签错了", OFFICER)
    return valid, revoked


@pytest.fixture
def hr(family, make_user, login):
    return login(make_user(Role.HR_OFFICER, family.site))


def request_zip(hr, family, scope="valid"):
    response = submit(hr, "/pledges/batches/", {"unit": str(family.site.id), "scope": scope})
    assert response.status_code == 302, response.text
    return session.execute(select(PledgeBatch).order_by(PledgeBatch.id.desc())).scalars().first(), response


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
        return archive.namelist()


def test_a_site_zip_is_made_in_the_background_and_downloaded(family, site_pledges, hr):
    batch, response = request_zip(hr, family)
    assert response.location == f"/pledges/batches/{batch.id}"
    page = hr.get(response.location)
    assert 'id="batch-progress"' in page.text and "progress.js" in page.text
    assert hr.get(f"/pledges/batches/{batch.id}/progress").json == {
        "status": "queued", "status_label": "排队中", "finished": False, "total": None, "processed": 0}
    assert hr.get(f"/pledges/batches/{batch.id}/download").status_code == 404
    assert run_queued_pledge_batches() == 1
    assert hr.get(f"/pledges/batches/{batch.id}/progress").json["processed"] == 2
    assert batch.status == BatchStatus.DONE and batch.total == 2
    assert 'id="batch-download"' in hr.get(f"/pledges/batches/{batch.id}").text
    download = hr.get(f"/pledges/batches/{batch.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert int(download.headers["Content-Length"]) == len(download.data) == batch.size_bytes
    names = zip_names(download.data)
    assert len(names) == 2 and names[0].startswith("E2001_赵铁柱_2026-11-22_")
    actions = list(session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "pledge_batch").order_by(AuditEvent.id)).scalars())
    assert actions == ["pledge.batch_requested", "pledge.batch_finished", "pledge.batch_downloaded"]
    [notice] = session.execute(select(Notification).where(Notification.category == "pledges.batch_done")).scalars()
    assert notice.link == f"/pledges/batches/{batch.id}" and notice.params["count"] == 2


def test_the_zip_is_stored_encrypted(family, site_pledges, hr):
    batch, _ = request_zip(hr, family)
    run_queued_pledge_batches()
    raw = [bytes(chunk) for chunk in session.execute(text("SELECT data FROM cb_task_chunk")).scalars()]
    assert raw and not any(b"%PDF" in chunk or b"PK\x03\x04" in chunk for chunk in raw)
    signatures = session.execute(text("SELECT signature_png FROM cb_pledge WHERE signature_png IS NOT NULL"))
    assert not any(bytes(value).startswith(b"\x89PNG") for value in signatures.scalars())


def test_all_pledges_includes_revoked_ones_with_a_stamp(family, site_pledges, hr):
    batch, _ = request_zip(hr, family, scope="all")
    run_queued_pledge_batches()
    assert batch.total == 3
    assert len(zip_names(hr.get(f"/pledges/batches/{batch.id}/download").data)) == 3


def test_a_site_without_pledges_gives_an_empty_batch(family, hr):
    batch, _ = request_zip(hr, family)
    run_queued_pledge_batches()
    assert batch.status == BatchStatus.DONE and batch.total == 0
    assert 'id="batch-empty"' in hr.get(f"/pledges/batches/{batch.id}").text


def test_a_failing_batch_is_marked_and_its_requester_told(family, site_pledges, hr, monkeypatch):
    batch, _ = request_zip(hr, family)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(batches, "render_pledge_pdf", broken)
    run_queued_pledge_batches()
    assert batch.status == BatchStatus.FAILED and batch.failure["message"]
    assert session.execute(select(TaskChunk)).first() is None
    assert 'id="batch-failure"' in hr.get(f"/pledges/batches/{batch.id}").text
    assert session.execute(select(Notification).where(Notification.category == "pledges.batch_failed")).first()


def test_zips_are_deleted_after_a_week(family, site_pledges, hr, clock):
    batch, _ = request_zip(hr, family)
    run_queued_pledge_batches()
    clock.advance(days=6)
    assert pledge_lifecycle_today()["zips_deleted"] == 0
    clock.advance(days=2)
    assert pledge_lifecycle_today()["zips_deleted"] == 1
    session.commit()  # as the scheduler does after a job
    assert batch.purged_at is not None and session.execute(select(TaskChunk)).first() is None
    assert hr.get(f"/pledges/batches/{batch.id}/download").status_code == 404
    assert 'id="batch-purged"' in hr.get(f"/pledges/batches/{batch.id}").text


def test_only_sites_can_be_zipped_and_only_by_those_who_may_see_id_numbers(family, make_unit, make_user,
                                                                           login):
    with pytest.raises(ValidationError):
        batches.request_batch(family.site.parent, only_valid=True, verify_url_base="http://x/v/", actor=OFFICER)
    manager = login(make_user(Role.SITE_MANAGER, family.site))
    refused = submit(manager, "/pledges/batches/", {"unit": str(family.site.id), "scope": "valid"})
    assert refused.status_code == 403
    other = login(make_user(Role.HR_OFFICER, make_unit(OrgKind.SITE, name="后海项目部")))
    assert submit(other, "/pledges/batches/", {"unit": str(family.site.id), "scope": "valid"}).status_code == 403
