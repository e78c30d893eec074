"""Password and PIN hashing (``CAREBRIDGE_PASSWORD_HASH_METHOD``): scrypt unless configured,
a changed method keeps every stored hash working, and a wrong value stops the start."""
from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from employer_portal import create_app
from employer_portal.accounts import services as accounts
from plugin.core.db import session
from plugin.core.passwords import password_hash_method, unknown_account_hash
from plugin.core.settings import SettingsError
from plugin.org.models import OrgKind
from plugin.worker_access.models import WorkerPin

from .conftest import CHEAP_HASH_METHOD, PASSWORD, SYSTEM, portal_test_config
from .worker_phone_support import PIN, give_pin, sign_in


@pytest.fixture
def scrypt(set_setting):
    set_setting("CAREBRIDGE_PASSWORD_HASH_METHOD", None)  # the declared default


@pytest.fixture
def worker(make_unit, make_worker):
    return make_worker(make_unit(OrgKind.SITE), employee_number="E3001")


def test_passwords_and_pins_are_scrypt_hashes_by_default(scrypt, company, make_user, worker):
    user = make_user()
    give_pin(worker)
    pin_hash = session.get(WorkerPin, worker.id).pin_hash
    assert user.password_hash.startswith("scrypt:32768:8:1$") and PASSWORD not in user.password_hash
    assert pin_hash.startswith("scrypt:32768:8:1$") and PIN not in pin_hash
    assert unknown_account_hash().startswith("scrypt:32768:8:1$")  # as dear as a real one


def test_a_new_method_hashes_new_passwords_and_old_hashes_still_sign_in(
        scrypt, set_setting, company, make_user):
    user = make_user()
    set_setting("CAREBRIDGE_PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
    assert accounts.sign_in(user.username, PASSWORD, ip=None, user_agent=None).id == user.id
    accounts.set_password(user, "Another-pass-2", actor=SYSTEM)
    assert user.password_hash.startswith("pbkdf2:sha256:600000$")
    assert check_password_hash(user.password_hash, "Another-pass-2")
    assert unknown_account_hash().startswith("pbkdf2:sha256:600000$")


def test_a_pin_set_under_another_method_still_signs_in(set_setting, worker, client):
    set_setting("CAREBRIDGE_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    give_pin(worker)
    set_setting("CAREBRIDGE_PASSWORD_HASH_METHOD", CHEAP_HASH_METHOD)
    assert sign_in(client, worker.employee_number).status_code == 302


def test_a_bad_method_stops_the_start(database_url):
    with pytest.raises(SettingsError, match="CAREBRIDGE_PASSWORD_HASH_METHOD"):
        create_app(portal_test_config(database_url, CAREBRIDGE_PASSWORD_HASH_METHOD="md5"))


@pytest.mark.parametrize("value", ["scrypt", "scrypt:16384:8:1", "pbkdf2", "pbkdf2:sha512",
                                   "pbkdf2:sha256:600000", " scrypt "])
def test_methods_werkzeug_knows_are_accepted(value):
    assert password_hash_method(value) == value.strip()


@pytest.mark.parametrize("value", ["md5", "bcrypt", "scrypt:16384", "scrypt:a:b:c",
                                   "pbkdf2:nohash:1000", "pbkdf2:sha256:many", ""])
def test_other_methods_stop_the_start_with_a_reason(value):
    with pytest.raises(ValueError, match="expected|unknown hash"):
        password_hash_method(value)
