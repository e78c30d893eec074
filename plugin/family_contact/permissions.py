"""Permissions of family-contact support."""
from ..core.roles import Permission

#: See policies, grants, rooms and their bookings, living areas and coverage in a subtree.
CONTACT_VIEW = Permission("family_contact.view")
#: Set allowance policies, export carrier batches and import their results.
CONTACT_ALLOWANCES = Permission("family_contact.allowances")
#: Set up rooms and living areas, see the day's schedule, record use and no-shows.
CONTACT_ROOMS = Permission("family_contact.rooms")
