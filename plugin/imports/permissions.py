"""Permissions of roster imports."""
from ..core.roles import Permission

ROSTERS_IMPORT = Permission("rosters.import")
