"""The home page: the organisation tree in the user's scope with the counts that exist so far."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link
from ..org.permissions import ORG_VIEW

feature = Feature(
    name="dashboard",
    package=__name__,
    blueprints=("views:bp",),
    links={"navigation": (Link("carebridge.dashboard.home", _l("首页"), ORG_VIEW, order=10),)},
)
