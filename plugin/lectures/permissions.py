"""Permissions of site lectures."""
from ..core.roles import Permission

LECTURES_VIEW = Permission("lectures.view")
#: Plan, cancel and reschedule lectures; keep the lecture team.
LECTURES_MANAGE = Permission("lectures.manage")
