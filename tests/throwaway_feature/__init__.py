"""A feature that exists only in the tests: proof that a feature is one folder plus one line.

It is declared exactly as the README's "Adding a feature" shows, and mounted by listing it after
the default features (``tests/test_features.py``). It has no tables, so it needs no migration.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugin.core.features import Feature, IntegrityKind, Job, Link, Setting
from plugin.core.roles import Permission, Role
from plugin.core.settings import positive_int

GREETINGS_VIEW = Permission("greetings.view")

feature = Feature(
    name="greetings",
    package=__name__,
    blueprints=("views:bp", "views:phone_bp"),
    permissions={GREETINGS_VIEW: (Role.HR_OFFICER,)},
    links={
        "navigation": (Link("carebridge.greetings.index", _l("问候"), GREETINGS_VIEW, order=95),),
        "worker": (Link("carebridge.greetings.worker", _l("问候职工"), GREETINGS_VIEW,
                        subject_arg="worker_id", element_id="greet-worker"),),
        "phone.home": (Link("carebridge.greetings_phone.hello", _l("问候"),
                            element_id="greetings-link", order=15),),
    },
    panels={"lecture": ("carebridge/greetings/_lecture_panel.html",)},
    jobs=(Job("greetings.daily", "jobs:greet_everyone", "cron", {"hour": 6}),),
    commands=("cli:greet_command",),
    settings=(Setting("CAREBRIDGE_GREETINGS_PER_DAY", 3, positive_int, "Greetings a day."),),
    audit_actions={"greetings.sent": _l("发送问候")},
    integrity_kinds=(IntegrityKind("greeting_received", _l("收到问候"), "primary"),),
)
