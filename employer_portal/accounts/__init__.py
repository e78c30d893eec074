"""Staff accounts of the standalone portal: sign-in with lockout, and user administration."""
from flask_babel import lazy_gettext as _l

from plugin.audit.actions import register_action_labels

register_action_labels({
    "auth.login": _l("登录"),
    "auth.login_failed": _l("登录失败"),
    "auth.locked": _l("账户被锁定"),
    "auth.logout": _l("退出登录"),
    "auth.address_limited": _l("同一网络地址登录失败过多"),
    "user.created": _l("新建用户"),
    "user.updated": _l("修改用户"),
    "user.password_changed": _l("修改密码"),
    "user.unlocked": _l("解除锁定"),
})
