"""Permissions of hardship aid. Deciding a step of an application's approval chain also needs the
step's role over the application's unit (:func:`plugin.aid.rules.may_decide`)."""
from ..core.roles import Permission

#: See applications, funds and their ledgers, pairings and union visits in a subtree.
AID_VIEW = Permission("aid.view")
#: Apply for a family (who then may not approve that application).
AID_APPLY = Permission("aid.apply")
#: Open the decision form of a chain step (the step's role decides whether it may be used).
AID_DECIDE = Permission("aid.decide")
#: Pay approved aid, close recurring cases, see full account numbers (each reveal audited).
AID_PAY = Permission("aid.pay")
#: Open funds, record allocations and donations, reverse entries, download statements.
AID_FUNDS = Permission("aid.funds")
#: Set the approval chains and their amount tiers (company-wide).
AID_CONFIGURE = Permission("aid.configure")
#: Pair helpers with families, log their visits and calls (and read the notes).
AID_PAIRING = Permission("aid.pairing")
#: Record union visits (慰问) and what was given.
AID_VISITS = Permission("aid.visits")
