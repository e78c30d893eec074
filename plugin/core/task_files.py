"""Files of background tasks (an uploaded roster, an error file, a zip), stored in the database.

In the database rather than on a web server's disk, so the process that runs a task may be on
another machine than the one that received its upload. A file is kept in chunks of
:data:`CHUNK_BYTES` (:class:`~plugin.core.tasks.TaskChunk`), each encrypted on its own with the
context its task kind declares, and is written, read and downloaded a chunk at a time: never
the whole file in memory.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import Response, current_app, stream_with_context
from sqlalchemy import exists, insert, select

from .db import session
from .http import attachment_disposition
from .tasks import Task, TaskChunk, TaskKind, delete_files

#: Plain bytes per stored chunk.
CHUNK_BYTES = 1 << 20


def write_file(kind: TaskKind, task_id: int, name: str, source: Path | IO[bytes], *,
               chunk_bytes: int = CHUNK_BYTES) -> int:
    """Store ``source`` (a path or a binary stream) as the task's file ``name``, replacing an
    earlier one of that name (a task run again writes its results afresh); returns its size in
    bytes. Flushes."""
    context = kind.file_context(name)
    cipher = _cipher()
    delete_files(task_id, name)
    size = seq = 0
    with open(source, "rb") if isinstance(source, (str, Path)) else nullcontext(source) as handle:
        while chunk := handle.read(chunk_bytes):
            session.execute(insert(TaskChunk).values(
                task_id=task_id, name=name, seq=seq,
                data=cipher.encrypt_bytes(chunk, context=context)))
            size += len(chunk)
            seq += 1
    return size


def _cipher():
    """The app's :class:`plugin.privacy.crypto.FieldCipher`, which the extension sets up (the
    core is below the privacy feature, so it is reached through the app, not imported)."""
    cipher = getattr(current_app.extensions["carebridge"], "cipher", None)
    if cipher is None:
        raise RuntimeError("CareBridge has no data key ring configured (state.cipher is None)")
    return cipher


def has_file(task_id: int, name: str) -> bool:
    return session.execute(select(exists().where(
        TaskChunk.task_id == task_id, TaskChunk.name == name))).scalar()


def stored_file(kind: TaskKind, task_id: int, name: str) -> StoredFile | None:
    """The task's file ``name``; None when there is none (not written yet, or deleted)."""
    chunk_ids = tuple(session.execute(
        select(TaskChunk.id).join(Task, TaskChunk.task_id == Task.id)
        .where(Task.id == task_id, Task.kind == kind.name, TaskChunk.name == name)
        .order_by(TaskChunk.seq)).scalars())
    return StoredFile(kind.file_context(name), chunk_ids) if chunk_ids else None


@dataclass(frozen=True)
class StoredFile:
    """A stored file, read a chunk at a time (the chunks' ids are known, their data is not)."""

    context: str
    chunk_ids: tuple[int, ...]

    def chunks(self) -> Iterator[bytes]:
        """The file's content, one decrypted chunk at a time (one query per chunk)."""
        cipher = _cipher()
        for chunk_id in self.chunk_ids:
            data = session.execute(
                select(TaskChunk.data).where(TaskChunk.id == chunk_id)).scalar_one()
            yield cipher.decrypt_bytes(bytes(data), context=self.context)

    def copy_to(self, path: Path) -> None:
        with open(path, "wb") as handle:
            for chunk in self.chunks():
                handle.write(chunk)

    def response(self, *, download_name: str, fallback_name: str, mimetype: str,
                 size: int | None = None) -> Response:
        """A download streamed from the database chunk by chunk, as ``download_name`` (any
        characters; ``fallback_name``, plain ASCII, for clients that read only that)."""
        response = Response(stream_with_context(self.chunks()), mimetype=mimetype)
        response.headers["Content-Disposition"] = attachment_disposition(fallback_name,
                                                                         download_name)
        if size is not None:
            response.headers["Content-Length"] = str(size)
        response.headers["Cache-Control"] = "no-store"
        return response
