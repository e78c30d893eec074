"""Permission of the retention page (:mod:`.retention_views`)."""
from ..core.roles import Permission

#: See every retention rule with what a dry run would purge today, and run a rule at once.
#: Held by no role by default: administrators hold every permission.
RETENTION_MANAGE = Permission("privacy.retention")
