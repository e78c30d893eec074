"""CareBridge (关爱桥) as a Flask extension.

Mount it in any Flask app that already uses Flask-SQLAlchemy::

    db = SQLAlchemy(app)
    care = CareBridge()
    care.init_app(app, url_prefix="/care", adapter=MyHostAdapter())
"""
from .core.host import Actor, HostAdapter
from .extension import CareBridge, CareBridgeState

__all__ = ["Actor", "CareBridge", "CareBridgeState", "HostAdapter"]
