"""The company's approval chains: tiers by amount, each an ordered list of steps decided by a
role (:mod:`plugin.aid.rules` routes an application to its tier). Configured by administrators;
an application keeps the chain it entered with, so changing them never moves one in review."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import format_yuan
from ..core.roles import Role
from . import queries, rules
from .models import ApprovalStep, ApprovalTier

#: The chain a company starts with (DOMAIN §7): site review then the union up to ¥2,000;
#: above that the company approves as well.
DEFAULT_TIERS = (
    (200_000, (("site_manager", False, "站点审核"), ("union_officer", False, "工会审批"))),
    (None, (("site_manager", False, "站点审核"), ("union_officer", False, "工会审批"),
            ("admin", True, "公司审批"))),
)



# --- the chain ----------------------------------------------------------------------------------

def ensure_default_tiers(actor: Actor) -> list[ApprovalTier]:
    """The company's tiers, made from :data:`DEFAULT_TIERS` on first use."""
    tiers = queries.approval_tiers()
    if tiers:
        return tiers
    for max_fen, steps in DEFAULT_TIERS:
        session.add(ApprovalTier(max_fen=max_fen, updated_by=actor.key, steps=[
            ApprovalStep(position=position, role=role, company_level=company_level, name=name)
            for position, (role, company_level, name) in enumerate(steps)]))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # made by another request at the same moment
        pass
    return queries.approval_tiers()


@dataclass(frozen=True)
class TierInput:
    max_fen: int | None
    steps: Sequence[rules.ChainStep]


NEED_STEPS = N_("第 %(tier)s 档至少需要一个审批步骤")
NEED_OPEN_TIER = N_("最后一档必须不设金额上限，否则大额申请无法审批")
DUPLICATE_MAX = N_("两档的金额上限不能相同")
UNKNOWN_ROLE = N_("第 %(tier)s 档第 %(step)s 步：请选择审批角色")
NEED_STEP_NAME = N_("第 %(tier)s 档第 %(step)s 步：请填写步骤名称")


def configure_tiers(tiers: Sequence[TierInput], actor: Actor) -> list[ApprovalTier]:
    """Replace the company's approval tiers. Applications already in review keep the chain they
    entered with (their own copy)."""
    errors = ErrorList()
    roles = {role.value for role in Role}
    maxima = [tier.max_fen for tier in tiers]
    if None not in maxima:
        errors.add(ValidationError(NEED_OPEN_TIER, field="tiers"))
    if len(set(maxima)) != len(maxima):
        errors.add(ValidationError(DUPLICATE_MAX, field="tiers"))
    for number, tier in enumerate(tiers, start=1):
        if not tier.steps:
            errors.add(ValidationError(NEED_STEPS, field="tiers", tier=number))
        for position, step in enumerate(tier.steps, start=1):
            if step.role not in roles:
                errors.add(ValidationError(UNKNOWN_ROLE, field="tiers", tier=number,
                                           step=position))
            if not (step.name or "").strip():
                errors.add(ValidationError(NEED_STEP_NAME, field="tiers", tier=number,
                                           step=position))
    InputInvalid.raise_if_any(errors)
    before = [_tier_summary(tier) for tier in queries.approval_tiers()]
    for old in queries.approval_tiers():
        session.delete(old)
    session.flush()
    made = [ApprovalTier(max_fen=tier.max_fen, updated_by=actor.key, steps=[
        ApprovalStep(position=position, role=step.role, company_level=step.company_level,
                     name=step.name.strip()[:50])
        for position, step in enumerate(tier.steps)]) for tier in tiers]
    session.add_all(made)
    session.flush()
    record_event("aid.chain_configured", actor, target_type="aid_chain",
                 details={"aid_chain_before": before,
                          "aid_chain_after": [_tier_summary(tier) for tier in made]})
    return made


def _tier_summary(tier: ApprovalTier) -> str:
    limit = format_yuan(tier.max_fen) if tier.max_fen is not None else "∞"
    return f"≤{limit}: " + " → ".join(step.name for step in tier.steps)
