"""Permissions of holiday-reunion campaigns."""
from ..core.roles import Permission

#: See campaigns and their applications in a subtree.
REUNIONS_VIEW = Permission("reunions.view")
#: Create campaigns, apply for workers, approve, waitlist, reject, draw the lottery.
REUNIONS_MANAGE = Permission("reunions.manage")
#: Book tickets: sees travellers' ID numbers (each reveal audited), exports manifests, imports
#: booking results. Held by HR officers by default, who may see ID numbers anyway.
REUNIONS_BOOK = Permission("reunions.book")
#: Register visiting children on site (小候鸟, 反探亲), run their programme and attendance, see
#: who is on site today.
REUNIONS_VISITS = Permission("reunions.visits")
