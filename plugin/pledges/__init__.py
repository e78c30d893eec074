"""Guardianship pledges (监护责任承诺书, DOMAIN §4): versioned templates, signing on paper
(logged by an HR officer with a scan) or on the worker's phone (drawn signature), the PDF with its
public verification code, the yearly lifecycle with reminders, coverage per site and site zips."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import PLEDGES_MANAGE, PLEDGES_VIEW

feature = Feature(
    name="pledges",
    package=__name__,
    subject_data="subject_data:subject_data",
    retention=(
        Retention("pledges.signatures", _l("监护承诺书的签名和扫描件"), 36,
                  _l("承诺书失效（有效期最后一天或被撤销之日）满保留期后，清除手写签名和纸质扫描件；"
                     "保留承诺书文本的指纹、签署和有效日期、签署方式，承诺覆盖率等统计不变。"),
                  "retention:purge_signatures"),
    ),
    demo="demo:load",
    indicators="indicators:INDICATORS",
    record_pages={"pledge": ("carebridge.pledges.pledge", "pledge_id")},
    label=_l("监护责任承诺"),
    blueprints=("views:bp", "worker_views:bp", "public_views:bp", "todo:bp"),
    panels={"home.todo": ("carebridge/pledges/_todo.html",)},
    models=("models",),
    permissions={
        PLEDGES_VIEW: (Role.HR_OFFICER, Role.SITE_MANAGER, Role.UNION_OFFICER),
        PLEDGES_MANAGE: (Role.HR_OFFICER,),
    },
    links={
        "navigation": (Link("carebridge.pledges.index", _l("监护承诺"), PLEDGES_VIEW, order=50),),
        "worker": (Link("carebridge.pledges.worker", _l("监护承诺"), PLEDGES_VIEW,
                        subject_arg="worker_id", order=10),),
        "phone.home": (Link("carebridge.pledges_worker.mine",
                            _l("我的监护承诺书：查看、签署和下载"),
                            element_id="pledges-link", order=10),),
    },
    jobs=(
        Job("pledges.lifecycle", "jobs:pledge_lifecycle_today", "cron", {"hour": 0, "minute": 20},
            why="After midnight: a pledge valid until yesterday is marked expired first thing "
                "today."),
        Job("pledges.run_batches", "jobs:run_queued_pledge_batches", "interval", {"seconds": 3},
            why="Site zips start within seconds; a running batch holds this job (max 1 instance)."),
    ),
    settings=(
        Setting("CAREBRIDGE_PLEDGE_VALIDITY_DAYS", 365, positive_int,
                "Days a signed pledge stays valid."),
        Setting("CAREBRIDGE_PLEDGE_REMINDER_DAYS", 30, positive_int,
                "Days before the end of validity that officers are reminded."),
        Setting("CAREBRIDGE_PLEDGE_SCAN_MAX_BYTES", 10 * 1024 * 1024, positive_int,
                "Largest scan of a paper pledge accepted, in bytes."),
    ),
    audit_actions={
        "pledge.template_saved": _l("保存监护承诺书文本版本"),
        "pledge.signed": _l("签署监护承诺书"),
        "pledge.revoked": _l("撤销监护承诺书"),
        "pledge.expired": _l("监护承诺书到期"),
        "pledge.pdf_downloaded": _l("下载监护承诺书 PDF"),
        "pledge.scan_downloaded": _l("查看监护承诺书扫描件"),
        "pledge.batch_requested": _l("申请批量打包监护承诺书"),
        "pledge.batch_finished": _l("监护承诺书打包完成"),
        "pledge.batch_downloaded": _l("下载监护承诺书压缩包"),
    },
    audit_text="audit_text:AUDIT_TEXT",
)
