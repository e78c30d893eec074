"""The :class:`CareBridge` extension: mounts the declared features on a Flask app.

Everything feature-specific comes from the features' declarations (:mod:`plugin.core.features`,
listed in :mod:`plugin.features`); this module names no feature.
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click
from babel import Locale
from flask import Blueprint, Flask, current_app, has_request_context, request, url_for
from flask import session as http_session
from flask.cli import AppGroup, with_appcontext
from flask_babel import Babel, get_locale
from flask_wtf.csrf import generate_csrf

from .core.boundary import commit_on_success
from .core.clock import Clock, system_clock
from .core.dates import register_filters as register_date_filters
from .core.db import SAFE_METHODS, configure_sqlite
from .core.error_pages import register_error_pages
from .core.features import Feature, Link, Setting
from .core.host import HostAdapter
from .core.http import forbid_caching
from .core.money import register_filters as register_money_filters
from .core.passwords import DEFAULT_PASSWORD_HASH_METHOD, hash_of_nothing, password_hash_method
from .core.settings import DEFAULT_TIMEZONE, Settings, build_settings, time_zone_name
from .core.urls import public_base_url
from .features import DEFAULT_FEATURES, load_features
from .notifications.channels import NotificationChannel
from .privacy.crypto import FieldCipher, KeyRing

PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
MIGRATIONS_DIR = PACKAGE_DIR.parent / "migrations"
SUPPORTED_LOCALES = ("zh_CN", "en")
#: Parsed once: Flask-Babel parses a locale name on every request that translates anything, and
#: that parse costs more than a check-in's database work.
_PARSED_LOCALES = {name: Locale.parse(name) for name in SUPPORTED_LOCALES}
TIMEZONE_CACHE_SECONDS = 60

#: Settings of the platform itself; features declare their own.
PLATFORM_SETTINGS = (
    Setting("CAREBRIDGE_TIMEZONE", DEFAULT_TIMEZONE, time_zone_name,
            "Time zone used until the company sets its own."),
    Setting("CAREBRIDGE_PUBLIC_URL", None, public_base_url,
            "The address printed on QR codes and documents, e.g. https://care.example.com."),
    Setting("CAREBRIDGE_PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH_METHOD, password_hash_method,
            "How new staff passwords and workers' PINs are hashed (werkzeug's method)."),
)


@dataclass
class CareBridgeState:
    """Per-app state, kept in ``app.extensions["carebridge"]`` (never on the extension object)."""

    adapter: HostAdapter
    url_prefix: str
    features: list[Feature]
    settings: Settings
    clock: Clock = system_clock
    channels: list[NotificationChannel] = field(default_factory=list)
    #: The links features put into each slot (:data:`plugin.core.features.SLOTS`), in order.
    links: dict[str, list[Link]] = field(default_factory=dict)
    #: The feature that put each staff-menu link there (the menu groups a feature's links).
    link_features: dict[Link, Feature] = field(default_factory=dict)
    #: The templates features include into each slot.
    panels: dict[str, list[str]] = field(default_factory=dict)
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
            return self.settings["CAREBRIDGE_TIMEZONE"]
        self._timezone_cache = (company.timezone, time.monotonic())
        return company.timezone

    def forget_company_timezone(self) -> None:
        self._timezone_cache = None


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
                 cli_group: str | None = "care",
                 features: Sequence[str] = DEFAULT_FEATURES) -> None:
        """Mount CareBridge on ``app``.

        ``cli_group`` names the command group (``flask care scheduler``); ``None`` adds the
        commands at the top level, as the standalone portal does (``carebridge scheduler``).
        ``features`` lists the feature packages to mount (default: :mod:`plugin.features`).
        """
        if "sqlalchemy" not in app.extensions:
            raise RuntimeError("initialise Flask-SQLAlchemy on the app before CareBridge")
        mounted = load_features(tuple(features))
        _import_models(mounted)
        settings = build_settings(app, PLATFORM_SETTINGS + tuple(
            item for feature in mounted for item in feature.settings))
        # Hashed now, not at the first sign-in of an unknown name (which would then take longer).
        hash_of_nothing(settings["CAREBRIDGE_PASSWORD_HASH_METHOD"])
        state = CareBridgeState(adapter=adapter or HostAdapter(),
                                url_prefix=url_prefix.rstrip("/"), features=mounted,
                                settings=settings)
        key_source = {**os.environ, **{name: app.config[name] for name in
                                       ("CAREBRIDGE_DATA_KEY", "CAREBRIDGE_INDEX_KEY")
                                       if app.config.get(name)}}
        state.cipher = FieldCipher(KeyRing.load(Path(app.instance_path), key_source))
        for feature in mounted:
            for slot, links in feature.links.items():
                state.links.setdefault(slot, []).extend(links)
            state.link_features.update(dict.fromkeys(feature.links.get("navigation", ()),
                                                      feature))
            for slot, templates in feature.panels.items():
                state.panels.setdefault(slot, []).extend(templates)
        for links in state.links.values():
            links.sort(key=lambda link: link.order)  # stable: ties keep the features' order
        app.extensions["carebridge"] = state
        _init_database(app)
        _init_babel(app)
        app.register_blueprint(_build_blueprint(mounted), url_prefix=state.url_prefix or None)
        for feature in mounted:
            for receiver in feature.receivers:
                feature.load(receiver)(app)
        _register_template_helpers(app)
        _register_cli(app, cli_group, mounted)

    @staticmethod
    def register_channel(app: Flask, channel: NotificationChannel) -> None:
        app.extensions["carebridge"].channels.append(channel)

    @staticmethod
    def metadata(features: Sequence[str] = DEFAULT_FEATURES):
        """The plugin's table metadata (for migrations and tests)."""
        return import_models(features)


def import_models(features: Sequence[str] = DEFAULT_FEATURES):
    """Import the listed features' models so the metadata is complete; returns the metadata."""
    from .core.db import Base

    _import_models(load_features(tuple(features)))
    return Base.metadata


def _import_models(features: list[Feature]) -> None:
    for feature in features:
        for module in feature.models:
            feature.load(module)


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


def _build_blueprint(features: list[Feature]) -> Blueprint:
    """One parent blueprint ``carebridge`` with the features' blueprints as children, so
    endpoints read ``carebridge.org.unit`` and one ``after_request`` ends every CareBridge
    request's transaction."""
    parent = Blueprint("carebridge", __name__, template_folder="templates",
                       static_folder="static", static_url_path="/cb-static")
    for feature in features:
        for path in feature.blueprints:
            parent.register_blueprint(feature.load(path))
    parent.after_request(commit_on_success)
    parent.after_request(forbid_caching)  # pages carry personal data: no-store, in any host
    register_error_pages(parent)  # errors of CareBridge's pages: a page in the layout, in any host
    return parent


def current_language() -> str:
    """``"zh"`` or ``"en"``: the language pages are shown in now."""
    locale = get_locale()
    return locale.language if locale is not None else "zh"


@dataclass(frozen=True)
class ShownLink:
    """A slot's link as a page shows it."""

    label: object
    url: str
    element_id: str | None
    endpoint: str


@dataclass(frozen=True)
class NavGroup:
    """An entry of the staff menu: one link, or (``label`` set) a feature's several links under
    its name, which a host shows as a drop-down so the menu stays on one line."""

    items: tuple[ShownLink, ...]
    label: object = None

    @property
    def endpoints(self) -> tuple[str, ...]:
        return tuple(item.endpoint for item in self.items)


def group_navigation(items: list[ShownLink], feature_of) -> list[NavGroup]:
    """The menu's entries: the links of a feature that has a label and shows this user more
    than one are put together where the first of them stands; every other link stands alone."""
    by_feature: dict[str, list[ShownLink]] = {}
    for item in items:
        feature = feature_of(item)
        if feature is not None and feature.label is not None:
            by_feature.setdefault(feature.name, []).append(item)
    groups: list[NavGroup] = []
    placed: set[str] = set()
    for item in items:
        feature = feature_of(item)
        members = by_feature.get(feature.name, []) if feature is not None else []
        if len(members) < 2:
            groups.append(NavGroup((item,)))
        elif feature.name not in placed:
            placed.add(feature.name)
            groups.append(NavGroup(tuple(members), feature.label))
    return groups


def _register_template_helpers(app: Flask) -> None:
    from .access.checks import has_permission
    from .notifications.queries import unread_count

    def current_actor():
        return app.extensions["carebridge"].adapter.current_actor()

    def visible(link: Link, actor, subject) -> bool:
        if link.permission is None:
            return True
        if actor is None:
            return False
        unit = getattr(subject, "org_unit", None) if subject is not None else None
        return has_permission(actor.key, link.permission, unit)

    @app.context_processor
    def carebridge_context():
        state = app.extensions["carebridge"]

        def slot_links(slot: str, subject=None) -> list[ShownLink]:
            """The links features put into ``slot`` that this user may follow, for ``subject``
            (a worker, a lecture) where the slot has one."""
            links = state.links.get(slot, ())
            if not links:
                return []
            actor = current_actor()
            shown = []
            for link in links:
                if not visible(link, actor, subject):
                    continue
                args = {link.subject_arg: subject.id} if link.subject_arg else {}
                shown.append(ShownLink(link.label, url_for(link.endpoint, **args),
                                       link.element_id, link.endpoint))
            return shown

        def nav_items() -> list[ShownLink]:
            return slot_links("navigation") if current_actor() is not None else []

        def nav_groups() -> list[NavGroup]:
            features = {link.endpoint: feature for link, feature in state.link_features.items()}
            return group_navigation(nav_items(), lambda item: features.get(item.endpoint))

        def slot_panels(slot: str) -> list[str]:
            return state.panels.get(slot, [])

        def unread_notifications():
            actor = current_actor()
            return unread_count(actor.key) if actor else 0

        return {
            "cb_layout": state.adapter.layout_template,
            "cb_language": current_language,
            "cb_nav_items": nav_items,
            "cb_nav_groups": nav_groups,
            "cb_links": slot_links,
            "cb_panels": slot_panels,
            "cb_unread_notifications": unread_notifications,
        }

    # Plugin pages put CSRF tokens in their forms whether or not the host uses CSRFProtect.
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    register_date_filters(app)
    register_money_filters(app)


def _register_cli(app: Flask, group_name: str | None, features: list[Feature]) -> None:
    commands = [scheduler_command, upgrade_db_command]
    commands += [feature.load(path) for feature in features for path in feature.commands]
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

    from .jobs import scheduled_jobs
    from .scheduling.runner import SchedulerProcess

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jobs = scheduled_jobs(current_app.extensions["carebridge"].features)
    process = SchedulerProcess(current_app._get_current_object(), jobs,
                               ttl=timedelta(seconds=lease_seconds))
    signal.signal(signal.SIGTERM, lambda *_: process.stop())
    signal.signal(signal.SIGINT, lambda *_: process.stop())
    click.echo(f"CareBridge scheduler {process.holder}: {len(jobs)} jobs")
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
