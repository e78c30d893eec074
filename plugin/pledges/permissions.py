"""Permissions of guardianship pledges."""
from ..core.roles import Permission

PLEDGES_VIEW = Permission("pledges.view")
#: Log paper pledges, edit pledge templates, revoke pledges.
PLEDGES_MANAGE = Permission("pledges.manage")
