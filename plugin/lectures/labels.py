"""Labels of the lecture codes for pages and exports.

Each enum's one table lives beside it in :mod:`.models` (``LectureFormat.TALK.label``); the
check-in method's too. The names here are those same tables, for
the views that pass them to templates.
"""
from flask_babel import lazy_gettext as _l

from .models import CHECK_IN_METHOD_LABELS as METHOD_LABELS  # noqa: F401
from .models import FORMAT_LABELS, LECTURER_KIND_LABELS, TOPIC_LABELS  # noqa: F401
from .models import SESSION_STATUS_LABELS as STATUS_LABELS  # noqa: F401

#: Column headings of the calendar, Monday first (the Chinese working week).
WEEKDAY_LABELS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"),
                  _l("周日"))
