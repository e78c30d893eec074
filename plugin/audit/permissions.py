"""Permissions of the audit log."""
from ..core.roles import Permission

#: Read the audit log of a subtree.
AUDIT_VIEW = Permission("audit.view")
