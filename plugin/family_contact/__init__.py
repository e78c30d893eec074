"""Family-contact support (DOMAIN §6): free call minutes and mobile data granted monthly under
versioned policies and sent to carriers in batch files whose results come back; family phones and
video-chat rooms booked in slots from the phone; free WiFi in living areas and its coverage."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention
from ..core.roles import Role
from .permissions import CONTACT_ALLOWANCES, CONTACT_ROOMS, CONTACT_VIEW

feature = Feature(
    name="family_contact",
    package=__name__,
    retention=(
        Retention("family_contact.grant_phones", _l("话费和流量补贴的手机号"), 24,
                  _l("补贴月份开始满保留期后，清除充值的手机号和运营商写明的失败原因；保留职工、"
                     "月份、分钟数、流量、费用和到账结果，补贴统计和运营商批次不变。"),
                  "retention:purge_grant_phones"),
    ),
    subject_data="subject_data:subject_data",
    demo="demo:load",
    blueprints=("wifi_views:bp", "room_views:bp", "room_phone_views:bp", "allowance_views:bp",
                "allowance_phone_views:bp"),
    models=("models",),
    indicators="indicators:INDICATORS",
    label=_l("亲情联络"),
    permissions={
        CONTACT_VIEW: (Role.HR_OFFICER, Role.UNION_OFFICER, Role.SITE_MANAGER, Role.CARE_WORKER,
                       Role.REPORT_OFFICER),
        CONTACT_ALLOWANCES: (Role.HR_OFFICER, Role.UNION_OFFICER),
        CONTACT_ROOMS: (Role.SITE_MANAGER, Role.UNION_OFFICER, Role.CARE_WORKER),
    },
    record_pages={"contact_living_area": ("carebridge.family_contact_wifi.area", "area_id")},
    links={
        "navigation": (Link("carebridge.family_contact_allowances.index", _l("亲情通话补贴"),
                            CONTACT_VIEW, order=85),
                       Link("carebridge.family_contact_rooms.index", _l("亲情电话和视频室"),
                            CONTACT_VIEW, order=86),
                       Link("carebridge.family_contact_wifi.index", _l("居住区和WiFi"),
                            CONTACT_VIEW, order=87)),
        "worker": (Link("carebridge.family_contact_allowances.worker", _l("亲情通话补贴"),
                        CONTACT_VIEW, subject_arg="worker_id",
                        element_id="contact-allowances-worker-link"),),
        "phone.home": (Link("carebridge.family_contact_phone.allowances",
                            _l("亲情通话补贴：每月免费通话时长和流量"),
                            element_id="contact-allowances-link", order=59),
                       Link("carebridge.family_contact_phone_rooms.rooms",
                            _l("亲情电话和视频聊天室预约"), element_id="contact-rooms-link",
                            order=60),),
    },
    jobs=(
        Job("family_contact.grant_allowances", "jobs:grant_allowances", "cron",
            {"hour": 0, "minute": 40},
            why="After the registry's categories are recomputed (00:05): on the 1st every "
                "eligible worker is granted the month; other days, joiners and the newly "
                "eligible. Exactly one grant per worker and month however often it runs."),
    ),
    audit_actions={
        "family_contact.month_granted": _l("发放当月亲情通话时长和流量"),
        "family_contact.booked": _l("预约亲情电话或视频聊天室"),
        "family_contact.booking_cancelled": _l("取消亲情电话或视频聊天室预约"),
        "family_contact.booking_recorded": _l("登记亲情电话或视频聊天室使用情况"),
        "family_contact.room_saved": _l("保存亲情电话或视频聊天室设置"),
        "family_contact.room_closed": _l("停用亲情电话或视频聊天室"),
        "family_contact.area_saved": _l("保存居住区和WiFi情况"),
        "family_contact.residents_assigned": _l("登记职工入住居住区"),
        "family_contact.policy_added": _l("添加亲情通话补贴政策版本"),
        "family_contact.batch_exported": _l("导出运营商批量赠送文件"),
        "family_contact.batch_downloaded": _l("下载运营商批量赠送文件"),
        "family_contact.results_imported": _l("导入运营商处理结果"),
    },
)
