"""The channel interface. The in-app bell is always on; integrations add SMS, WeCom, DingTalk…

A host registers a channel with :meth:`plugin.CareBridge.register_channel`. :func:`notify
<plugin.notifications.services.notify>` writes an outbox row for each registered channel in the
request's transaction; after it commits, the delivery job (:mod:`plugin.notifications.outbox`)
calls the channel's :meth:`~NotificationChannel.deliver`. So a channel may send to the outside
directly: a rolled-back action never reaches it.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from flask import current_app

from .models import Notification


@runtime_checkable
class NotificationChannel(Protocol):
    #: Short stable name, unique among the app's channels, e.g. ``"sms"``. Outbox rows name their
    #: channel by it, so renaming a channel strands the rows still waiting for the old name.
    name: str

    def deliver(self, notification: Notification) -> None:
        """Send one notification, committed at least a moment ago.

        Called by the delivery job with no transaction open, at least once per notification and
        channel: normally once, again after a failure or if the job died before recording the
        outcome. ``(notification.id, name)`` identifies the delivery for a receiver that can
        drop duplicates. Raising any exception is a failure, retried later with a growing wait;
        return within a minute or two (the claim lapses after
        :data:`~plugin.notifications.outbox.CLAIM_TIMEOUT`). ``notification.external_link`` is the
        absolute URL it points to, if any.
        """


def registered_channels() -> dict[str, NotificationChannel]:
    """The app's channels by name. A channel without a name, or two with one name, is a
    configuration error."""
    channels: dict[str, NotificationChannel] = {}
    for channel in current_app.extensions["carebridge"].channels:
        name = getattr(channel, "name", None)
        if not isinstance(name, str) or not name or len(name) > 64:
            raise RuntimeError(f"notification channel {channel!r} needs a name (1-64 characters)")
        if name in channels:
            raise RuntimeError(f"two notification channels are named {name!r}")
        channels[name] = channel
    return channels
