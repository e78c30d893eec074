"""Field encryption of children's data: tokens, key ring, blind index, column type, rotation."""
from __future__ import annotations

import base64
import os
import stat
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import Integer, String, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from plugin.privacy.crypto import (
    TOKEN_VERSION,
    DecryptionError,
    EncryptedText,
    FieldCipher,
    KeyConfigError,
    KeyRing,
    rotate_all,
)

ID_NUMBER = "11010520150312341X"
CONTEXT = "child.id_number"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(KeyRing.generate())


def test_round_trip(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    assert token.startswith(f"{TOKEN_VERSION}.k1.") and token.isascii()
    assert ID_NUMBER not in token
    assert cipher.decrypt(token, context=CONTEXT) == ID_NUMBER
    assert cipher.decrypt(cipher.encrypt("", context=CONTEXT), context=CONTEXT) == ""
    name = cipher.encrypt("张小明", context="child.name")
    assert cipher.decrypt(name, context="child.name") == "张小明"


def test_same_plaintext_gives_different_tokens_but_the_same_blind_index(cipher):
    first, second = (cipher.encrypt(ID_NUMBER, context=CONTEXT) for _ in range(2))
    assert first != second
    index = cipher.blind_index(ID_NUMBER, purpose=CONTEXT)
    assert index == cipher.blind_index(ID_NUMBER, purpose=CONTEXT)
    assert len(index) == 32
    assert index != cipher.blind_index(ID_NUMBER, purpose="guardian.id_number")
    assert index != cipher.blind_index("110105201503123420", purpose=CONTEXT)


def test_blind_index_is_unchanged_by_key_rotation(cipher):
    before = cipher.blind_index(ID_NUMBER, purpose=CONTEXT)
    cipher.keyring.add_key()
    assert cipher.blind_index(ID_NUMBER, purpose=CONTEXT) == before
    reloaded = FieldCipher(KeyRing.from_config(cipher.keyring.serialize()))
    assert reloaded.blind_index(ID_NUMBER, purpose=CONTEXT) == before


def test_wrong_context_is_refused(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(DecryptionError, match="context 'guardian.id_number'"):
        cipher.decrypt(token, context="guardian.id_number")


def test_any_single_changed_character_is_refused(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    for position, char in enumerate(token):
        tampered = token[:position] + ("A" if char != "A" else "B") + token[position + 1:]
        with pytest.raises(DecryptionError):
            cipher.decrypt(tampered, context=CONTEXT)
    for malformed in ("", "v1", "v1.k1", f"v2.{token[3:]}", token + ".x", token[:20], token + "=",
                      token + "密", None):
        with pytest.raises(DecryptionError):
            cipher.decrypt(malformed, context=CONTEXT)


def test_unknown_key_id_is_refused(cipher):
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    stranger = FieldCipher(KeyRing.generate())  # also has a "k1", with another key
    with pytest.raises(DecryptionError):
        stranger.decrypt(token, context=CONTEXT)
    with pytest.raises(DecryptionError, match="unknown key id 'k9'"):
        cipher.decrypt(token.replace(".k1.", ".k9."), context=CONTEXT)


def test_old_key_tokens_still_decrypt_after_add_key_and_rotate(cipher):
    old = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    assert not cipher.needs_rotation(old)
    assert cipher.keyring.add_key() == "k2"
    assert cipher.keyring.current_id == "k2"
    assert cipher.decrypt(old, context=CONTEXT) == ID_NUMBER
    assert cipher.needs_rotation(old)
    new = cipher.rotate(old, context=CONTEXT)
    assert new.startswith("v1.k2.") and not cipher.needs_rotation(new)
    assert cipher.decrypt(new, context=CONTEXT) == ID_NUMBER
    with pytest.raises(DecryptionError):
        cipher.rotate(old, context="child.name")


def test_serialize_round_trips_with_the_current_key_first(cipher):
    cipher.keyring.add_key()
    config = cipher.keyring.serialize()
    assert config.startswith("k2:") and ",k1:" in config and ",index:" in config
    ring = KeyRing.from_config(config)
    assert ring.current_id == "k2" and ring.keys == cipher.keyring.keys
    assert ring.index_key == cipher.keyring.index_key


def test_load_from_the_environment(tmp_path):
    k1, k2, index = os.urandom(32), os.urandom(32), os.urandom(32)
    config = f" k2:{b64(k2)}, k1:{b64(k1)} ,index:{b64(index)}\n"
    ring = KeyRing.load(tmp_path, {"CAREBRIDGE_DATA_KEY": config})
    assert ring.current_id == "k2" and ring.keys == {"k2": k2, "k1": k1} and ring.index_key == index
    separate = KeyRing.load(tmp_path, {"CAREBRIDGE_DATA_KEY": f"k1:{b64(k1)}",
                                       "CAREBRIDGE_INDEX_KEY": b64(index).rstrip("=")})
    assert separate.index_key == index
    assert not (tmp_path / "data_keys").exists()


def test_load_generates_the_instance_file_once(tmp_path):
    instance = tmp_path / "instance"
    first = KeyRing.load(instance, {})
    key_file = instance / "data_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = KeyRing.load(instance, {})
    assert second.serialize() == first.serialize()
    assert first.keys[first.current_id] != first.index_key
    from_env = KeyRing.load(instance, {"CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize()})
    assert from_env.serialize() != first.serialize()


@pytest.mark.parametrize(("config", "environ", "message"), [
    ("", {}, "entry 1 is not 'key_id:<base64 key>'"),
    ("k1", {}, "entry 1 is not 'key_id:<base64 key>'"),
    ("k1:", {}, "entry 1 is not 'key_id:<base64 key>'"),
    ("k1:{k},,index:{i}", {}, "entry 2 is not"),
    ("k1:{k}", {}, "no blind-index key"),
    ("index:{i}", {}, "no data key"),
    ("k1:{k},k1:{k2},index:{i}", {}, "duplicate key id 'k1'"),
    ("k1:{k},index:{i},index:{i}", {}, "duplicate key id 'index'"),
    ("k1:{k},k.1:{k},index:{i}", {}, "entry 2 is not 'key_id:<base64 key>' (key_id: 1-32 letters"),
    ("k1:c2hvcnQ,index:{i}", {}, "key 'k1' must decode to 32 bytes, got 5"),
    ("k1:not*base64!,index:{i}", {}, "key 'k1' is not urlsafe base64"),
    ("k1:密钥,index:{i}", {}, "key 'k1' is not urlsafe base64"),
    ("k1:{k},index:{k}", {}, "index key unlike every data key"),
    ("k1:{k},index:{i}", {"CAREBRIDGE_INDEX_KEY": "{i}"}, "keep one"),
])
def test_malformed_configuration_names_the_problem(tmp_path, config, environ, message):
    keys = {"k": b64(os.urandom(32)), "k2": b64(os.urandom(32)), "i": b64(os.urandom(32))}
    environ = {name: value.format(**keys) for name, value in environ.items()}
    environ["CAREBRIDGE_DATA_KEY"] = config.format(**keys) or " "
    with pytest.raises(KeyConfigError, match=message.replace("(", r"\(")) as error:
        KeyRing.from_config(environ.pop("CAREBRIDGE_DATA_KEY"),
                            index_key=environ.get("CAREBRIDGE_INDEX_KEY"))
    assert not any(key in str(error.value) for key in keys.values())


def test_load_reports_malformed_environment(tmp_path):
    with pytest.raises(KeyConfigError, match="CAREBRIDGE_DATA_KEY: no blind-index key"):
        KeyRing.load(tmp_path, {"CAREBRIDGE_DATA_KEY": f"k1:{b64(os.urandom(32))}"})


def test_encrypted_text_types_differ_by_context_in_the_statement_cache():
    assert EncryptedText("a")._static_cache_key != EncryptedText("b")._static_cache_key


def test_a_missing_cipher_is_reported():
    app = Flask(__name__)
    app.extensions["carebridge"] = SimpleNamespace(cipher=None)
    with app.app_context(), pytest.raises(RuntimeError, match="no data key ring"):
        EncryptedText(CONTEXT).process_bind_param(ID_NUMBER, None)


# --- the column type --------------------------------------------------------------------------

class Base(DeclarativeBase):
    pass


class Child(Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(EncryptedText(CONTEXT))
    id_number_index: Mapped[str | None] = mapped_column(String(32), index=True)
    notes: Mapped[str | None] = mapped_column(EncryptedText("child.notes"))


@pytest.fixture
def flask_app(cipher):
    app = Flask(__name__)
    app.extensions["carebridge"] = SimpleNamespace(cipher=cipher)
    with app.app_context():
        yield app


def add_child(session: Session, cipher: FieldCipher, number: str, name: str = "child",
              **fields) -> Child:
    child = Child(name=name, id_number=number,
                  id_number_index=cipher.blind_index(number, purpose=CONTEXT), **fields)
    session.add(child)
    return child


def test_encrypted_column_stores_tokens_and_loads_plaintext(flask_app, cipher):
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        add_child(session, cipher, ID_NUMBER, notes="过敏：青霉素")
        session.add(Child(name="no id"))
        session.commit()
        raw_id, raw_notes = session.execute(
            text("SELECT id_number, notes FROM child WHERE id = 1")).one()
        assert raw_id.startswith(f"{TOKEN_VERSION}.") and ID_NUMBER not in raw_id
        assert raw_notes.startswith(f"{TOKEN_VERSION}.") and "青霉素" not in raw_notes
        with pytest.raises(DecryptionError):  # a token moved to another column does not decrypt
            cipher.decrypt(raw_id, context="child.notes")
        assert session.execute(text("SELECT id_number FROM child WHERE id = 2")).scalar() is None
        session.expire_all()
        found = session.execute(select(Child).where(
            Child.id_number_index == cipher.blind_index(ID_NUMBER, purpose=CONTEXT))).scalar_one()
        assert found.id_number == ID_NUMBER and found.notes == "过敏：青霉素"
        assert session.get(Child, 2).id_number is None
        found.id_number = 42
        with pytest.raises(Exception, match="stores str"):
            session.flush()


def test_rotate_all_reencrypts_old_tokens_in_batches(flask_app, cipher):
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        for number in range(7):
            add_child(session, cipher, f"1101052015031234{number:02d}",
                      notes=None if number % 2 else "note")
        session.add(Child(name="no id"))
        session.commit()
        cipher.keyring.add_key()
        add_child(session, cipher, "110105201503129999")  # already under the new key
        session.commit()
        current = session.execute(text("SELECT id_number FROM child WHERE id = 9")).scalar()

        assert rotate_all(session, Child, ["id_number", "notes"], batch_size=3) == 7 + 4
        session.commit()
        raw = session.execute(text("SELECT id_number, notes FROM child ORDER BY id")).all()
        tokens = [token for row in raw for token in row if token is not None]
        assert len(tokens) == 7 + 4 + 1 and not any(cipher.needs_rotation(t) for t in tokens)
        assert raw[7] == (None, None) and raw[8][0] == current  # current tokens are left alone
        session.expire_all()
        children = session.execute(select(Child).order_by(Child.id)).scalars().all()
        assert [c.id_number for c in children[:7]] == [f"1101052015031234{n:02d}" for n in range(7)]
        assert [c.notes for c in children[:7]] == ["note", None] * 3 + ["note"]
        assert rotate_all(session, Child, ["id_number", "notes"]) == 0
        with pytest.raises(ValueError, match="EncryptedText columns, not Child \\['name'\\]"):
            rotate_all(session, Child, ["name"])


def test_database_file_holds_no_plaintext_id_number(flask_app, cipher, tmp_path):
    path = tmp_path / "children.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        add_child(session, cipher, ID_NUMBER, name="王小明", notes="需要定期复查")
        session.commit()
        cipher.keyring.add_key()
        rotate_all(session, Child, ["id_number", "notes"])
        session.commit()
    engine.dispose()
    data = path.read_bytes()
    assert "王小明".encode() in data  # the scan does see unencrypted columns
    assert ID_NUMBER.encode() not in data
    assert "需要定期复查".encode() not in data
