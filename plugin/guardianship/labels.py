"""Labels of guardianship codes for pages and documents."""
from collections.abc import Mapping
from typing import Any

from ..core.features import declared_features
from ..privacy.masking import mask_name  # noqa: F401 (public pages' names; the one rule)

# The enums' one label table each lives beside the enum in .models (``AgreementStatus.ACTIVE
# .label``); these names are the same tables, for views that pass them to templates.
from .models import AGREEMENT_SIGNING_LABELS as SIGNING_LABELS  # noqa: F401
from .models import AGREEMENT_STATUS_LABELS as STATUS_LABELS  # noqa: F401
from .models import CONTACT_KIND_LABELS  # noqa: F401
from .models import CONTACT_PARTY_LABELS as PARTY_LABELS  # noqa: F401


class _DeclaredIntegrityKinds(Mapping[str, Any]):
    """One attribute of every integrity-entry kind any feature declares (``Feature.
    integrity_kinds``), by kind code; an unknown code reads as itself."""

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    def _table(self) -> dict[str, Any]:
        return {kind.code: getattr(kind, self._attribute)
                for feature in declared_features() for kind in feature.integrity_kinds}

    def __getitem__(self, code: str) -> Any:
        code = getattr(code, "value", code)
        return self._table().get(code, code if self._attribute == "label" else "secondary")

    def __contains__(self, code: object) -> bool:
        return getattr(code, "value", code) in self._table()

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


#: Label of each kind on the worker's integrity record.
INTEGRITY_LABELS = _DeclaredIntegrityKinds("label")
#: Bootstrap colour of each kind on the timeline: good news, neutral facts, warnings.
INTEGRITY_TONES = _DeclaredIntegrityKinds("tone")

