"""Field-level encryption of children's sensitive data at rest, and keyed blind indexes.

Keys (``CAREBRIDGE_DATA_KEY``, else ``<instance>/data_keys``) are one line such as
``k2:<b64>,k1:<b64>,index:<b64>``, each ``<b64>`` the urlsafe base64 of 32 random bytes. The first
data key encrypts, later ones only decrypt; ``index`` (or ``CAREBRIDGE_INDEX_KEY``) keys the blind
indexes, apart so rotation never changes them. Losing the keys loses the data: back them up.

Tokens are ``v1.<key_id>.<urlsafe b64(nonce || ciphertext || tag)>`` (AES-256-GCM, random 96-bit
nonce) with the column's context (``"child.id_number"``) authenticated: tokens can't change column.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import LargeBinary, Text, bindparam, inspect, select, type_coerce, update
from sqlalchemy.types import TypeDecorator

TOKEN_VERSION = "v1"
KEY_ENV, INDEX_KEY_ENV, KEY_FILE = "CAREBRIDGE_DATA_KEY", "CAREBRIDGE_INDEX_KEY", "data_keys"
KEY_BYTES, NONCE_BYTES, TAG_BYTES = 32, 12, 16
BLIND_INDEX_CHARS = 32  # hex chars = 128 bits; see FieldCipher.blind_index
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class KeyConfigError(ValueError):
    """The key configuration is missing or malformed (the message never contains key material)."""


class DecryptionError(ValueError):
    """A token could not be decrypted: malformed, tampered with, unknown key or wrong context."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Canonical unpadded urlsafe base64, else None (so no two spellings decode alike)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))  # skips stray characters,
    except ValueError:  # binascii.Error, or non-ASCII text
        return None
    return raw if text and _b64encode(raw) == text else None  # which this comparison catches


class KeyRing:
    """Named AES-256 data keys, the current one first, and the separate blind-index key."""

    def __init__(self, keys: Mapping[str, bytes], index_key: bytes):
        if not keys or index_key in keys.values():
            raise KeyConfigError("need a data key, and an index key unlike every data key")
        self.keys, self.index_key = dict(keys), index_key

    @property
    def current_id(self) -> str:
        return next(iter(self.keys))

    @classmethod
    def generate(cls) -> KeyRing:
        return cls({"k1": secrets.token_bytes(KEY_BYTES)}, secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_config(cls, value: str, *, index_key: str | None = None,
                    source: str = KEY_ENV) -> KeyRing:
        """Parse ``k2:<b64>,k1:<b64>,index:<b64>``; ``index_key`` is ``CAREBRIDGE_INDEX_KEY``."""
        keys: dict[str, bytes] = {}
        for number, entry in enumerate(value.split(","), start=1):
            key_id, _, encoded = (part.strip() for part in entry.partition(":"))
            if not _KEY_ID.fullmatch(key_id) or not encoded:
                raise KeyConfigError(f"{source}: entry {number} is not 'key_id:<base64 key>' "
                                     "(key_id: 1-32 letters, digits, '-' or '_')")
            if key_id in keys:
                raise KeyConfigError(f"{source}: duplicate key id {key_id!r}")
            keys[key_id] = _decode_key(encoded, f"{source}: key {key_id!r}")
        index = keys.pop("index", None)
        if index_key and index is not None:
            raise KeyConfigError(f"both {source} 'index' and {INDEX_KEY_ENV} are set; keep one")
        if index_key:
            index = _decode_key(index_key.strip(), INDEX_KEY_ENV)
        if not keys:
            raise KeyConfigError(f"{source}: no data key (expected 'k1:<base64 key>')")
        if index is None:
            raise KeyConfigError(f"{source}: no blind-index key; add an 'index:<base64 key>' "
                                 f"entry or set {INDEX_KEY_ENV}")
        return cls(keys, index)

    @classmethod
    def load(cls, instance_path: Path, environ: Mapping[str, str] = os.environ) -> KeyRing:
        """``CAREBRIDGE_DATA_KEY`` if set, else ``<instance>/data_keys`` (created 0600 once)."""
        index_key = environ.get(INDEX_KEY_ENV)
        if environ.get(KEY_ENV, "").strip():
            return cls.from_config(environ[KEY_ENV], index_key=index_key)
        key_file = Path(instance_path) / KEY_FILE
        if not key_file.exists():  # written aside, then linked: no one reads a half-written file
            key_file.parent.mkdir(parents=True, exist_ok=True)
            draft = key_file.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}")
            with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(cls.generate().serialize() + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first: use its keys
                os.link(draft, key_file)
            draft.unlink()
        return cls.from_config(key_file.read_text(), index_key=index_key, source=str(key_file))

    def add_key(self) -> str:
        """Add a fresh key ``k<n+1>`` and make it current (rotation); older keys still decrypt."""
        numbers = [int(k[1:]) for k in self.keys if re.fullmatch(r"k\d+", k)]
        key_id = f"k{max(numbers, default=0) + 1}"
        self.keys = {key_id: secrets.token_bytes(KEY_BYTES), **self.keys}
        return key_id

    def serialize(self) -> str:
        """The configuration line (current key first); keep it as secret as a password."""
        entries = [*self.keys.items(), ("index", self.index_key)]
        return ",".join(f"{key_id}:{_b64encode(key)}" for key_id, key in entries)


def _decode_key(encoded: str, label: str) -> bytes:
    key = _b64decode(encoded.rstrip("="))
    if key is None:
        raise KeyConfigError(f"{label} is not urlsafe base64")
    if len(key) != KEY_BYTES:
        raise KeyConfigError(f"{label} must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


class FieldCipher:
    """Encrypts single text fields into ASCII tokens, and computes blind indexes."""

    def __init__(self, keyring: KeyRing):
        self.keyring = keyring

    def encrypt(self, plaintext: str, *, context: str) -> str:
        key_id, nonce = self.keyring.current_id, os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keyring.keys[key_id]).encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(context))
        return f"{TOKEN_VERSION}.{key_id}.{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        key_id, raw = _parse(token)
        if key_id not in self.keyring.keys:
            raise DecryptionError(f"unknown key id {key_id!r}: is an old key missing?")
        try:
            plaintext = AESGCM(self.keyring.keys[key_id]).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(context))
        except InvalidTag:
            raise DecryptionError(f"token failed authentication for context {context!r}: "
                                  "tampered with, or stored under another context") from None
        return plaintext.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        return _parse(token)[0] != self.keyring.current_id

    def rotate(self, token: str, *, context: str) -> str:
        """Re-encrypt ``token`` under the current key (verifying it on the way)."""
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def encrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        """Like :meth:`encrypt`, for binary content (stored files): ``v1.<key_id>.`` + nonce
        + ciphertext."""
        key_id, nonce = self.keyring.current_id, os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keyring.keys[key_id]).encrypt(nonce, data, _associated_data(context))
        return f"{TOKEN_VERSION}.{key_id}.".encode("ascii") + nonce + sealed

    def decrypt_bytes(self, token: bytes, *, context: str) -> bytes:
        version, _, rest = token.partition(b".")
        key_id, _, raw = rest.partition(b".")
        key = self.keyring.keys.get(key_id.decode("ascii", "replace"))
        if (version.decode("ascii", "replace") != TOKEN_VERSION or key is None
                or len(raw) <= NONCE_BYTES):
            raise DecryptionError("not an encrypted file chunk of a known key")
        try:
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                       _associated_data(context))
        except InvalidTag:
            raise DecryptionError(
                f"file chunk failed authentication for context {context!r}") from None

    def bytes_key_id(self, token: bytes) -> str | None:
        """The key id an :meth:`encrypt_bytes` token names (None when it is not such a token)."""
        version, _, rest = bytes(token).partition(b".")
        key_id, dot, _raw = rest.partition(b".")
        if version != TOKEN_VERSION.encode("ascii") or not dot:
            return None
        return key_id.decode("ascii", "replace")

    def needs_rotation_bytes(self, token: bytes) -> bool:
        return self.bytes_key_id(token) != self.keyring.current_id

    def rotate_bytes(self, token: bytes, *, context: str) -> bytes:
        """Re-encrypt a binary token under the current key (verifying it on the way)."""
        return self.encrypt_bytes(self.decrypt_bytes(token, context=context), context=context)

    def blind_index(self, value: str, *, purpose: str) -> str:
        """HMAC-SHA256 of an already normalised ``value`` per ``purpose`` (e.g. the column), for
        exact lookup and de-duplication. Cut to 128 bits (32 hex chars): a short column, and
        accidental collisions stay negligible (birthday bound ~2**64 values), so a match is taken
        as the same value. ID numbers have little entropy: with the index key they can be
        brute-forced from the index, so guard it like the data keys. It never rotates."""
        message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
        digest = hmac.new(self.keyring.index_key, message, hashlib.sha256).hexdigest()
        return digest[:BLIND_INDEX_CHARS]


def _associated_data(context: str) -> bytes:
    if not context:
        raise ValueError("an encryption context is required (e.g. 'child.id_number')")
    return f"carebridge:{TOKEN_VERSION}:{context}".encode()


def _parse(token: str) -> tuple[str, bytes]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        raise DecryptionError(f"not a {TOKEN_VERSION} token")
    raw = _b64decode(parts[2])
    if raw is None or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token payload is not valid base64 or is too short")
    return parts[1], raw


def current_cipher() -> FieldCipher:
    """The cipher of the current app (``app.extensions["carebridge"].cipher``)."""
    if (cipher := getattr(current_app.extensions["carebridge"], "cipher", None)) is None:
        raise RuntimeError("CareBridge has no data key ring configured (state.cipher is None)")
    return cipher


class EncryptedText(TypeDecorator):
    """A text column stored as an encryption token; Python code only ever sees plaintext.
    Equality filters on it never match (each encryption has a fresh nonce): use a blind index."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str, **kwargs):
        super().__init__(**kwargs)
        self.context = context

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"EncryptedText({self.context!r}) stores str, not {type(value)}")
        return None if value is None else current_cipher().encrypt(value, context=self.context)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else current_cipher().decrypt(value, context=self.context)


class EncryptedBytes(TypeDecorator):
    """A binary column stored encrypted (uploaded rosters, error files: they hold ID numbers)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str, **kwargs):
        super().__init__(**kwargs)
        self.context = context

    def process_bind_param(self, value: bytes | None, dialect) -> bytes | None:
        return (None if value is None
                else current_cipher().encrypt_bytes(bytes(value), context=self.context))

    def process_result_value(self, value: bytes | None, dialect) -> bytes | None:
        return (None if value is None
                else current_cipher().decrypt_bytes(bytes(value), context=self.context))


def rotate_all(session, model, columns: Iterable[str], *, batch_size: int = 500,
               cipher: FieldCipher | None = None) -> int:
    """Re-encrypt the ``EncryptedText`` ``columns`` of ``model`` still under an older key, in
    batches by primary key (raw tokens, one executemany UPDATE per batch, the identity map
    bypassed); returns how many values were re-encrypted. The caller commits."""
    cipher = cipher or current_cipher()
    mapper = inspect(model)
    targets = [mapper.columns[name] for name in columns]
    if len(mapper.primary_key) != 1 or not all(isinstance(c.type, EncryptedText) for c in targets):
        raise ValueError(f"rotate_all needs a one-column primary key and EncryptedText columns, "
                         f"not {model.__name__} {[c.key for c in targets]}")
    pk = mapper.primary_key[0]
    session.flush()
    rotated = 0
    for column in targets:
        raw = type_coerce(column, Text)  # the stored token, not decrypted
        statement = (update(pk.table).where(pk == bindparam("_pk"))
                     .values({column: bindparam("_token", type_=Text)}))
        query = select(pk, raw).where(raw.is_not(None)).order_by(pk).limit(batch_size)
        rows = session.execute(query).all()
        while rows:
            changes = [{"_pk": key, "_token": cipher.rotate(token, context=column.type.context)}
                       for key, token in rows if cipher.needs_rotation(token)]
            if changes:
                session.execute(statement, changes)
                rotated += len(changes)
            rows = session.execute(query.where(pk > rows[-1][0])).all()
    return rotated


def rotate_all_bytes(session, model, columns: Iterable[str], *, batch_size: int = 20,
                     cipher: FieldCipher | None = None) -> int:
    """:func:`rotate_all` for ``EncryptedBytes`` columns (scans, signatures, photos, evidence):
    small batches, since each value may be megabytes. The caller commits."""
    cipher = cipher or current_cipher()
    mapper = inspect(model)
    targets = [mapper.columns[name] for name in columns]
    if len(mapper.primary_key) != 1 or not all(isinstance(c.type, EncryptedBytes)
                                               for c in targets):
        raise ValueError(f"rotate_all_bytes needs a one-column primary key and EncryptedBytes "
                         f"columns, not {model.__name__} {[c.key for c in targets]}")
    pk = mapper.primary_key[0]
    session.flush()
    rotated = 0
    for column in targets:
        raw = type_coerce(column, LargeBinary)  # the stored token, not decrypted
        statement = (update(pk.table).where(pk == bindparam("_pk"))
                     .values({column: bindparam("_token", type_=LargeBinary)}))
        query = select(pk, raw).where(raw.is_not(None)).order_by(pk).limit(batch_size)
        rows = session.execute(query).all()
        while rows:
            changes = [{"_pk": key, "_token": cipher.rotate_bytes(bytes(token),
                                                                  context=column.type.context)}
                       for key, token in rows if cipher.needs_rotation_bytes(bytes(token))]
            if changes:
                session.execute(statement, changes)
                rotated += len(changes)
            rows = session.execute(query.where(pk > rows[-1][0])).all()
    return rotated
