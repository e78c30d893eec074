"""The channel interface. The in-app bell is always on; integrations add SMS, WeCom, DingTalk…

A channel is registered with :meth:`plugin.CareBridge.register_channel` and is handed every
notification after it is stored (inside the same transaction: a channel that sends to the
outside should queue the message and send it after commit, e.g. from a scheduled job).
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from .models import Notification


@runtime_checkable
class NotificationChannel(Protocol):
    #: Short unique name, e.g. ``"sms"``.
    name: str

    def deliver(self, notification: Notification) -> None:
        """Deliver (or queue) one stored notification."""
