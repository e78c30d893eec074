"""What the importer imports: the HR rosters of workers and of children, and the spreadsheets
features declare (:class:`plugin.core.features.RecordImport`), each by its code.

The rosters are the importer's own (bulk inserts, the employee-number lookup, guardians'
consent); a declared kind hands each parsed row to its feature's ``store`` function. Everything
else — upload, header detection, the mapping step, saved mappings, the background job, dry run,
progress, the error file and the blank template — is the same for every kind.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.errors import NotFound
from ..registry.schema import CHILD_FIELDS, WORKER_FIELDS, FieldSpec
from .models import ImportKind
from .permissions import ROSTERS_IMPORT

#: A declared kind's row store: ``(values, *, unit, actor, scope, today) -> outcome``.
RowStore = Callable[..., str]
#: What a declared store may answer.
OUTCOMES = ("created", "updated", "unchanged")


@dataclass(frozen=True)
class KindSpec:
    code: str
    label: Any
    permission: str
    fields: tuple[FieldSpec, ...]
    #: None for the rosters (the importer stores them itself).
    store: RowStore | None = None
    key_fields: tuple[str, ...] = ()
    example: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_roster(self) -> bool:
        return self.store is None


ROSTER_KINDS = (
    KindSpec(ImportKind.WORKERS.value, _l("职工花名册"), ROSTERS_IMPORT, WORKER_FIELDS),
    KindSpec(ImportKind.CHILDREN.value, _l("职工子女信息"), ROSTERS_IMPORT, CHILD_FIELDS),
)


def import_kinds() -> dict[str, KindSpec]:
    """Every kind the app imports, by code: the rosters, then the mounted features' kinds."""
    kinds = {spec.code: spec for spec in ROSTER_KINDS}
    for feature in current_app.extensions["carebridge"].features:
        for declared in feature.imports:
            if declared.code in kinds:
                raise ValueError(f"two imports are called {declared.code!r}")
            kinds[declared.code] = KindSpec(
                declared.code, declared.label, declared.permission,
                tuple(feature.load(declared.fields)), feature.load(declared.store),
                tuple(declared.key_fields),
                dict(feature.load(declared.example)) if declared.example else {})
    return kinds


def kind_spec(code: Any) -> KindSpec:
    """The kind called ``code`` (a string or an :class:`ImportKind`); NotFound for none."""
    spec = import_kinds().get(getattr(code, "value", code))
    if spec is None:
        raise NotFound("没有这种导入内容")
    return spec


def kind_labels() -> dict[str, Any]:
    return {code: spec.label for code, spec in import_kinds().items()}


def import_permissions() -> tuple[str, ...]:
    """The permissions that let a user import something, each once."""
    return tuple(dict.fromkeys(spec.permission for spec in import_kinds().values()))


class KindLabels(Mapping):
    """Kind code → label of the current app's kinds, read when asked (the audit log's values
    are declared at import time, the kinds are known once the app mounted its features)."""

    def __getitem__(self, code: str) -> Any:
        return kind_labels()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(kind_labels())

    def __len__(self) -> int:
        return len(kind_labels())
