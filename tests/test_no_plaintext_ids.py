"""No plaintext ID number anywhere in the database file, after imports that store the upload and
an error file, and after erasures (SQLite is the embedded default, so its file is what we check)."""
from __future__ import annotations

import sqlite3

import pytest
from flask_migrate import upgrade

from employer_portal import create_app
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.imports.models import FileRole, ImportKind
from plugin.imports.processing import run_import
from plugin.imports.queries import has_file
from plugin.imports.services import create_job
from plugin.org.services import create_company

from .conftest import portal_test_config
from .imports_support import WORKER_HEADER, csv_roster, id_number, worker

pytestmark = pytest.mark.committing


def test_imported_and_rejected_id_numbers_never_reach_the_file_in_clear(tmp_path):
    database = tmp_path / "pipl.db"
    app = create_app(portal_test_config(f"sqlite:///{database}"))
    kept, rejected = id_number(sequence="135"), id_number(sequence="357")
    rows = [worker("0001", "张三", id=kept), worker("0001", "重复工号", id=rejected)]
    # CSV, not XLSX: an XLSX is a zip, whose compression would hide clear text from the scan.
    roster = csv_roster(tmp_path / "r.csv", WORKER_HEADER, rows)
    actor = Actor.system("tests")
    with app.app_context():
        upgrade()
        create_company("测试建工集团", actor=actor)
        session.commit()
        from plugin.org.queries import get_root_unit

        job = create_job(roster, roster.name, kind=ImportKind.WORKERS, base_unit=get_root_unit(),
                         actor=actor, dry_run=False, source=None, store_upload=True)
        session.commit()
        job = run_import(job.id)
        assert (job.created_count, job.rejected_count) == (1, 1)
        assert has_file(job.id, FileRole.ERRORS)
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    content = database.read_bytes()
    for number in (kept, rejected):
        assert number.encode() not in content
        assert number.encode("utf-16-le") not in content
    assert "张三".encode() in content  # the scan does see clear text where there is some
