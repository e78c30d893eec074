"""Audit actions of the reunion campaigns' booking pages (merged into the feature's declaration)."""
from flask_babel import lazy_gettext as _l

AUDIT_ACTIONS: dict = {
    "reunion.manifest_downloaded": _l("下载团聚活动出票名单"),
    "reunion.bookings_imported": _l("导入团聚活动出票结果"),
    "reunion.booked": _l("登记团聚出行车票"),
    "reunion.id_revealed": _l("查看团聚出行人完整身份证号码"),
    "reunion.ticket_refunded": _l("团聚车票退票并登记退款"),
}
