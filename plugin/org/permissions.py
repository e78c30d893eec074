"""Permissions on the organisation tree and the company's settings."""
from ..core.roles import Permission

#: See the organisation tree (every staff role).
ORG_VIEW = Permission("org.view")
#: Add and rename units, set who is responsible for them.
ORG_MANAGE = Permission("org.manage")
#: Change the company's own settings (name, time zone).
COMPANY_MANAGE = Permission("company.manage")
