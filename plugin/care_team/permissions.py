"""Permissions of the care team (关爱服务队伍): its roster, service records and commendations."""
from ..core.roles import Permission

#: See the roster, members and their trainings, service records (without their notes) and
#: commendations in a subtree.
CARE_VIEW = Permission("care_team.view")
#: Add and change members of the care team and record their trainings.
CARE_MANAGE = Permission("care_team.manage")
#: Record services (counselling, tutoring…) and read their notes (each reading audited).
CARE_SERVICES = Permission("care_team.services")
#: Nominate model guardians, outstanding volunteers and collectives, and record the awards.
CARE_COMMEND = Permission("care_team.commend")
