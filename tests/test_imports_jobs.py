"""Import jobs: idempotent re-imports, dry runs, units created under the importing unit, the
background path through the upload page and the scheduler job, progress, permissions."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.tasks import TaskChunk, claim
from plugin.imports.jobs import run_queued_imports
from plugin.imports.models import ROSTER_IMPORT, FileRole, ImportJob, ImportKind, ImportStatus
from plugin.imports.processing import run_import
from plugin.imports.queries import has_file
from plugin.imports.services import create_job
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind, OrgUnit
from plugin.registry.models import Child, Worker

from .conftest import submit
from .imports_support import (
    CHILD_HEADER,
    IMPORTER,
    REASON_HEADER,
    WORKER_HEADER,
    id_number,
    import_roster,
    read_xlsx,
    worker,
    wrong_check,
    xlsx_roster,
)


def record_events() -> int:
    return session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.like("worker.%") | AuditEvent.action.like("child.%")
        | AuditEvent.action.like("org.%"))).scalar_one()


def count(model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


ROWS = [worker("1001", "张伟"), worker("1002", "李强", site="二号项目部", team=None),
        worker("1003", "王五", site=None, team=None), worker("1004", "赵六", id=wrong_check(id_number()))]


def test_reimporting_the_same_file_changes_nothing(company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS)
    first, _ = import_roster(path, company)
    assert (first.created_count, first.updated_count, first.unchanged_count, first.rejected_count) == (3, 0, 0, 1)
    events, workers, units = record_events(), count(Worker), count(OrgUnit)
    again, _ = import_roster(path, company)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.rejected_count) == (0, 0, 3, 1)
    assert again.created_units is None
    assert (record_events(), count(Worker), count(OrgUnit)) == (events, workers, units)


def test_reimporting_children_changes_nothing(company, clock, tmp_path):
    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, ROWS[:2]), company)
    children = xlsx_roster(tmp_path / "c.xlsx", CHILD_HEADER, [
        ["1001", "父亲", "张小明", "2015-06-01", "祖父母", "是"],
        ["1002", "父亲", "李小红", "2008-02-03", "祖父母", "是"]])
    first, rejected = import_roster(children, company, kind=ImportKind.CHILDREN)
    assert rejected == {} and first.created_count == 2
    assert first.withheld_count == 0  # nothing beyond the minimum was sent
    events = record_events()
    again, _ = import_roster(children, company, kind=ImportKind.CHILDREN)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert record_events() == events and count(Child) == 2


def test_changed_rows_are_updated_and_only_they(company, clock, tmp_path):
    import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:3]), company)
    changed = [worker("1001", "张伟", phone="13700137000"), *ROWS[1:3]]
    job, _ = import_roster(xlsx_roster(tmp_path / "r2.xlsx", WORKER_HEADER, changed), company)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    assert session.execute(select(Worker.phone).where(Worker.employee_number == "1001")).scalar_one() == "13700137000"


def test_dry_run_writes_nothing_but_says_what_would_change(company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS)
    events, units = record_events(), count(OrgUnit)
    job, _ = import_roster(path, company, dry_run=True, batch_size=2)
    assert job.status == ImportStatus.DONE and job.is_dry_run
    assert (job.created_count, job.rejected_count) == (3, 1)
    assert job.created_units == ["测试建工集团 / 一号项目部", "一号项目部 / 钢筋班组", "测试建工集团 / 二号项目部"]
    assert count(Worker) == 0 and count(OrgUnit) == units and record_events() == events
    assert has_file(job.id, FileRole.ERRORS)  # the rows to fix are listed all the same
    real, _ = import_roster(path, company)
    assert (real.created_count, real.rejected_count) == (3, 1)


def test_dry_run_of_updates(company, clock, tmp_path):
    import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:3]), company)
    changed = [worker("1001", "张伟", phone="13700137000"), *ROWS[1:3], worker("1005", "新人")]
    job, _ = import_roster(xlsx_roster(tmp_path / "r2.xlsx", WORKER_HEADER, changed), company, dry_run=True)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 2)
    assert session.execute(select(Worker.phone).where(Worker.employee_number == "1001")).scalar_one() == "13800138000"
    assert count(Worker) == 3


def test_sites_and_teams_are_matched_or_created_under_the_importing_unit(company, make_unit, clock, tmp_path):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    existing = make_unit(OrgKind.SITE, parent=bureau, name="一号项目部")
    elsewhere = make_unit(OrgKind.SITE, name="二号项目部")  # same name, but not under the bureau
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:3]), bureau)
    assert job.created_units == ["一号项目部 / 钢筋班组", "第一工程局 / 二号项目部"]
    by_number = {w.employee_number: w for w in session.execute(select(Worker)).scalars()}
    assert by_number["1001"].org_unit.parent_id == existing.id and by_number["1001"].org_unit.name == "钢筋班组"
    assert by_number["1002"].org_unit.parent_id == bureau.id and by_number["1002"].org_unit_id != elsewhere.id
    assert by_number["1003"].org_unit_id == bureau.id


def test_a_team_cannot_be_the_importing_unit(company, make_unit, tmp_path):
    from plugin.core.errors import ValidationError

    team = make_unit(OrgKind.TEAM, parent=make_unit(OrgKind.SITE))
    with pytest.raises(ValidationError):
        create_job(tmp_path / "r.xlsx", "r.xlsx", kind=ImportKind.WORKERS, base_unit=team, actor=IMPORTER)


def test_import_is_audited_and_the_upload_is_deleted_when_done(company, clock, tmp_path):
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS), company, stored=True)
    assert job.status == ImportStatus.DONE
    assert not has_file(job.id, FileRole.UPLOAD) and has_file(job.id, FileRole.ERRORS)
    actions = session.execute(select(AuditEvent.action, AuditEvent.details).where(
        AuditEvent.target_type == "import", AuditEvent.target_id == str(job.id)).order_by(AuditEvent.id)).all()
    assert [action for action, _ in actions] == ["import.started", "import.finished"]
    assert actions[1][1]["created"] == 3 and actions[1][1]["rejected"] == 1


def upload(client, content: bytes, filename: str, unit_id: int, **fields):
    data = {"file": (io.BytesIO(content), filename), "kind": "workers", "unit": str(unit_id),
            "source": "", **fields}
    return submit(client, "/imports/", data, content_type="multipart/form-data")


def test_upload_queues_a_job_that_the_scheduler_runs(app, company, make_user, login, clock, tmp_path):
    user = make_user(Role.HR_OFFICER)
    client = login(user)
    content = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS).read_bytes()
    response = upload(client, content, "花名册.xlsx", company.id)
    assert response.status_code == 302
    job = session.execute(select(ImportJob)).scalar_one()
    assert response.headers["Location"].endswith(f"/imports/{job.id}")
    assert (job.status, job.created_by, job.filename) == (ImportStatus.QUEUED, user.key, "花名册.xlsx")
    assert has_file(job.id, FileRole.UPLOAD)

    progress = client.get(f"/imports/{job.id}/progress").get_json()
    assert progress["status"] == "queued" and not progress["finished"]
    page = client.get(f"/imports/{job.id}")
    assert 'id="import-progress-bar"' in page.text and "progress.js" in page.text
    assert 'http-equiv="refresh"' in page.text

    assert run_queued_imports() == 1
    assert run_queued_imports() == 0
    session.expire_all()
    progress = client.get(f"/imports/{job.id}/progress").get_json()
    assert progress == {"status": "done", "status_label": "已完成", "finished": True, "total": 4,
                        "processed": 4, "created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    page = client.get(f"/imports/{job.id}")
    assert "progress.js" not in page.text and 'value="4"' in page.text
    assert "测试建工集团 / 二号项目部" in page.text and "校验位" in page.text

    download = client.get(f"/imports/{job.id}/errors")
    assert download.status_code == 200
    assert "filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C.errors.xlsx" in download.headers["Content-Disposition"]
    error_path = tmp_path / "errors.xlsx"
    error_path.write_bytes(download.data)
    assert read_xlsx(error_path)[0] == [*WORKER_HEADER, REASON_HEADER]
    from plugin.audit.models import AuditEvent

    downloaded = session.execute(select(AuditEvent).where(
        AuditEvent.action == "import.error_file_downloaded")).scalar_one()
    assert downloaded.target_id == str(job.id) and downloaded.actor_key == user.key

    note = session.execute(select(Notification).where(Notification.recipient_key == user.key)).scalar_one()
    assert note.link == f"/imports/{job.id}" and "花名册.xlsx" in note.title


def test_upload_page_lists_recent_jobs(app, company, make_user, login, clock, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    upload(client, xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS).read_bytes(), "r.xlsx", company.id,
           dry_run="y")
    page = client.get("/imports/")
    assert page.status_code == 200 and "r.xlsx" in page.text and "试导入（dry run）" in page.text


@pytest.mark.parametrize("filename,content,message", [
    ("roster.xls", b"\xd0\xcf\x11\xe0", "只能导入"),
    ("roster.xlsx", b"not a zip", "文件内容与文件类型不符"),  # text named .xlsx
    ("roster.csv", b"", "文件"),
])
def test_bad_uploads_are_refused_on_the_form(app, company, make_user, login, filename, content, message):
    client = login(make_user(Role.HR_OFFICER))
    response = upload(client, content, filename, company.id)
    assert response.status_code == 422 and message in response.text  # refused: shown again
    assert count(ImportJob) == 0


def test_upload_size_is_limited(app, company, make_user, login, tmp_path, set_setting):
    client = login(make_user(Role.HR_OFFICER))
    set_setting("CAREBRIDGE_IMPORT_MAX_BYTES", 1024)
    response = upload(client, b"x" * 2048, "r.csv", company.id)
    assert response.status_code == 422 and "文件太大" in response.text and count(ImportJob) == 0


def test_permission_is_checked_on_the_importing_unit(app, company, make_unit, make_user, login, clock, tmp_path):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    officer_a = login(make_user(Role.HR_OFFICER, unit=site_a))
    content = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:1]).read_bytes()
    assert upload(officer_a, content, "r.xlsx", company.id).status_code == 403
    assert count(ImportJob) == 0
    assert upload(officer_a, content, "r.xlsx", site_a.id).status_code == 302

    job, _ = import_roster(xlsx_roster(tmp_path / "r2.xlsx", WORKER_HEADER, ROWS), company)
    for url in (f"/imports/{job.id}", f"/imports/{job.id}/progress", f"/imports/{job.id}/errors"):
        assert officer_a.get(url).status_code == 404, url  # another unit's job: "not found"
    manager = login(make_user(Role.SITE_MANAGER, unit=site_a))
    assert manager.get("/imports/").status_code == 403


def test_unrecognised_required_columns_are_mapped_by_hand_and_saved(app, company, make_user, login, clock, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    header = ["甲列", "姓名", "身份证号码", "备注"]
    content = xlsx_roster(tmp_path / "r.xlsx", header, [["1001", "张伟", id_number(), "x"]]).read_bytes()
    response = upload(client, content, "劳资.xlsx", company.id)
    job = session.execute(select(ImportJob)).scalar_one()
    assert job.status == ImportStatus.MAPPING
    assert response.headers["Location"].endswith(f"/imports/{job.id}/columns")
    assert run_queued_imports() == 0  # waits for the mapping
    form = client.get(f"/imports/{job.id}/columns")
    assert "甲列" in form.text and "工号" in form.text

    guessed = {"column_1": "name", "column_2": "id_number", "column_3": ""}
    refused = submit(client, f"/imports/{job.id}/columns", {"column_0": "", **guessed, "source": "劳资系统"})
    assert refused.status_code == 422 and "工号" in refused.text
    twice = submit(client, f"/imports/{job.id}/columns",
                   {**guessed, "column_0": "name", "source": "劳资系统"})
    assert twice.status_code == 422 and "只能对应一列" in twice.text
    saved = submit(client, f"/imports/{job.id}/columns",
                   {"column_0": "employee_number", **guessed, "source": "劳资系统"})
    assert saved.status_code == 302
    assert run_queued_imports() == 1
    session.expire_all()
    job = session.get(ImportJob, job.id)
    # "备注" was mapped to "do not import": ignored on purpose, so not listed as unknown
    assert (job.status, job.created_count, job.unknown_columns) == (ImportStatus.DONE, 1, None)

    # the next file from the same source is understood at once
    response = upload(client, content, "劳资.xlsx", company.id, source="劳资系统")
    second = session.execute(select(ImportJob).order_by(ImportJob.id.desc()).limit(1)).scalar_one()
    assert second.status == ImportStatus.QUEUED
    assert response.headers["Location"].endswith(f"/imports/{second.id}")


def test_a_job_waiting_for_its_mapping_can_be_cancelled(app, company, make_user, login, tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    content = xlsx_roster(tmp_path / "r.xlsx", ["甲列", "姓名"], [["1001", "张伟"]]).read_bytes()
    upload(client, content, "r.xlsx", company.id)
    job = session.execute(select(ImportJob)).scalar_one()
    assert submit(client, f"/imports/{job.id}/discard", {}, form_url=f"/imports/{job.id}").status_code == 302
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.FAILED
    assert not has_file(job.id, FileRole.UPLOAD)


def test_a_failed_job_keeps_no_upload_and_notifies(app, company, clock, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\x00garbage" * 10)
    job = create_job(path, "r.csv", kind=ImportKind.WORKERS, base_unit=company, actor=IMPORTER)
    session.flush()
    assert run_queued_imports() == 1
    job = session.get(ImportJob, job.id)
    assert job.status == ImportStatus.FAILED and job.failure["message"]
    assert not has_file(job.id, FileRole.UPLOAD)
    assert session.execute(select(Notification.category).where(
        Notification.recipient_key == IMPORTER.key)).scalar_one() == "imports.failed"


def test_a_running_job_whose_runner_died_is_taken_over(app, company, clock, tmp_path):
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:1])
    job = create_job(path, "r.xlsx", kind=ImportKind.WORKERS, base_unit=company, actor=IMPORTER)
    session.flush()
    assert claim(ROSTER_IMPORT).task_id == job.task_id  # a runner takes it, then dies
    assert run_queued_imports() == 0  # running, and its runner is alive
    clock.advance(minutes=11)
    assert run_queued_imports() == 1  # queued again and run by this one
    done = session.get(ImportJob, job.id)
    assert done.status == ImportStatus.DONE and done.created_count == 1
    assert done.task.attempts == 2


def test_finished_jobs_are_not_run_again(company, clock, tmp_path):
    job, _ = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, ROWS[:1]), company)
    again = run_import(job.id)
    assert again.status == ImportStatus.DONE and again.created_count == 1
    assert count(TaskChunk) == 0


def test_progress_is_committed_after_every_batch(company, clock, tmp_path):
    seen = []
    rows = [worker(str(1000 + i), f"职工{i}") for i in range(7)]
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows)
    job = create_job(path, "r.xlsx", kind=ImportKind.WORKERS, base_unit=company, actor=IMPORTER,
                     store_upload=False)
    run_import(job.id, path=path, batch_size=3,
               on_progress=lambda job: seen.append((job.processed_rows, job.total_rows, job.status.value)))
    assert seen == [(3, 7, "running"), (6, 7, "running"), (7, 7, "running"), (7, 7, "done")]


def test_reimport_with_an_empty_works_away_column_changes_nothing(company, clock, tmp_path):
    header = [*WORKER_HEADER, "外出务工起始日期"]
    path = xlsx_roster(tmp_path / "r.xlsx", header, [[*worker("1001", "张伟"), None]])
    import_roster(path, company)
    again, _ = import_roster(path, company)
    assert (again.updated_count, again.unchanged_count) == (0, 1)
