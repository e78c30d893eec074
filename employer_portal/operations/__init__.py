"""Running the portal in production: backups, health checks, metrics, structured logs.

* ``carebridge backup`` / ``carebridge restore`` (:mod:`.backup`, :mod:`.cli`);
* ``/healthz`` and ``/readyz`` (:mod:`.health`);
* ``/metrics`` for Prometheus (:mod:`.metrics`);
* request ids and JSON log lines (:mod:`.logs`).

The three routes are the portal's, outside the plugin, open before set-up and without sign-in;
none shows personal data.
"""
from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, g, request

from . import health, logs, metrics

#: Endpoints reachable before set-up and without signing in.
ENDPOINTS = ("operations.healthz", "operations.readyz", "operations.metrics")


def init_operations(app: Flask) -> None:
    """Call early in ``create_app``: the hooks registered here run first before a request and
    last after it, so the time measured and logged includes every other hook (the commit)."""
    blueprint = Blueprint("operations", __name__)
    blueprint.add_url_rule("/healthz", "healthz", health.healthz, methods=["GET"])
    blueprint.add_url_rule("/readyz", "readyz", health.readyz, methods=["GET"])
    blueprint.add_url_rule("/metrics", "metrics", metrics.metrics_view, methods=["GET"])
    app.register_blueprint(blueprint)
    logs.init_request_logging(app)
    metrics.init_metrics(app)

    @app.after_request
    def measure(response: Response) -> Response:
        started = g.get("_carebridge_started")
        metrics.observe_request(request.endpoint, response.status_code,
                                time.perf_counter() - started if started else None)
        return response
