"""Remembering which employee numbers a file has already shown, in little memory.

A roster can have a million rows and the importer must still spot the second row with the same
employee number. A ``dict`` of strings would take well over 100 MB at that size; this keeps a
64-bit hash and the first row number of each key in two flat arrays (open addressing), 24 to
48 bytes a key. Two different numbers with the same 64-bit hash in one file are improbable
enough (about 1 in 30 million for a million rows) to be reported as a duplicate without a
second look.
"""
from __future__ import annotations

from array import array

_MASK64 = (1 << 64) - 1


class SeenKeys:
    def __init__(self, capacity: int = 1024):
        size = 1
        while size < capacity * 2:
            size *= 2
        self._hashes = array("Q", [0]) * size
        self._rows = array("I", [0]) * size
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def first_row(self, key: str, row: int) -> int | None:
        """Record that ``key`` is on ``row``; return the row it was first seen on, if it was."""
        digest = (hash(key) & _MASK64) or 1
        slot = self._find(digest)
        if self._hashes[slot] == digest:
            return self._rows[slot]
        self._hashes[slot] = digest
        self._rows[slot] = row
        self._count += 1
        if self._count * 2 > len(self._hashes):
            self._grow()
        return None

    def _find(self, digest: int) -> int:
        mask = len(self._hashes) - 1
        slot = digest & mask
        while self._hashes[slot] not in (0, digest):
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        hashes, rows = self._hashes, self._rows
        self._hashes = array("Q", [0]) * (len(hashes) * 2)
        self._rows = array("I", [0]) * (len(hashes) * 2)
        for digest, row in zip(hashes, rows, strict=True):
            if digest:
                slot = self._find(digest)
                self._hashes[slot] = digest
                self._rows[slot] = row
