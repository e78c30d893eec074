"""Every retention rule on the demo company (``carebridge seed-demo``), run years later by
``carebridge purge``: the dry run lists what each rule would purge and changes nothing, the run
purges exactly that, a second run finds nothing, the audit log and the output hold counts only,
every declared indicator of the demo's past months and every sealed filing read the same after.

The database is a sibling of the test database; the commands commit, like the real ones.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from employer_portal import create_app
from plugin.audit.models import AuditEvent
from plugin.core import indicators
from plugin.core.clock import FrozenClock
from plugin.core.db import session
from plugin.org.queries import get_root_unit
from plugin.registry.models import Child, Worker
from plugin.reports import queries as report_queries
from plugin.reports.models import ReportFiling
from plugin.reports.sealing import check_filing

from .conftest import portal_test_config
from .support import sibling_database_url

pytestmark = pytest.mark.committing
LATER = datetime(2045, 1, 1, 2, 0, tzinfo=UTC)
LINE = re.compile(r"^(\S+)\s+(\d+)\*? months\s+(\d+)$")


def counts(output: str) -> dict[str, int]:
    return {match.group(1): int(match.group(3)) for line in output.splitlines()
            if (match := LINE.match(line.strip()))}


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    url = sibling_database_url(database_url, "retention", tmp_path_factory.mktemp("retention-db"))
    app = create_app(portal_test_config(url))
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "Demo-2026x"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["carebridge"].clock = __import__("plugin.core.clock").core.clock.system_clock
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


def past_figures(months: list[tuple[date, date]]) -> dict[tuple[str, date], int]:
    paths = [get_root_unit().path]
    return {(code, start): indicators.compute(code, paths, start, end)
            for code in indicators.declared_indicators() for start, end in months}


def filings_state() -> list[tuple[int, bool, str, dict]]:
    state = []
    for filing in session.execute(select(ReportFiling).order_by(ReportFiling.number)).scalars():
        previous = (session.get(ReportFiling, filing.previous_id) if filing.previous_id
                    else None)
        superseded = (session.get(ReportFiling, filing.supersedes_id).number
                      if filing.supersedes_id else None)
        behind = {row.indicator_code: report_queries.filed_records(filing, row.indicator_code)[1]
                  for row in session.execute(text(
                      "SELECT indicator_code FROM cb_report_filed_records WHERE filing_id = :id"),
                      {"id": filing.id})}
        state.append((filing.number, check_filing(filing, previous, superseded).genuine,
                      filing.content_sha256, behind))
    return state


def test_every_rule_on_the_demo_years_later(demo):
    app = demo
    runner = app.test_cli_runner()
    with app.app_context():
        seeded_on = session.execute(select(func.min(Worker.created_at))).scalar_one().date()
        # The demo's last two whole months before it was seeded.
        first = date(seeded_on.year, seeded_on.month, 1)
        months = []
        for _ in range(2):
            end = first.fromordinal(first.toordinal() - 1)
            first = date(end.year, end.month, 1)
            months.append((first, end))
        figures = past_figures(months)
        filings = filings_state()
        assert filings and all(genuine for _number, genuine, _sha, _behind in filings)
        named = session.execute(select(func.count()).select_from(Child)
                                .where(Child.anonymised_at.is_not(None))).scalar_one()
        assert named == 0
        session.remove()

    app.extensions["carebridge"].clock = FrozenClock(LATER)
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    would = counts(dry.output)
    with app.app_context():
        assert session.execute(select(func.count()).select_from(Child)
                               .where(Child.anonymised_at.is_not(None))).scalar_one() == 0
        rules = {rule.code for feature in app.extensions["carebridge"].features
                 for rule in feature.retention}
        session.remove()
    assert set(would) == rules
    for code in ("registry.children_of_leavers", "registry.adult_children", "registry.leavers",
                 "aid.closed_applications", "pledges.signatures",
                 "guardianship.ended_agreements", "guardianship.contact_notes",
                 "reunions.travellers", "audit.events", "imports.files"):
        assert would[code] > 0, (code, would)

    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0, done.output
    purged = counts(done.output)
    # Rules run in order, each on its own in the dry run: an adult child of leavers is counted
    # by both there and anonymised once, by the first.
    assert {code: number for code, number in purged.items() if code != "registry.adult_children"
            } == {code: number for code, number in would.items()
                  if code != "registry.adult_children"}
    assert 0 < purged["registry.adult_children"] <= would["registry.adult_children"]
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and set(counts(again.output).values()) == {0}, again.output

    with app.app_context():
        # Counts only: one event per rule that purged something, naming the rule.
        events = list(session.execute(select(AuditEvent).where(
            AuditEvent.action == "privacy.purged")).scalars())
        assert {event.target_id: event.details for event in events} == {
            code: {"count": number} for code, number in purged.items() if number}
        assert session.execute(select(func.count()).select_from(Child).where(
            Child.anonymised_at.is_not(None))).scalar_one() == (
            purged["registry.children_of_leavers"] + purged["registry.adult_children"])
        assert session.execute(select(func.count()).select_from(Worker).where(
            Worker.name == "已清除")).scalar_one() == purged["registry.leavers"]
        assert past_figures(months) == figures
        assert filings_state() == filings
        session.remove()
