"""Notifications: in-app (the bell) and any channel an integration registers (SMS, WeCom…)."""
from __future__ import annotations

from ..core.features import Feature, Job

feature = Feature(
    name="notifications",
    package=__name__,
    demo="demo:load",
    blueprints=("views:bp",),
    models=("models",),
    jobs=(
        Job("notifications.deliver", "jobs:deliver_due_notifications", "interval", {"seconds": 5},
            why="Text messages and WeCom go out within seconds of the commit; a run delivers at "
                "most 100 rows."),
        Job("notifications.purge_read", "jobs:purge_old_read_notifications", "cron",
            {"hour": 3, "minute": 17}),
    ),
)
