"""The batch paths for new workers and children give the same result as the row-by-row path."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.imports.models import ImportKind
from plugin.registry.models import Child, ChildParent, ParentRole, Worker

from .imports_support import WORKER_HEADER, id_number, import_roster, worker, xlsx_roster
from .support import recorded_statements


def test_every_new_worker_is_audited_with_its_id(company, clock, tmp_path):
    rows = [worker(f"{n:04d}", f"职工{n}") for n in range(1, 8)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {} and job.created_count == 7
    ids = {str(worker_id) for worker_id in session.execute(select(Worker.id)).scalars()}
    audited = set(session.execute(select(AuditEvent.target_id).where(
        AuditEvent.action == "worker.created")).scalars())
    assert audited == ids
    first = session.execute(select(Worker).where(Worker.employee_number == "0001")).scalar_one()
    assert first.name_initials == "zg1" and first.works_away_since == first.entry_date


def test_a_new_row_with_an_id_number_freed_by_an_earlier_row_of_the_batch(company, clock, tmp_path):
    shared, other = id_number(sequence="111"), id_number(sequence="333")
    import_roster(xlsx_roster(tmp_path / "a.xlsx", WORKER_HEADER, [worker("0001", "甲", id=shared)]), company)
    rows = [worker("0001", "甲", id=other), worker("0002", "乙", id=shared)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "b.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {} and (job.created_count, job.updated_count) == (1, 1)


def test_two_new_rows_with_one_id_number_keep_the_first(company, clock, tmp_path):
    shared = id_number(sequence="111")
    rows = [worker("0001", "甲", id=shared), worker("0002", "乙", id=shared)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert job.created_count == 1 and list(rejected) == [5]
    assert rejected[5][0].field == "id_number"


def test_batches_of_one_and_of_many_store_the_same(company, clock, tmp_path):
    rows = [worker(f"{n:04d}", f"职工{n}") for n in range(1, 6)] + [worker("0003", "重复")]
    path = xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows)
    job, rejected = import_roster(path, company, batch_size=1)
    snapshot = sorted(session.execute(select(Worker.employee_number, Worker.name)).all())
    assert job.created_count == 5 and list(rejected) == [9]
    again, _ = import_roster(path, company, batch_size=500)
    assert again.unchanged_count == 5 and again.created_count == 0
    assert sorted(session.execute(select(Worker.employee_number, Worker.name)).all()) == snapshot
    assert session.execute(select(func.count()).select_from(Worker)).scalar_one() == 5


def test_a_refused_batch_insert_falls_back_to_row_by_row(company, clock, tmp_path, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    import plugin.imports.batching as batching

    def refuse(*args, **kwargs):
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("simulated"))

    monkeypatch.setattr(batching, "insert_new_workers", refuse)
    rows = [worker(f"{n:04d}", f"职工{n}") for n in range(1, 4)]
    job, rejected = import_roster(xlsx_roster(tmp_path / "r.xlsx", WORKER_HEADER, rows), company)
    assert rejected == {} and job.created_count == 3
    assert session.execute(select(func.count()).select_from(Worker)).scalar_one() == 3


CHILDREN_HEADER = ["家长工号", "职工与儿童关系", "儿童姓名", "出生日期", "是否在户籍地生活", "就读学校",
                   "家庭经济状况", "身份证号码"]


def test_children_created_at_once_match_the_row_by_row_rules(company, clock, tmp_path):
    from plugin.registry.services import recompute_categories

    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER,
                              [worker("0001", "甲"), worker("0002", "乙")]), company)
    older_id = id_number(birth="20080101", sequence="135")
    rows = [
        ["0001", "父亲", "小明", "2016-05-05", "是", "希望小学", "低保", id_number(birth="20160505", sequence="111")],
        ["0002", "母亲", "小红", "2015-01-01", "否", None, "无", None],
        ["0001", "父亲", "小明", "2016-05-05", "是", None, "低保", None],  # the same child again
        ["0002", "母亲", "大红", "2008-01-01", "是", "第一中学", None, older_id],  # 14+, ID kept
    ]
    job, rejected = import_roster(xlsx_roster(tmp_path / "c.xlsx", CHILDREN_HEADER, rows), company,
                                  kind=ImportKind.CHILDREN)
    assert rejected == {} and (job.created_count, job.unchanged_count) == (3, 1)
    assert job.withheld_count == 1  # 小明: under 14 without consent, school and ID withheld
    children = {child.name: child for child in session.execute(select(Child)).scalars()}
    assert set(children) == {"小明", "小红", "大红"}
    assert children["小明"].school is None and children["小明"].id_number is None
    assert children["小明"].in_difficulty is True and children["小明"].left_behind is None
    assert "mother.status" in children["小明"].categories_missing  # the roster says nothing of her
    assert children["大红"].school == "第一中学" and children["大红"].id_number == older_id
    for child in children.values():
        assert recompute_categories(child, clock.now.date()) is False, child.name
    links = session.execute(select(func.count()).select_from(ChildParent)).scalar_one()
    assert links == 3
    created = set(session.execute(select(AuditEvent.target_id).where(
        AuditEvent.action == "child.created")).scalars())
    assert created == {str(child.id) for child in children.values()}


def _children(company, tmp_path, name: str, rows):
    return import_roster(xlsx_roster(tmp_path / name, CHILDREN_HEADER, rows), company,
                         kind=ImportKind.CHILDREN)


def test_new_children_with_id_numbers_are_inserted_in_one_statement(company, clock, tmp_path):
    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER,
                              [worker(f"{n:04d}", f"职工{n}") for n in range(1, 6)]), company)
    rows = [[f"{n:04d}", "父亲", f"孩子{n}", f"2009-03-0{n}", "是", "第一中学", None,
             id_number(birth=f"2009030{n}", sequence=f"1{n}1")] for n in range(1, 6)]
    with recorded_statements() as statements:
        job, rejected = _children(company, tmp_path, "c.xlsx", rows)
    assert rejected == {} and job.created_count == 5
    assert sum(1 for statement in statements if statement.startswith("INSERT INTO cb_child ")) == 1
    stored = {child.name: child for child in session.execute(select(Child)).scalars()}
    for n in range(1, 6):  # each row's values went to its own child
        child = stored[f"孩子{n}"]
        assert child.id_number == rows[n - 1][7]
        assert [link.worker.employee_number for link in child.parent_links] == [f"{n:04d}"]


def test_a_registered_id_number_links_the_child_instead_of_a_new_one(company, clock, tmp_path):
    mother = worker("0002", "乙", sex="女", id=id_number(sequence="222"))
    import_roster(xlsx_roster(tmp_path / "w.xlsx", WORKER_HEADER, [worker("0001", "甲"), mother]),
                  company)
    known = id_number(birth="20080101", sequence="135")
    twice = id_number(birth="20090202", sequence="246")
    _children(company, tmp_path, "a.xlsx",
              [["0002", "母亲", "大红", "2008-01-01", "是", None, None, known]])
    rows = [
        ["0001", "父亲", "大红", "2008-01-01", "是", None, None, known],  # held by the mother's child
        ["0001", "父亲", "小刚", "2009-02-02", "是", None, None, twice],
        ["0002", "母亲", "小刚", "2009-02-02", "是", None, None, twice],  # repeats the row above
    ]
    job, rejected = _children(company, tmp_path, "b.xlsx", rows)
    assert rejected == {} and (job.created_count, job.updated_count) == (1, 2)
    assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 2
    roles = sorted(session.execute(select(Child.name, ChildParent.role).join(
        ChildParent, ChildParent.child_id == Child.id)).all())
    assert roles == [("大红", ParentRole.FATHER), ("大红", ParentRole.MOTHER),
                     ("小刚", ParentRole.FATHER), ("小刚", ParentRole.MOTHER)]
