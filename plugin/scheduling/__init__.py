"""Running scheduled jobs: one scheduler process per deployment, guarded by a database lease."""
from __future__ import annotations

from ..core.features import Feature

feature = Feature(name="scheduling", package=__name__, models=("models",))
