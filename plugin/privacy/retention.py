"""Retention of personal data (PIPL Art. 19, 47): the mounted features' rules and running them.

Each feature declares how long its kinds of personal data are kept
(:class:`~plugin.core.features.Retention` in ``Feature.retention``) and a purge function that
erases or anonymises what has run out, keeping what aggregate figures of past periods and sealed
filings count (a row a past figure counts is never deleted: its personal columns are blanked).
This module collects the rules of the features mounted on the app, reads the months configured
in ``CAREBRIDGE_RETENTION`` (``registry.leavers=48,aid.closed_applications=60``; every rule not
named keeps its default) and runs them: by the nightly job (:mod:`.jobs`), by
``carebridge purge`` and from the administrators' page (:mod:`.retention_views`).

A purge is logged and audited with the rule's code and how many records it erased or
anonymised, never with ids or any of the data. A dry run counts what would go and changes
nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app

from ..audit.services import record_event
from ..core.db import session
from ..core.errors import ValidationError
from ..core.features import Feature, Retention
from ..core.host import Actor
from ..core.i18n import N_
from .retention_settings import SETTING, declared_rules

log = logging.getLogger(__name__)

PURGED = "privacy.purged"
#: The audit event's target type: the rule, by its code.
RULE_TARGET = "retention_rule"


@dataclass(frozen=True)
class ConfiguredRule:
    """A mounted feature's rule with the months this app keeps its data."""

    feature: Feature
    rule: Retention
    months: int

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def is_default(self) -> bool:
        return self.months == self.rule.default_months

    def count(self, today: date) -> int:
        """How many records the rule would erase or anonymise today (a dry run)."""
        return int(self.feature.load(self.rule.purge)(today, self.months, dry_run=True))


def configured_rules() -> list[ConfiguredRule]:
    """Every mounted feature's rules, in the features' order, with their configured months."""
    state = current_app.extensions["carebridge"]
    configured = state.settings[SETTING]
    return [ConfiguredRule(feature, rule, configured.get(code, rule.default_months))
            for code, (feature, rule) in declared_rules(state.features).items()]


def rule_by_code(code: str) -> ConfiguredRule:
    for rule in configured_rules():
        if rule.code == code:
            return rule
    raise ValidationError(N_("没有这条保留期限规则：%(code)s"), field="rule", code=code)


def dry_run(today: date) -> list[tuple[ConfiguredRule, int]]:
    """Each rule with how many records it would erase or anonymise today; changes nothing."""
    return [(rule, rule.count(today)) for rule in configured_rules()]


def run_rule(rule: ConfiguredRule, today: date, *, actor: Actor, audit_nothing: bool = True
             ) -> int:
    """Erase or anonymise what ``rule`` says has run out on ``today``; flushes, audits the count
    (``audit_nothing=False``: not when nothing went, for the nightly job) and logs it."""
    count = int(rule.feature.load(rule.rule.purge)(today, rule.months, dry_run=False))
    session.flush()
    if count or audit_nothing:
        record_event(PURGED, actor, target_type=RULE_TARGET, target_id=rule.code,
                     details={"count": count})
    log.info("retention %s (%d months): %d records erased or anonymised",
             rule.code, rule.months, count)
    return count


def purge_all(today: date, *, actor: Actor, commit: bool) -> dict[str, int]:
    """Run every rule; with ``commit`` (the job and the command) each rule's work is committed on
    its own, and a rule that fails is rolled back and logged while the others still run (then
    :class:`PurgeFailed` names it). Returns the count of each rule."""
    counts: dict[str, int] = {}
    failed: list[str] = []
    for rule in configured_rules():
        if not commit:
            counts[rule.code] = run_rule(rule, today, actor=actor)
            continue
        try:
            counts[rule.code] = run_rule(rule, today, actor=actor, audit_nothing=False)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("retention %s failed; its records are left as they were", rule.code)
            failed.append(rule.code)
    if failed:
        raise PurgeFailed(failed, counts)
    return counts


class PurgeFailed(RuntimeError):
    """Some rules failed (each rolled back and logged); the others' work is committed."""

    def __init__(self, codes: list[str], counts: dict[str, int]):
        super().__init__(f"retention rules failed: {', '.join(codes)} (see the log)")
        self.codes, self.counts = codes, counts


def run_now(code: str, today: date, *, actor: Actor) -> tuple[ConfiguredRule, int]:
    """An administrator runs one rule at once (audited even when nothing went); the request
    commits. Raises ``ValidationError`` for a code no mounted feature declares."""
    rule = rule_by_code(code)
    return rule, run_rule(rule, today, actor=actor)
