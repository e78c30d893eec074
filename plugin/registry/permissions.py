"""Permissions on workers and their children."""
from ..core.roles import Permission

WORKERS_VIEW = Permission("workers.view")
WORKERS_MANAGE = Permission("workers.manage")
#: See workers' phone numbers in full; everyone else with WORKERS_VIEW sees them masked
#: (138****5678) and finds workers by a whole phone number only.
WORKERS_CONTACT_VIEW = Permission("workers.contact_view")
CHILDREN_VIEW = Permission("children.view")
CHILDREN_MANAGE = Permission("children.manage")
#: See ID numbers at all (masked) and reveal them with a reason (audited).
CHILDREN_ID_VIEW = Permission("children.id_view")
