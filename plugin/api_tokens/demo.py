"""API tokens of the demo company (``carebridge seed-demo``): the HR system's nightly roster
sync, and a read-only token of the group's reporting tool that was revoked. Their secrets are
thrown away: a demo token lets nothing in (issue a new one on the page to try the API)."""
from __future__ import annotations

from ..core.features import DemoContext
from ..org.models import OrgKind
from .models import TokenScope
from .services import issue_token, revoke_token


def load(context: DemoContext) -> None:
    root = next(unit for unit in context.units.values() if unit.parent_id is None)
    subsidiary = next((unit for unit in context.units.values()
                       if unit.kind == OrgKind.SUBSIDIARY), root)
    issue_token("HR 系统花名册夜间同步", subsidiary, TokenScope.READ_WRITE, actor=context.actor)
    old, _secret = issue_token("集团报表工具（已停用）", root, TokenScope.READ_ONLY,
                               actor=context.actor)
    revoke_token(old, actor=context.actor)
