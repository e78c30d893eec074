"""Features declare themselves here: one :class:`Feature` per folder of ``plugin/``.

A feature's ``__init__.py`` builds one ``Feature`` naming everything the platform needs from it:
its blueprints, models, permissions and the roles that hold them by default, navigation entries,
links and panels it puts on other features' pages (:data:`SLOTS`), scheduled jobs, signal
receivers, CLI commands, settings, audit action labels, integrity-record entry kinds,
spreadsheet imports and demo data. The extension (:mod:`plugin.extension`) mounts the features
listed in :mod:`plugin.features`; the permission table (:mod:`plugin.access.roles`), the job
list (:mod:`plugin.jobs`), the audit labels and the integrity record read the declarations, so
none of them names a feature.

Code is named by ``"module:attribute"`` relative to the feature's package (``"views:bp"``) and
imported only when the extension mounts the feature, so declaring one imports nothing heavy.

Declaring registers the feature (by name) in this module, the way Flask registers blueprints on
an app: importing any module of a feature runs its ``__init__`` and so declares it.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: The places on pages that features fill with :class:`Link` s (``Feature.links``) or with
#: templates (``Feature.panels``), and what each link's ``subject_arg`` is filled from.
SLOTS = {
    "navigation": "the staff menu (no subject)",
    "worker": "the staff page of one worker (subject: the worker)",
    "phone.home": "the worker's phone home page (no subject; the worker is signed in)",
    "lecture": "the staff page of one lecture session (subject: the lecture)",
    # Links and panels: the page's ``subject`` is the child's parent worker, or None when the
    # child is not in the registry (then only links without a subject_arg show).
    "risk_report": "the staff page of one child-protection case (subject: the parent worker)",
    # Panels only: each template adds items to the home page's to-do list (a ``<ul>``), one
    # ``todo_item`` (``carebridge/macros.html``) each, counted in one query within the signed-in
    # user's scope (the page's ``actor``), linking to the list behind it, and only for users who
    # hold the permission that list needs.
    "home.todo": "the to-do list of the staff home page (no subject; panels only)",
    "home.panels": "panels on the staff home page below the figures (no subject; panels only)",
}


@dataclass(frozen=True)
class Link:
    """A link a feature puts on a page it does not own.

    Shown to users who hold ``permission`` (on the subject's unit, where there is a subject); on
    the worker's phone there is no permission, the worker sees their own pages. ``subject_arg``
    names the endpoint argument that takes the subject's id (``worker_id``).
    """

    endpoint: str
    label: Any
    permission: str | None = None
    subject_arg: str | None = None
    #: The element id in the page, for tests and for users' bookmarks into the page.
    element_id: str | None = None
    #: Where it goes among the slot's links (smaller first; ties keep the features' order).
    order: int = 100


@dataclass(frozen=True)
class Job:
    """A scheduled job. ``func`` is ``"module:function"``; cron fields are in the company's zone.

    ``why`` says why it runs when it does. Job functions are idempotent and commit their own
    work (they run outside any request).
    """

    id: str
    func: str
    trigger: str
    trigger_args: Mapping[str, Any]
    why: str = ""


@dataclass(frozen=True)
class Setting:
    """A configuration key with its default, read once when the app starts (see
    :mod:`plugin.core.settings`). ``parse`` turns the configured value into the one used and
    raises ``ValueError`` with a message when it is unusable, so a bad value stops the start."""

    name: str
    default: Any
    parse: Callable[[Any], Any] = str
    description: str = ""
    #: Also read from the environment variable of the same name when the app config lacks it.
    from_environment: bool = True


@dataclass(frozen=True)
class IntegrityKind:
    """A kind of entry in a worker's integrity record (职工诚信), contributed by a feature."""

    code: str
    label: Any
    #: Bootstrap colour of the timeline badge: success, warning, danger, primary, secondary.
    tone: str = "secondary"

    def __post_init__(self) -> None:
        if not 0 < len(self.code) <= 24:  # the length of cb_integrity_entry.kind
            raise ValueError(f"integrity kind code {self.code!r} must be 1 to 24 characters")


@dataclass(frozen=True)
class RecordImport:
    """A spreadsheet of records a feature imports through the roster importer: the same upload
    page, header detection, column-mapping step (mappings saved per source), background job with
    progress, dry run and error file as the HR rosters (:mod:`plugin.imports`).

    ``fields`` names a tuple of :class:`plugin.registry.schema.FieldSpec`; each row is parsed
    with them (every field error collected) and, when it has none, handed to ``store``:
    ``(values, *, unit, actor, scope, today) -> "created" | "updated" | "unchanged"``, which runs
    in the row's SAVEPOINT, audits what it changes, touches nothing outside ``scope`` (a
    :class:`plugin.access.scope.Scope`) and raises a ``CareBridgeError`` naming the field for a
    row that breaks a rule. ``unit`` is the unit the file is imported into.
    """

    #: Stored on the job and used in URLs; 1 to 16 characters (``cb_import_job.kind``).
    code: str
    #: What the file holds, for people (a lazy msgid): "转介资源名录".
    label: Any
    #: Needed on the importing unit to upload such a file and to see its jobs.
    permission: str
    #: ``"module:attribute"``: the tuple of ``FieldSpec`` s.
    fields: str
    #: ``"module:function"``: stores one parsed row (see above).
    store: str
    #: Fields whose values together identify a row: a second row of the file with the same
    #: values is rejected, naming the first.
    key_fields: tuple[str, ...] = ()
    #: ``"module:attribute"``: field code → an example value that imports as it is, for the
    #: blank template.
    example: str | None = None

    def __post_init__(self) -> None:
        if not 0 < len(self.code) <= 16 or not self.code.replace("_", "").isalnum():
            raise ValueError(f"import code {self.code!r} must be 1 to 16 letters, digits or _")


@dataclass(frozen=True)
class Retention:
    """How long a kind of personal data is kept (PIPL Art. 19, 47): a rule of the purge job.

    ``purge`` names ``(today, months, *, dry_run) -> int``: erase or anonymise the records whose
    retention of ``months`` has run out on ``today`` (keeping what aggregate figures and sealed
    filings need), and answer how many records it erased or anonymised — or, in a dry run, would
    have, changing nothing. It commits nothing (the job does), logs and audits only counts.
    """

    #: ``<feature>.<name>``, stable: settings and the purge log name it.
    code: str
    label: Any
    #: Months kept after the rule's starting event (a worker leaving, a case closing…).
    default_months: int
    #: What goes, counted from when, and what stays (a lazy msgid, shown to administrators).
    description: Any
    purge: str
    #: The fewest months a setting may configure: a record the law says to keep that long (the
    #: audit log: PIPL Art. 56 keeps processing records and assessments three years) cannot be
    #: purged sooner by a typo in ``CAREBRIDGE_RETENTION``.
    minimum_months: int = 1

    def __post_init__(self) -> None:
        feature, _, name = self.code.partition(".")
        if not feature or not name or len(self.code) > 64:
            raise ValueError(f"retention rule code {self.code!r} must be <feature>.<name>, "
                             "at most 64 characters")
        if not 1 <= self.minimum_months <= self.default_months:
            raise ValueError(f"retention rule {self.code}: the default ({self.default_months}) "
                             f"must be at least the minimum ({self.minimum_months}), at least 1")


@dataclass(frozen=True)
class DataSection:
    """One part of a worker's own-data download (PIPL Art. 45): a title and (label, value) rows,
    as the worker reads them. Features answer ``Feature.subject_data`` with a list of these."""

    title: Any
    rows: tuple[tuple[Any, Any], ...] = ()


@dataclass(frozen=True)
class DemoContext:
    """What a feature's demo loader gets: the demo company's units by name, the actor the demo
    acts as (an administrator of the whole company), the day the demo is loaded (the company's
    local date) and the demo accounts by username, each as an :class:`~plugin.core.host.Actor`
    (``accounts["site"]``)."""

    units: Mapping[str, Any]
    actor: Any
    today: date
    accounts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Feature:
    """One capability of CareBridge, declared once in its package's ``__init__.py``."""

    name: str
    #: The feature's package (``__name__`` in its ``__init__``); code paths are relative to it.
    package: str
    #: Blueprints (``"views:bp"``), registered under the ``carebridge`` parent blueprint.
    blueprints: tuple[str, ...] = ()
    #: Modules defining tables, imported so the metadata is complete.
    models: tuple[str, ...] = ()
    #: The feature's permissions and the roles that hold each by default (administrators hold
    #: every permission).
    permissions: Mapping[str, Collection[str]] = field(default_factory=dict)
    #: Links into other pages, by slot (see :data:`SLOTS`); ``"navigation"`` is the staff menu.
    links: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)
    #: Templates included into other pages, by slot (with the page's context).
    panels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    jobs: tuple[Job, ...] = ()
    #: Functions ``(app) -> None`` that connect the feature's signal receivers for that app.
    receivers: tuple[str, ...] = ()
    #: Click commands, added to the extension's command group.
    commands: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    #: Audit action code → label shown in the audit log.
    audit_actions: Mapping[str, Any] = field(default_factory=dict)
    #: ``"module:attribute"`` naming the feature's :class:`plugin.audit.text.AuditText`: how the
    #: audit log reads its object types, detail keys and values (labels, names, links).
    audit_text: str | None = None
    integrity_kinds: tuple[IntegrityKind, ...] = ()
    #: Spreadsheets of the feature's records imported through the roster importer.
    imports: tuple[RecordImport, ...] = ()
    #: How long its personal data is kept, rule by rule (the privacy feature's purge job).
    retention: tuple[Retention, ...] = ()
    #: ``"module:function"``: ``(worker) -> list[DataSection]``, what the feature holds about a
    #: worker and their children, for the worker's own-data download.
    subject_data: str | None = None
    #: ``"module:attribute"`` naming the tuple of figures the feature publishes for reports and
    #: the dashboard (:class:`plugin.core.indicators.Indicator`).
    indicators: str | None = None
    #: The staff page of each kind of record its indicators count: record type → (endpoint, id
    #: argument), so the records behind a filed figure link to their pages (which check access).
    record_pages: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: What the feature is called for people (a lazy msgid): the title of its section of figures
    #: in reports and on the dashboard.
    label: Any = None
    #: A function ``(DemoContext) -> None`` that adds the feature's records to the demo company
    #: (``carebridge seed-demo``), after the features before it in the list have added theirs.
    demo: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.links) - set(SLOTS)
        if unknown:
            raise ValueError(f"feature {self.name}: unknown link slots {sorted(unknown)}")
        unknown = set(self.panels) - set(SLOTS)
        if unknown:
            raise ValueError(f"feature {self.name}: unknown panel slots {sorted(unknown)}")
        _declare(self)

    def load(self, path: str) -> Any:
        """The object named ``"module:attribute"`` in this feature's package."""
        module_name, _, attribute = path.partition(":")
        module = importlib.import_module(f"{self.package}.{module_name}")
        return getattr(module, attribute) if attribute else module


_declared: dict[str, Feature] = {}
_version = 0


def _declare(feature: Feature) -> None:
    global _version
    previous = _declared.get(feature.name)
    if previous is not None and previous.package != feature.package:
        raise ValueError(f"two features are called {feature.name!r}: "
                         f"{previous.package} and {feature.package}")
    _declared[feature.name] = feature
    _version += 1


def declared_features() -> tuple[Feature, ...]:
    """Every feature declared so far, in declaration order."""
    return tuple(_declared.values())


def declarations_version() -> int:
    """Changes whenever a feature is declared, so readers can cache what they derive."""
    return _version


def forget_feature(name: str) -> None:
    """Remove a declaration (tests mount throwaway features and then forget them)."""
    global _version
    if _declared.pop(name, None) is not None:
        _version += 1
