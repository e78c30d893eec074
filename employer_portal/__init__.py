"""The standalone CareBridge portal: the host most companies run.

``create_app()`` builds the app from ``CAREBRIDGE_*`` environment variables (see README);
``create_app(config)`` overrides them, as the tests do.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user

from plugin.access.permissions import USERS_MANAGE
from plugin.core.clock import utcnow
from plugin.core.features import Link
from plugin.core.urls import local_path
from plugin.extension import MIGRATIONS_DIR, SUPPORTED_LOCALES, select_locale, select_timezone
from plugin.org.permissions import COMPANY_MANAGE

from .config import load_config, per_server_key_warnings
from .extensions import babel, bootstrap, carebridge, csrf, db, login_manager, migrate
from .operations import ENDPOINTS as OPERATIONS_ENDPOINTS
from .operations import init_operations

PORTAL_TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: Endpoints reachable before set-up (everything else redirects to the set-up page).
OPEN_BEFORE_SETUP = {"setup.index", "language", "static", "bootstrap.static", "carebridge.static",
                     *OPERATIONS_ENDPOINTS}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path, config or {}))
    app.json.ensure_ascii = False  # JSON (the API) carries Chinese as text, not \u escapes
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PORTAL_TRANSLATIONS)
    # First: its hooks run before and after all others (request ids, timing, metrics).
    init_operations(app)

    for warning in per_server_key_warnings(app.config):  # several app servers need the same keys
        app.logger.warning(warning)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, default_locale="zh_CN", locale_selector=select_locale,
                   timezone_selector=select_timezone)
    _init_login(app)

    from .adapter import PortalAdapter

    carebridge.init_app(app, url_prefix="", adapter=PortalAdapter(), cli_group=None)
    from integrations.rosters import register_roster_formats

    register_roster_formats(app)
    from integrations.carriers import register_carrier_formats

    register_carrier_formats(app)  # carriers' batch files for the monthly contact allowances

    from integrations.hr_api import init_hr_api

    init_hr_api(app)  # JSON API for HR systems at /api/v1 (bearer tokens; exempt from CSRF)

    from .accounts.views import auth_bp, users_bp
    from .setup.views import bp as setup_bp

    for blueprint in (auth_bp, users_bp, setup_bp):
        app.register_blueprint(blueprint)

    _register_portal_routes(app)
    from .security import init_security

    init_security(app)
    from .errors import init_error_pages

    init_error_pages(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    from .accounts.queries import get_user

    # Flask-Login's own context processor loads the user for every rendered page; the proxy
    # loads it only on pages that show it (worker pages, the check-in answer, never do).
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        """``"<id>:<session version>"`` (``User.get_id``): a session from before the user's last
        sign-out, new password or deactivation carries an older version and signs in no one."""
        number, _sep, version = user_id.partition(":")
        if not (number.isdigit() and version.isdigit() and 0 < int(number) < 2**31):
            return None
        user = get_user(int(number))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


def _register_portal_routes(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    portal_navigation = [
        Link("users.index", _l("用户"), USERS_MANAGE),
        Link("carebridge.org.company", _l("公司设置"), COMPANY_MANAGE),
    ]

    @app.route("/lang/<code>")
    def language(code: str):
        if code in SUPPORTED_LOCALES:
            session["locale"] = code
        return redirect(local_path(request.args.get("next")) or "/")

    from .setup.services import is_set_up

    @app.before_request
    def require_set_up():
        if request.endpoint in OPEN_BEFORE_SETUP or is_set_up():
            return None
        return redirect(url_for("setup.index"))

    @app.context_processor
    def portal_context():
        from plugin.access.checks import has_permission

        def portal_nav_items():
            if not current_user.is_authenticated:
                return []
            return [item for item in portal_navigation
                    if has_permission(current_user.key, item.permission)]

        return {"portal_nav_items": portal_nav_items, "now": utcnow}
