"""Adapters between CareBridge and the outside world: HR-system imports and API, document and
report formats, carriers, notification channels. They plug into the interfaces the plugin
declares (for example :class:`plugin.notifications.channels.NotificationChannel`)."""
