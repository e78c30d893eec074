"""Permissions of risk reports (DOMAIN §8). Raising a concern is open to every account; seeing
and handling cases is for the named roles only (site managers and the care team), over the
case's site: union officers and auditors never see a case (auditors read the audit log)."""
from ..core.roles import Permission

#: Raise a concern about a worker's child (every role: anyone with an account may report).
RISK_RAISE = Permission("risk_reports.raise")
#: See the cases of a subtree: the list, a case's page (every view audited).
RISK_VIEW = Permission("risk_reports.view")
#: Handle a case: record the police report, notices, follow-ups and its closure; see who
#: reported it (unless anonymous).
RISK_HANDLE = Permission("risk_reports.handle")
