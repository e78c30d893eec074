"""Sealing a filing: canonical JSON, SHA-256 fingerprints, the chain and packed record ids.

The chain hash of a filing covers its number, public code, the fingerprints of its content, PDF
and XLSX, the filing it supersedes, when it was filed, and the chain hash of the company's
previous filing; so changing any filed byte, or removing a filing from between two others,
shows when the chain is checked (:func:`check_filing`).
"""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from .models import ReportFiling


def canonical_json(content: dict[str, Any]) -> str:
    """The one text of ``content``: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def chain_hash(*, number: int, public_code: str, content_sha256: str, pdf_sha256: str,
               xlsx_sha256: str, supersedes_number: int | None, filed_at_iso: str,
               previous_chain_sha256: str | None) -> str:
    seal = "\n".join(("carebridge-filing-v1", str(number), public_code, content_sha256,
                      pdf_sha256, xlsx_sha256, str(supersedes_number or ""), filed_at_iso,
                      previous_chain_sha256 or ""))
    return sha256(seal)


def filed_at_text(filing: ReportFiling) -> str:
    """The filing moment as the seal covers it (UTC, seconds)."""
    return filing.filed_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _varint(value: int, out: bytearray) -> None:
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def pack_ids(ids: list[int]) -> bytes:
    """Sorted record ids as zlib-compressed varint gaps: a million ids take a few hundred KB."""
    out = bytearray()
    previous = 0
    for record_id in sorted(ids):
        _varint(record_id - previous, out)
        previous = record_id
    return zlib.compress(bytes(out), 6)


def unpack_ids(packed: bytes) -> list[int]:
    data = zlib.decompress(packed)
    ids, value, shift, previous = [], 0, 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        previous += value
        ids.append(previous)
        value, shift = 0, 0
    return ids


@dataclass(frozen=True)
class SealCheck:
    content_intact: bool
    pdf_intact: bool
    xlsx_intact: bool
    #: The chain hash recomputed from the stored fields equals the stored one.
    seal_intact: bool
    #: The previous filing exists and its chain hash is the one this filing recorded.
    chain_intact: bool

    @property
    def genuine(self) -> bool:
        return all((self.content_intact, self.pdf_intact, self.xlsx_intact, self.seal_intact,
                    self.chain_intact))


def check_filing(filing: ReportFiling, previous: ReportFiling | None,
                 supersedes_number: int | None) -> SealCheck:
    """Recompute a filing's fingerprints and seal from what is stored."""
    content_ok = sha256(filing.content_json) == filing.content_sha256
    pdf_ok = sha256(filing.pdf) == filing.pdf_sha256
    xlsx_ok = sha256(filing.xlsx) == filing.xlsx_sha256
    seal_ok = chain_hash(
        number=filing.number, public_code=filing.public_code,
        content_sha256=filing.content_sha256, pdf_sha256=filing.pdf_sha256,
        xlsx_sha256=filing.xlsx_sha256, supersedes_number=supersedes_number,
        filed_at_iso=filed_at_text(filing),
        previous_chain_sha256=filing.previous_chain_sha256) == filing.chain_sha256
    if filing.previous_id is None:
        chain_ok = filing.previous_chain_sha256 is None and filing.number == 1
    else:
        chain_ok = (previous is not None and previous.number == filing.number - 1
                    and previous.chain_sha256 == filing.previous_chain_sha256)
    return SealCheck(content_ok, pdf_ok, xlsx_ok, seal_ok, chain_ok)
