from datetime import date

from sqlalchemy import text

from plugin.org.models import OrgKind
from plugin.registry.schema import WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_worker

from .conftest import SYSTEM

WORKER_ID = "11010519491231002X"


def stored_key_ids():
    tokens = [row[0] for row in text_rows("SELECT id_number FROM cb_worker WHERE id_number IS NOT NULL")]
    return {token.split(".")[1] for token in tokens}


def text_rows(sql):
    from plugin.core.db import session

    return session.execute(text(sql)).all()


def test_add_key_then_reencrypt_moves_every_value_to_the_new_key(app, make_unit):
    site = make_unit(OrgKind.SITE)
    values = parse_record({"employee_number": "E1", "name": "张三", "id_number": WORKER_ID},
                          WORKER_FIELDS, today=date(2026, 11, 22))
    worker = upsert_worker(values, unit=site, actor=SYSTEM).record
    keyring = app.extensions["carebridge"].cipher.keyring
    saved_keys = dict(keyring.keys)
    try:
        runner = app.test_cli_runner()
        added = runner.invoke(args=["rotate-keys", "--add-key"])
        assert added.exit_code == 0, added.output
        assert "CAREBRIDGE_DATA_KEY=k2:" in added.output
        assert stored_key_ids() == {"k1"}
        done = runner.invoke(args=["rotate-keys", "--reencrypt"])
        assert done.exit_code == 0 and "Re-encrypted 1 values under key k2" in done.output
        assert stored_key_ids() == {"k2"}
        from plugin.core.db import session

        session.expire_all()
        assert session.get(type(worker), worker.id).id_number == WORKER_ID
    finally:
        keyring.keys = saved_keys


def test_rotate_keys_needs_a_step(app):
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code != 0 and "--add-key" in result.output
