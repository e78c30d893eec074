"""Importing HR rosters (花名册) of workers and of their children, from files in the formats a
host registers (:mod:`.formats`), in the background with progress, or from the shell."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.actions import register_action_labels

register_action_labels({
    "import.started": _l("开始导入花名册"),
    "import.finished": _l("花名册导入结束"),
    "import.error_file_downloaded": _l("下载导入错误文件"),
})
