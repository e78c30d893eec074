"""The home page: a dashboard of the user's scope. Key figures with the change since last month,
trends and the children's category mix, read through the features' indicators and drawn with
ECharts (``plugin/static/vendor/echarts``); the to-do list (slot ``home.todo``), other features'
panels (slot ``home.panels``) and the organisation tree."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link
from ..org.permissions import ORG_VIEW

feature = Feature(
    name="dashboard",
    package=__name__,
    blueprints=("views:bp",),
    models=("models",),
    links={"navigation": (Link("carebridge.dashboard.home", _l("首页"), ORG_VIEW, order=10),)},
)
