"""Notification channels for tests: one that records what it was handed, one that fails."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class RecordingChannel:
    """Records (recipient, title msgid) of each notification handed to it; thread-safe."""

    def __init__(self, name: str = "recording", *, seconds: float = 0.0):
        self.name = name
        self.seconds = seconds
        self.delivered: list[tuple[str, str]] = []
        self.notification_ids: list[int] = []
        self._lock = threading.Lock()

    def deliver(self, notification) -> None:
        if self.seconds:
            time.sleep(self.seconds)  # a gateway taking its time: other workers run meanwhile
        with self._lock:
            self.delivered.append((notification.recipient_key, notification.title_msgid))
            self.notification_ids.append(notification.id)


class FailingChannel(RecordingChannel):
    """Fails the first ``failures`` attempts (every attempt by default), then records."""

    def __init__(self, name: str = "failing", *, failures: int | None = None):
        super().__init__(name)
        self.failures = failures
        self.attempts = 0

    def deliver(self, notification) -> None:
        self.attempts += 1
        if self.failures is None or self.attempts <= self.failures:
            raise ConnectionError(f"gateway unreachable (attempt {self.attempts})")
        super().deliver(notification)


@contextmanager
def channels(app, *registered) -> Iterator[tuple]:
    """``registered`` channels on ``app`` for the block (as a host's ``register_channel``)."""
    state = app.extensions["carebridge"]
    state.channels.extend(registered)
    try:
        yield registered
    finally:
        for channel in registered:
            state.channels.remove(channel)
