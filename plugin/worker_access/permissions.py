"""Permissions of workers' phone sign-in."""
from ..core.roles import Permission

#: Issue a worker the one-time activation code of the phone sign-in; see and revoke the
#: worker's remembered phones.
WORKER_PHONES_MANAGE = Permission("worker_phones.manage")
