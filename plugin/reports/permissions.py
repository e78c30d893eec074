"""Permissions of statistical reports and filings."""
from ..core.roles import Permission

#: See drafts, filings, templates and the filing calendar of a subtree.
REPORTS_VIEW = Permission("reports.view")
#: Prepare reports (templates, drafts, texts), file them and correct filings; open the records
#: behind a filed figure.
REPORTS_FILE = Permission("reports.file")
#: Confirm a unit's own figures for a period (its responsible person, before the group files).
REPORTS_CONFIRM = Permission("reports.confirm")
