"""Signals other features (and host apps) can subscribe to, instead of importing each other.

Each signal is sent by a service after its change is flushed, inside the same transaction; a
receiver that writes joins that transaction, and one that talks to the outside world should
queue the work. Receivers get the sender (the app) and keyword arguments as documented here.

Subscribe with ``@org_unit_created.connect_via(app)`` or ``org_unit_created.connect(fn)``.
"""
from blinker import Namespace

_signals = Namespace()

#: A unit was added to the organisation tree. Keyword arguments: ``unit``, ``actor``.
org_unit_created = _signals.signal("carebridge.org-unit-created")

#: A unit's name or responsible department/person changed. Keyword arguments: ``unit``,
#: ``changes`` (field → [old, new]), ``actor``.
org_unit_updated = _signals.signal("carebridge.org-unit-updated")

#: A role was granted. Keyword arguments: ``grant``, ``actor``.
role_granted = _signals.signal("carebridge.role-granted")

#: A role was revoked. Keyword arguments: ``user_key``, ``role``, ``unit``, ``actor``.
role_revoked = _signals.signal("carebridge.role-revoked")

#: A pledge was signed (on paper and logged, or on the worker's phone); also sent for a renewal.
#: Keyword arguments: ``pledge``, ``actor`` (None when the worker signed on the phone).
pledge_signed = _signals.signal("carebridge.pledge-signed")

#: A pledge was revoked. Keyword arguments: ``pledge``, ``reason``, ``actor``.
pledge_revoked = _signals.signal("carebridge.pledge-revoked")

#: The daily job found a pledge past its validity. Keyword arguments: ``pledge``.
pledge_expired = _signals.signal("carebridge.pledge-expired")

#: A lecture session was cancelled (its officers are already notified). Keyword arguments:
#: ``lecture``, ``actor``.
lecture_cancelled = _signals.signal("carebridge.lecture-cancelled")

#: A lecture session was moved to another time. Keyword arguments: ``lecture``,
#: ``previous_starts_at``, ``actor``.
lecture_rescheduled = _signals.signal("carebridge.lecture-rescheduled")

#: A report was filed (sealed). Keyword arguments: ``filing``, ``actor``.
report_filed = _signals.signal("carebridge.report-filed")

#: A unit's responsible person confirmed its figures for a period. Keyword arguments:
#: ``confirmation``, ``actor``.
report_figures_confirmed = _signals.signal("carebridge.report-figures-confirmed")

#: Asked, not told: features that rank families in need (hardship aid) send it with the keyword
#: ``worker_ids``; a feature that keeps child-protection cases (risk reports) answers with the
#: set of those workers who have a case still open about one of their children. Receivers only
#: read; when no such feature is mounted nobody answers and no family is flagged.
open_concerns_asked = _signals.signal("carebridge.open-concerns-asked")

#: The scheduler ran one of its jobs (plugin.scheduling.runner.run_job), sent once the job's
#: transaction has ended, committed or rolled back (unlike the signals above), so a receiver
#: must not write. Keyword arguments: ``job_id``, ``outcome`` (``"ok"`` or ``"failed"``),
#: ``seconds`` (how long it ran). The portal counts runs and failures for its metrics.
scheduled_job_ran = _signals.signal("carebridge.scheduled-job-ran")
