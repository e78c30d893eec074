"""Permissions of entrusted care, contact logs and integrity records."""
from ..core.roles import Permission

#: Entrusted-guardianship agreements, contact logs and integrity records.
GUARDIANSHIP_VIEW = Permission("guardianship.view")
GUARDIANSHIP_MANAGE = Permission("guardianship.manage")
#: Commend a worker as a model guardian or admonish one (Family Education Promotion Law Art. 48).
INTEGRITY_MANAGE = Permission("integrity.manage")
