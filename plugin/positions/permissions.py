"""Permissions of work near home (就近就业)."""
from ..core.roles import Permission

#: See the workplaces, their openings and the transfer requests to them in a subtree, and a
#: worker's transfer history.
POSITIONS_VIEW = Permission("positions.view")
#: Record a site's location, add, change and close its openings, import them from a spreadsheet.
POSITIONS_MANAGE = Permission("positions.manage")
#: Decide the transfer requests to the openings of a subtree.
POSITIONS_DECIDE = Permission("positions.decide")
