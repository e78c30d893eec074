"""The portal as gunicorn serves it in ``bench checkin``, plus one endpoint only the benchmark app
has: a bare single INSERT and commit, the ceiling a check-in is measured against (same server,
same database, same run). Configured from ``CAREBRIDGE_*`` environment variables like the portal.
"""
from __future__ import annotations

from sqlalchemy import insert

from employer_portal import create_app
from employer_portal.setup.services import is_set_up
from plugin.attendance.models import AttemptOutcome, CheckInAttempt
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.lectures.models import CheckInMethod

BARE_PATH = "/bench/bare-insert"


def create_bench_app():
    app = create_app()
    with app.app_context():
        # The portal remembers per process that set-up is done; learn it now, not in the first
        # (concurrent) request, where on SQLite that read would collide with other writers.
        is_set_up()

    bare_statement = insert(CheckInAttempt.__table__)

    @app.route(BARE_PATH)
    def bare_insert():
        # The same way the check-in runs its statements: Core, on the session's connection.
        session.connection().execute(bare_statement, {
            "method": CheckInMethod.WORKER_SCAN, "outcome": AttemptOutcome.ACCEPTED,
            "attempted_at": utcnow()})
        session.commit()
        return "ok"

    return app
