"""The features CareBridge mounts, one line each, lower layers first.

A feature is a package of ``plugin/`` whose ``__init__`` declares a
:class:`~plugin.core.features.Feature`. Adding one is its folder, its line here and its migration
(README, "Adding a feature"). A host may mount a different list with
``CareBridge(app, features=...)``.
"""
from __future__ import annotations

import importlib

from .core.features import Feature

DEFAULT_FEATURES: tuple[str, ...] = (
    "plugin.audit",
    "plugin.org",
    "plugin.access",
    "plugin.notifications",
    "plugin.scheduling",
    "plugin.registry",
    "plugin.administration",
    "plugin.dashboard",
    "plugin.worker_access",
    "plugin.worker_notices",
    "plugin.imports",
    "plugin.api_tokens",
    "plugin.lectures",
    "plugin.attendance",
    "plugin.pledges",
    "plugin.guardianship",
    "plugin.reunions",
    "plugin.referrals",
    "plugin.care_team",
    "plugin.risk_reports",
    "plugin.aid",
    "plugin.family_contact",
    "plugin.privacy",
    "plugin.positions",
    "plugin.holiday_safety",
    "plugin.reports",
)


def load_features(packages: tuple[str, ...] | list[str] = DEFAULT_FEATURES) -> list[Feature]:
    """Import each package and return the ``feature`` it declares, in the order given."""
    features = []
    for package in packages:
        module = importlib.import_module(package)
        feature = getattr(module, "feature", None)
        if not isinstance(feature, Feature):
            raise TypeError(f"{package} declares no Feature (a module-level `feature`)")
        features.append(feature)
    return features
