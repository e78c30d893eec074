"""Finding a roster's site and team in the organisation tree, creating them when missing."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..core.db import session
from ..core.errors import ValidationError
from ..core.host import Actor
from ..org.models import ALLOWED_CHILD_KINDS, OrgKind, OrgUnit
from ..org.services import create_unit


@dataclass
class UnitResolver:
    """Matches site and team names under ``base`` (by exact name); creates what is missing.

    Keeps a cache for a whole import, and the list of units it created for the summary.
    """

    base: OrgUnit
    actor: Actor
    created: list[str] = field(default_factory=list)
    _cache: dict[tuple[str | None, str | None], OrgUnit] = field(default_factory=dict)
    _ids: dict[tuple[str | None, str | None], int] = field(default_factory=dict)

    def resolve_id(self, site_name: str | None, team_name: str | None) -> int:
        """The unit's id; unlike the unit itself it stays valid across an import's batch commits
        (which expire loaded objects, and reading one again costs a query)."""
        key = (site_name, team_name)
        if key not in self._ids:
            self._ids[key] = self.resolve(site_name, team_name).id
        return self._ids[key]

    def resolve(self, site_name: str | None, team_name: str | None) -> OrgUnit:
        key = (site_name, team_name)
        if key not in self._cache:
            self._cache[key] = self._resolve(site_name, team_name)
        return self._cache[key]

    def _resolve(self, site_name: str | None, team_name: str | None) -> OrgUnit:
        unit = self.base
        if site_name:
            unit = self._site(site_name)
        if team_name:
            if OrgKind.TEAM not in ALLOWED_CHILD_KINDS[unit.kind]:
                raise ValidationError("填写班组时必须同时填写项目部/厂区", field="site")
            unit = self._child(unit, team_name, OrgKind.TEAM)
        return unit

    def _site(self, name: str) -> OrgUnit:
        if self.base.kind == OrgKind.SITE:
            if self.base.name == name:
                return self.base
            raise ValidationError("项目部“%(name)s”不在导入单位“%(base)s”之内", field="site",
                                  name=name, base=self.base.name)
        found = session.execute(
            select(OrgUnit).where(OrgUnit.kind == OrgKind.SITE, OrgUnit.name == name,
                                  OrgUnit.path.startswith(self.base.path, autoescape=True))
            .order_by(OrgUnit.path)
        ).scalars().first()
        return found or self._create(self.base, name, OrgKind.SITE)

    def _child(self, parent: OrgUnit, name: str, kind: OrgKind) -> OrgUnit:
        found = session.execute(
            select(OrgUnit).where(OrgUnit.parent_id == parent.id, OrgUnit.name == name)
        ).scalar_one_or_none()
        return found or self._create(parent, name, kind)

    def _create(self, parent: OrgUnit, name: str, kind: OrgKind) -> OrgUnit:
        self.created.append(f"{parent.name} / {name}")
        return create_unit(parent, kind, name, actor=self.actor)
