"""Notifications: in-app (the bell) and any channel an integration registers (SMS, WeCom…)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Retention

feature = Feature(
    name="notifications",
    package=__name__,
    retention=(
        Retention("notifications.old", _l("站内通知"), 12,
                  _l("通知（无论是否已读）满保留期后删除，连同其短信、企业微信发送记录；已读通知"
                     "另由每日任务在半年后删除。"),
                  "retention:purge_old_notifications"),
    ),
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
