"""The :class:`CareBridge` extension: registers blueprints, CLI, template helpers and state."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path


import click
from babel import Locale
from flask import Blueprint, Flask, current_app, has_request_context, request
from flask import session as http_session
from flask.cli import AppGroup, with_appcontext
from flask_babel import Babel, format_datetime, get_locale
from flask_wtf.csrf import generate_csrf

from .core.clock import Clock, system_clock
from .core.db import SAFE_METHODS, Base, commit_on_success, configure_sqlite
from .core.host import HostAdapter
from .core.http import forbid_caching
from .notifications.channels import NotificationChannel
from .privacy.crypto import FieldCipher, KeyRing

PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
MIGRATIONS_DIR = PACKAGE_DIR.parent / "migrations"
SUPPORTED_LOCALES = ("zh_CN", "en")
#: Parsed once: Flask-Babel parses a locale name on every request that translates anything, and
#: that parse costs more than a check-in's database work.
_PARSED_LOCALES = {name: Locale.parse(name) for name in SUPPORTED_LOCALES}
DEFAULT_TIMEZONE = "Asia/Shanghai"
TIMEZONE_CACHE_SECONDS = 60


@dataclass
class CareBridgeState:
    """Per-app state, kept in ``app.extensions["carebridge"]`` (never on the extension object)."""

    adapter: HostAdapter
    url_prefix: str
    clock: Clock = system_clock
    channels: list[NotificationChannel] = field(default_factory=list)
    navigation: list["NavItem"] = field(default_factory=list)
    #: Links on a worker's page to other features' pages about that worker (``worker_id`` arg).
    worker_links: list["NavItem"] = field(default_factory=list)
    #: Encrypts sensitive fields; keys from ``CAREBRIDGE_DATA_KEY`` or ``instance/data_keys``.
    cipher: FieldCipher | None = None

    #: The company's time zone and when it was read (``time.monotonic()``), see below.
    _timezone_cache: tuple[str, float] | None = None

    def company_timezone_name(self) -> str:
        """The company's time zone, read at most once a minute per process: every page that shows
        a time needs it, and it almost never changes (a change shows everywhere within a minute)."""
        cached = self._timezone_cache
        if cached is not None and time.monotonic() - cached[1] < TIMEZONE_CACHE_SECONDS:
            return cached[0]
        from .org.queries import get_company

        company = get_company()
        if company is None:
            return current_app.config["CAREBRIDGE_TIMEZONE"]
        self._timezone_cache = (company.timezone, time.monotonic())
        return company.timezone

    def forget_company_timezone(self) -> None:
        self._timezone_cache = None


@dataclass(frozen=True)
class NavItem:
    """A navigation entry shown to users who hold ``permission`` somewhere."""

    endpoint: str
    label: object
    permission: object


def select_locale() -> Locale:
    """Locale chosen with the language switch, else Chinese (the product is Chinese first)."""
    chosen = http_session.get("locale") if has_request_context() else None
    return _PARSED_LOCALES.get(chosen, _PARSED_LOCALES["zh_CN"])


def select_timezone() -> str:
    return current_app.extensions["carebridge"].company_timezone_name()


class CareBridge:
    def __init__(self, app: Flask | None = None, **options):
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask, *, url_prefix: str = "/care", adapter: HostAdapter | None = None,
                 cli_group: str | None = "care") -> None:
        """Mount CareBridge on ``app``.

        ``cli_group`` names the command group (``flask care scheduler``); ``None`` adds the
        commands at the top level, as the standalone portal does (``carebridge scheduler``).
        """
        if "sqlalchemy" not in app.extensions:
            raise RuntimeError("initialise Flask-SQLAlchemy on the app before CareBridge")
        app.config.setdefault("CAREBRIDGE_TIMEZONE", DEFAULT_TIMEZONE)
        url_prefix = url_prefix.rstrip("/")
        state = CareBridgeState(adapter=adapter or HostAdapter(), url_prefix=url_prefix)
        key_source = {**os.environ, **{name: app.config[name] for name in
                                       ("CAREBRIDGE_DATA_KEY", "CAREBRIDGE_INDEX_KEY")
                                       if app.config.get(name)}}
        state.cipher = FieldCipher(KeyRing.load(Path(app.instance_path), key_source))
        app.extensions["carebridge"] = state
        _init_database(app)
        _init_babel(app)
        app.register_blueprint(_build_blueprint(), url_prefix=url_prefix or None)
        state.navigation.extend(_navigation())
        state.worker_links.extend(_worker_links())
        _connect_receivers(app)
        _register_template_helpers(app)
        _register_cli(app, cli_group)

    @staticmethod
    def register_channel(app: Flask, channel: NotificationChannel) -> None:
        app.extensions["carebridge"].channels.append(channel)

    @staticmethod
    def metadata():
        """The plugin's table metadata (for migrations and tests)."""
        import_models()
        return Base.metadata


def import_models() -> None:
    """Import every feature's models so the metadata is complete."""
    from .access import models as _access  # noqa: F401
    from .api_tokens import models as _api_tokens  # noqa: F401
    from .attendance import models as _attendance  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .guardianship import models as _guardianship  # noqa: F401
    from .imports import models as _imports  # noqa: F401
    from .lectures import models as _lectures  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .org import models as _org  # noqa: F401
    from .pledges import models as _pledges  # noqa: F401
    from .registry import models as _registry  # noqa: F401
    from .worker_access import models as _worker_access  # noqa: F401
    from .scheduling import models as _scheduling  # noqa: F401


#: Bodies Werkzeug parses into ``request.form`` and ``request.files``.
FORM_MIMETYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _init_database(app: Flask) -> None:
    """The request boundary's side of transactions, for every request of the app (the host's too).

    On SQLite the engine queues writers (:func:`plugin.core.db.configure_sqlite`): a request that
    may write holds the write lock from its first statement to its commit. A form's body is read
    before that, so a phone uploading a scan slowly over the site's WiFi never holds the lock.
    """
    with app.app_context():
        configure_sqlite(app.extensions["sqlalchemy"].engine)

    @app.before_request
    def read_form_before_the_transaction():
        if request.method not in SAFE_METHODS and request.mimetype in FORM_MIMETYPES:
            request.form  # noqa: B018 - parsing reads the whole body (files are spooled)


def _init_babel(app: Flask) -> None:
    if "babel" not in app.extensions:
        Babel(app, default_locale="zh_CN", locale_selector=select_locale,
              timezone_selector=select_timezone)
    directories = app.extensions["babel"].translation_directories
    if str(TRANSLATIONS_DIR) not in directories:
        directories.append(str(TRANSLATIONS_DIR))


def _build_blueprint() -> Blueprint:
    """One parent blueprint ``carebridge`` with a child per feature, so endpoints read
    ``carebridge.org.unit`` and one ``after_request`` commits every CareBridge request."""
    from .api_tokens.views import bp as api_tokens_bp
    from .attendance.views import bp as attendance_bp
    from .audit.views import bp as audit_bp
    from .dashboard.views import bp as dashboard_bp
    from .guardianship.phone import phone_bp as guardianship_phone_bp
    from .guardianship.views import bp as guardianship_bp
    from .imports.views import bp as imports_bp
    from .lectures.views import bp as lectures_bp
    from .lectures.worker_views import worker_bp as lectures_worker_bp
    from .notifications.views import bp as notifications_bp
    from .org.views import bp as org_bp
    from .pledges.views import bp as pledges_bp
    from .pledges.public_views import bp as pledges_public_bp
    from .pledges.worker_views import bp as pledges_worker_bp
    from .registry.views import bp as registry_bp
    from .worker_access.staff_views import staff_bp as worker_phones_bp
    from .worker_access.views import bp as worker_access_bp

    parent = Blueprint("carebridge", __name__, template_folder="templates",
                       static_folder="static", static_url_path="/cb-static")
    for child in (dashboard_bp, org_bp, registry_bp, imports_bp, audit_bp, notifications_bp,
                  api_tokens_bp, worker_access_bp, lectures_bp, attendance_bp, pledges_bp,
                  guardianship_bp, lectures_worker_bp, pledges_worker_bp, pledges_public_bp,
                  guardianship_phone_bp, worker_phones_bp):
        parent.register_blueprint(child)
    parent.after_request(commit_on_success)
    parent.after_request(forbid_caching)  # pages carry personal data: no-store, in any host
    return parent


def _connect_receivers(app: Flask) -> None:
    """Cross-feature reactions to signals (see :mod:`plugin.signals`), wired once per app."""
    from .guardianship.integrity import connect_receivers as connect_integrity_record

    connect_integrity_record(app)


def _navigation() -> list[NavItem]:
    from flask_babel import lazy_gettext as _l

    from .access.roles import Permission

    return [
        NavItem("carebridge.dashboard.home", _l("首页"), Permission.ORG_VIEW),
        NavItem("carebridge.org.tree", _l("组织架构"), Permission.ORG_VIEW),
        NavItem("carebridge.registry.workers", _l("职工"), Permission.WORKERS_VIEW),
        NavItem("carebridge.lectures.index", _l("宣讲活动"), Permission.LECTURES_VIEW),
        NavItem("carebridge.pledges.index", _l("监护承诺"), Permission.PLEDGES_VIEW),
        NavItem("carebridge.guardianship.agreements", _l("委托照护"), Permission.GUARDIANSHIP_VIEW),
        NavItem("carebridge.guardianship.follow_up", _l("联系跟进"), Permission.GUARDIANSHIP_VIEW),
        NavItem("carebridge.imports.index", _l("花名册导入"), Permission.ROSTERS_IMPORT),
        NavItem("carebridge.audit.events", _l("审计日志"), Permission.AUDIT_VIEW),
        NavItem("carebridge.api_tokens.index", _l("API 令牌"), Permission.API_TOKENS_MANAGE),
    ]


def _worker_links() -> list[NavItem]:
    from flask_babel import lazy_gettext as _l

    from .access.roles import Permission

    return [
        NavItem("carebridge.pledges.worker", _l("监护承诺"), Permission.PLEDGES_VIEW),
        NavItem("carebridge.guardianship.worker_record", _l("诚信档案"), Permission.GUARDIANSHIP_VIEW),
        NavItem("carebridge.guardianship.worker_contacts", _l("联系记录"),
                Permission.GUARDIANSHIP_VIEW),
        NavItem("carebridge.guardianship.new_agreement", _l("新建委托照护协议"),
                Permission.GUARDIANSHIP_MANAGE),
        NavItem("carebridge.worker_phones.phones", _l("手机登录"), Permission.WORKER_PHONES_MANAGE),
    ]


def current_language() -> str:
    """``"zh"`` or ``"en"``: the language pages are shown in now."""
    locale = get_locale()
    return locale.language if locale is not None else "zh"


def _register_template_helpers(app: Flask) -> None:
    from .access.checks import has_permission
    from .notifications.queries import unread_count

    def current_actor():
        return app.extensions["carebridge"].adapter.current_actor()

    @app.context_processor
    def carebridge_context():
        state = app.extensions["carebridge"]

        def nav_items():
            actor = current_actor()
            if actor is None:
                return []
            return [item for item in state.navigation if has_permission(actor.key, item.permission)]

        def worker_links(worker):
            """The other features' pages about ``worker`` this user may open."""
            actor = current_actor()
            if actor is None:
                return []
            return [item for item in state.worker_links
                    if has_permission(actor.key, item.permission, worker.org_unit)]

        def unread_notifications():
            actor = current_actor()
            return unread_count(actor.key) if actor else 0

        return {
            "cb_layout": state.adapter.layout_template,
            "cb_language": current_language,
            "cb_nav_items": nav_items,
            "cb_worker_links": worker_links,
            "cb_unread_notifications": unread_notifications,
        }

    # Plugin pages put CSRF tokens in their forms whether or not the host uses CSRFProtect.
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    app.jinja_env.filters.setdefault("cb_datetime", lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""))


def _register_cli(app: Flask, group_name: str | None) -> None:
    from .imports.cli import import_children_command, import_workers_command
    from .privacy.cli import rotate_keys_command

    commands = [scheduler_command, upgrade_db_command, rotate_keys_command]
    commands += [import_workers_command, import_children_command]
    if group_name is None:
        for command in commands:
            app.cli.add_command(command)
        return
    group = AppGroup(group_name, help="CareBridge commands.")
    for command in commands:
        group.add_command(command)
    app.cli.add_command(group)


@click.command("scheduler")
@click.option("--lease-seconds", default=60, show_default=True,
              help="How long the scheduler lease lasts without renewal.")
@with_appcontext
def scheduler_command(lease_seconds: int) -> None:
    """Run the scheduled jobs (one process per deployment; a second one stands by)."""
    import logging
    import signal
    from datetime import timedelta

    from .jobs import JOBS
    from .scheduling.runner import SchedulerProcess

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    process = SchedulerProcess(current_app._get_current_object(), JOBS,
                               ttl=timedelta(seconds=lease_seconds))
    signal.signal(signal.SIGTERM, lambda *_: process.stop())
    signal.signal(signal.SIGINT, lambda *_: process.stop())
    click.echo(f"CareBridge scheduler {process.holder}: {len(JOBS)} jobs")
    process.run()


@click.command("upgrade-db")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_db_command(revision: str) -> None:
    """Create or upgrade CareBridge's own tables (``cb_*``) in the host's database."""
    upgrade_database(revision)
    click.echo("CareBridge tables are up to date.")


def upgrade_database(revision: str = "head") -> None:
    """Apply CareBridge's migrations; touches only ``cb_*`` tables, never the host's own."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    command.upgrade(config, revision)


