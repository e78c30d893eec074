"""Staff accounts of the standalone portal: sign-in with lockout, and user administration."""
from flask_babel import lazy_gettext as _l

from plugin.audit.actions import register_action_labels

register_action_labels({
    "auth.address_limited": _l("同一网络地址登录失败过多"),
})
