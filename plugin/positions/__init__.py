"""Work near home (就近就业): the company's workplaces and hiring needs, suggested to workers with
left-behind children by the distance to their hukou county.

The six-body guidance asks firms that can to move work toward the central and western regions
and help workers find work near home (返乡创业、就近就业); the Yunnan opinion asks firms to offer
workers jobs near home. Sites carry their county (GB/T 2260) and their openings (trade,
headcount, period), entered by HR or imported through the roster importer's mapping step; a
worker with left-behind children sees the open positions of their home province on the phone,
nearest first (same county, prefecture, province: :mod:`.rules`), and asks for a transfer; HR
decides, and the worker's record keeps the outcome."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link, RecordImport, Retention
from ..core.roles import Role
from .permissions import POSITIONS_DECIDE, POSITIONS_MANAGE, POSITIONS_VIEW

feature = Feature(
    name="positions",
    package=__name__,
    retention=(
        Retention("positions.decided_transfers", _l("已处理的调岗申请"), 24,
                  _l("申请被批准、未批准或撤回满保留期后，清除职工填写的说明和审批理由；保留职工、"
                     "岗位、项目、状态和日期，调岗统计不变。"),
                  "retention:purge_decided_transfers"),
    ),
    demo="demo:load",
    subject_data="subject_data:subject_data",
    blueprints=("views:bp", "phone_views:bp"),
    models=("models",),
    indicators="indicators:INDICATORS",
    record_pages={"positions_transfer": ("carebridge.positions.transfer", "request_id")},
    label=_l("就近就业"),
    permissions={
        POSITIONS_VIEW: (Role.HR_OFFICER, Role.SITE_MANAGER),
        POSITIONS_MANAGE: (Role.HR_OFFICER,),
        POSITIONS_DECIDE: (Role.HR_OFFICER,),
    },
    links={
        "navigation": (Link("carebridge.positions.index", _l("就近就业"), POSITIONS_VIEW,
                            order=88),),
        "worker": (Link("carebridge.positions.worker", _l("调动记录"), POSITIONS_VIEW,
                        subject_arg="worker_id", element_id="positions-worker-link"),),
        "phone.home": (Link("carebridge.positions_phone.index",
                            _l("家乡附近的岗位：申请调到离家近的项目部"),
                            element_id="positions-link", order=65),),
    },
    imports=(RecordImport("positions", _l("招用需求"), POSITIONS_MANAGE, "fields:FIELDS",
                          "workplaces:store_row", key_fields=("site", "trade", "starts_on"),
                          example="fields:EXAMPLE"),),
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "positions.location_saved": _l("登记项目部所在地区"),
        "positions.opening_created": _l("添加招用需求"),
        "positions.opening_updated": _l("修改招用需求"),
        "positions.opening_closed": _l("关闭招用需求"),
        "positions.opening_imported": _l("导入招用需求"),
        "positions.transfer_requested": _l("申请调动"),
        "positions.transfer_approved": _l("同意调动申请"),
        "positions.transfer_declined": _l("不同意调动申请"),
        "positions.transfer_withdrawn": _l("撤回调动申请"),
    },
)
