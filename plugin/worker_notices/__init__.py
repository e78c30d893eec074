"""Notices on a worker's phone (``/w/``): reminders officers send in bulk from their lists
(the next lecture, a pledge to sign, a guardian's consent), shown on the phone's home page until
opened and, where an SMS integration is registered, also sent as a text message. The same
reminder reaches a worker at most once a day (a unique key per worker, inserted with
``ON CONFLICT DO NOTHING``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Retention

feature = Feature(
    name="worker_notices",
    package=__name__,
    subject_data="subject_data:subject_data",
    retention=(
        Retention("worker_notices.old", _l("职工手机提醒"), 6,
                  _l("发到职工手机上的提醒（无论是否已读）满保留期后删除。"),
                  "retention:purge_old_notices"),
    ),
    blueprints=("views:bp",),
    models=("models",),
    panels={"phone.home": ("carebridge/worker_notices/_phone_panel.html",)},
    audit_actions={"worker_notice.sent": _l("向职工手机发送提醒")},
    audit_text="audit_text:AUDIT_TEXT",
)
