"""Importing HR rosters (花名册) of workers and of their children, from files in the formats a
host registers (:mod:`.formats`), in the background with progress, or from the shell."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Job, Link, Retention, Setting
from ..core.roles import Role
from ..core.settings import positive_int
from .permissions import ROSTERS_IMPORT

feature = Feature(
    name="imports",
    package=__name__,
    retention=(
        Retention("imports.files", _l("花名册导入文件"), 3,
                  _l("导入满保留期后，删除上传的花名册、错误文件和页面上显示的错误示例（其中有身份证"
                     "号码）；保留导入批次和各项数量。"),
                  "retention:purge_old_files"),
    ),
    demo="demo:load",
    blueprints=("views:bp", "todo:bp"),
    panels={"home.todo": ("carebridge/imports/_todo.html",)},
    models=("models",),
    permissions={ROSTERS_IMPORT: (Role.HR_OFFICER,)},
    links={"navigation": (
        Link("carebridge.imports.index", _l("花名册导入"), ROSTERS_IMPORT, order=80),)},
    jobs=(
        Job("imports.run_queued", "jobs:run_queued_imports", "interval", {"seconds": 3},
            why="Uploaded rosters start within seconds; a running import holds this job "
                "(max 1 instance)."),
    ),
    settings=(Setting("CAREBRIDGE_IMPORT_MAX_BYTES", 50 * 1024 * 1024, positive_int,
                      "Largest roster file accepted, in bytes."),),
    commands=("cli:import_workers_command", "cli:import_children_command"),
    audit_actions={
        "import.started": _l("开始导入花名册"),
        "import.finished": _l("花名册导入结束"),
        "import.error_file_downloaded": _l("下载导入错误文件"),
    },
    audit_text="audit_text:AUDIT_TEXT",
)
