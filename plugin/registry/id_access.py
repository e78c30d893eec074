"""Who sees an ID number, and how: the one rule every page and document follows.

ID numbers (children's, workers', carers') are shown masked, first 3 and last 4 characters
(:func:`plugin.privacy.masking.mask_id_number`), to users who hold
:data:`~plugin.registry.permissions.CHILDREN_ID_VIEW` on the record's unit, and to nobody else:
union officers and care workers never see them, not even masked. Only those users may reveal one
in full, by giving a reason (:func:`plugin.registry.services.reveal_id_number`, audited), and
only they get documents that print masked ID numbers (pledge PDFs).

Pages call :func:`shown_id_number` for the value and :func:`may_see_id_numbers` for whether to
offer the row and the reveal form.
"""
from __future__ import annotations

from ..access.checks import has_permission
from ..org.models import OrgUnit
from ..privacy.masking import mask_id_number
from .permissions import CHILDREN_ID_VIEW

#: The permission that shows ID numbers (masked) and lets its holder reveal them with a reason.
ID_PERMISSION = CHILDREN_ID_VIEW


def may_see_id_numbers(actor_key: str | None, unit: OrgUnit | None) -> bool:
    """Whether ``actor_key`` sees the ID numbers of records of ``unit`` (masked) and may reveal
    them."""
    return has_permission(actor_key, ID_PERMISSION, unit)


def shown_id_number(actor_key: str | None, number: str | None, unit: OrgUnit | None) -> str | None:
    """An ID number of a record of ``unit`` as ``actor_key`` may see it: masked, or None (no
    number, or not for this user)."""
    if not number or not may_see_id_numbers(actor_key, unit):
        return None
    return mask_id_number(number)
