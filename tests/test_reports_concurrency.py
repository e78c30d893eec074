"""Filing under real concurrency: officers file at the same moment, the same draft is filed
twice at once, a filing is corrected twice at once. Each filing is its own thread, app context,
session and connection with real commits (SQLite serialises the writers; on PostgreSQL the
company row's lock orders the filings and the unique ``previous_id`` and ``supersedes_id`` hold
the chain straight whatever happens)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.reports import queries, services
from plugin.reports.models import ReportDraft, ReportFiling
from plugin.reports.periods import Period, PeriodKind

from . import factories
from .concurrency_support import all_at_once, app_on_own_database
from .conftest import SYSTEM

pytestmark = pytest.mark.committing

OFFICER = Actor(key="user:officer", name="杨帆")
QUARTER = Period.numbered(PeriodKind.QUARTER, 2026, 3)


@pytest.fixture
def racing_app(database_url, tmp_path):
    with app_on_own_database(database_url, "reports", tmp_path) as app:
        yield app


def set_up(app, drafts: int) -> list[int]:
    with app.test_request_context():
        create_company("测试建工集团", actor=SYSTEM)
        session.flush()
        root = get_root_unit()
        site = create_unit(root, OrgKind.SITE, "前海项目部", actor=SYSTEM)
        factories.make_worker(site)
        template = services.ensure_builtin_templates()[0]
        ids = [services.create_draft(template, root if number % 2 else site, QUARTER,
                                     OFFICER).id for number in range(drafts)]
        session.commit()
        session.remove()
    return ids


def file_at_once(app, draft_ids: list[int], *, reason: str | None = None) -> list[str]:
    def file(number, barrier):
        with app.test_request_context():
            draft = session.get(ReportDraft, draft_ids[number])
            barrier.wait()
            try:
                services.file_draft(draft, OFFICER, reason=reason)
                session.commit()
                return "filed"
            except ValidationError:
                session.rollback()
                return "refused"
            finally:
                session.remove()
    return all_at_once(len(draft_ids), file)


def test_filings_at_the_same_moment_form_one_chain(racing_app):
    draft_ids = set_up(racing_app, 6)
    assert file_at_once(racing_app, draft_ids) == ["filed"] * 6
    # The same draft filed three times at once: filed once.
    again = set_up_more(racing_app)
    answers = file_at_once(racing_app, [again] * 3)
    assert sorted(answers) == ["filed", "refused", "refused"]
    with racing_app.test_request_context():
        filings = session.execute(select(ReportFiling).order_by(ReportFiling.number)).scalars().all()
        assert [filing.number for filing in filings] == list(range(1, 8))
        assert all(later.previous_id == earlier.id
                   for earlier, later in zip(filings, filings[1:], strict=False))
        assert queries.chain_breaks() == []
        session.remove()


def set_up_more(app) -> int:
    with app.test_request_context():
        template = services.ensure_builtin_templates()[0]
        draft = services.create_draft(template, get_root_unit(), QUARTER.previous(), OFFICER)
        session.commit()
        draft_id = draft.id
        session.remove()
    return draft_id


def test_a_filing_is_corrected_once_when_two_correct_it_at_once(racing_app):
    [draft_id] = set_up(racing_app, 1)
    file_at_once(racing_app, [draft_id])
    with racing_app.test_request_context():
        original = session.execute(select(ReportFiling)).scalar_one()
        corrections = [services.start_correction(original, OFFICER).id for _ in range(3)]
        session.commit()
        session.remove()
    answers = file_at_once(racing_app, corrections, reason="更正")
    assert sorted(answers) == ["filed", "refused", "refused"]
    with racing_app.test_request_context():
        filings = session.execute(select(ReportFiling).order_by(ReportFiling.number)).scalars().all()
        assert len(filings) == 2 and filings[1].supersedes_id == filings[0].id
        assert queries.chain_breaks() == []
        session.remove()
