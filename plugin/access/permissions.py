"""Permissions of the access feature."""
from ..core.roles import Permission

#: Grant and revoke roles; manage the users within reach.
USERS_MANAGE = Permission("users.manage")
