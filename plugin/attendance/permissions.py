"""Permissions of lecture attendance."""
from ..core.roles import Permission

#: Scan badges, enter attendance by hand or from a paper sheet, annul a check-in.
ATTENDANCE_RECORD = Permission("attendance.record")
