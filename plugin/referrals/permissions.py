"""Permissions of the referral directory."""
from ..core.roles import Permission

#: Search the directory and open its entries: company-wide reference data, so holding it on any
#: unit is enough to see every entry.
REFERRALS_VIEW = Permission("referrals.view")
#: Add, change, deactivate and import the entries of a subtree.
REFERRALS_MANAGE = Permission("referrals.manage")
