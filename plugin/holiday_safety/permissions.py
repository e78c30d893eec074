"""Permissions of holiday safety campaigns (假期安全教育)."""
from ..core.roles import Permission

#: See the campaigns of a subtree, their lectures, counts and the workers who have not confirmed.
HOLIDAY_SAFETY_VIEW = Permission("holiday_safety.view")
#: Schedule a campaign's lecture, send its checklist, remind the workers, close it.
HOLIDAY_SAFETY_MANAGE = Permission("holiday_safety.manage")
#: Enter the holiday dates of a year the official calendar has no data for (company-wide).
HOLIDAY_SAFETY_CONFIGURE = Permission("holiday_safety.configure")
