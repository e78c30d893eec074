"""Audit actions of the reunion campaigns' results pages (merged into the feature's declaration).

The results' XLSX detail is recorded as ``export.downloaded`` (every list download); these are
the actions of the services appended for the results and the demo (closing a campaign)."""
from flask_babel import lazy_gettext as _l

AUDIT_ACTIONS: dict = {
    "reunion.campaign_closed": _l("结束团聚活动"),
}
