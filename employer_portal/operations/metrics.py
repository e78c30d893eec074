"""Prometheus metrics at ``/metrics`` (``prometheus_client``).

What is measured:

* ``carebridge_http_requests_total{endpoint, status_class}`` and
  ``carebridge_http_request_duration_seconds{endpoint}``: by the Flask endpoint name
  (``registry.child``, ``unmatched`` for a URL no route matches), never the path, so no id or
  query string is ever a label and the number of series is bounded by the URL map;
* ``carebridge_scheduled_job_runs_total{job_id, outcome}`` (``ok``/``failed``),
  ``carebridge_scheduled_job_duration_seconds{job_id}`` and
  ``carebridge_scheduled_job_last_success_timestamp_seconds{job_id}``, from the scheduler's
  :data:`plugin.signals.scheduled_job_ran`;
* read from the database at each scrape: ``carebridge_outbox_pending{channel}`` (notification
  deliveries waiting), ``carebridge_task_queue{kind, status}`` (background tasks queued or
  running), ``carebridge_scheduler_lease_held{holder}`` (1 with the ``host:pid`` of the
  scheduler holding a live lease; 0 with ``holder=""`` when none does) and
  ``carebridge_metrics_database_up``.

Several processes (gunicorn's workers, ``carebridge scheduler``): set ``PROMETHEUS_MULTIPROC_DIR``
to one empty folder for all of them, in their environment before they start (prometheus_client
reads it when first imported). Each process then writes its figures to files there and
``/metrics`` adds up every process's: whichever worker answers the scrape, the figures are the
deployment's, the scheduler's job runs included. Without it, each process counts alone and the
job figures stay in the scheduler's process, which serves no ``/metrics``. Empty the folder when
the deployment (re)starts, never while one of its processes runs.

Access (:func:`allowed`): with ``CAREBRIDGE_METRICS_TOKEN`` set, only a request carrying
``Authorization: Bearer <token>`` (401 otherwise); without it, only a request made directly from
the machine itself (a loopback address and no forwarding header, so nothing a reverse proxy
relays from the internet; 404 otherwise).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.tasks import Task, TaskStatus
from plugin.notifications.queries import pending_delivery_counts
from plugin.scheduling.lease import current_holder
from plugin.signals import scheduled_job_ran

log = logging.getLogger(__name__)

#: Headers a reverse proxy adds: a request carrying one was relayed, whatever its address.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")
#: Background task states that count as the queue's depth.
QUEUE_STATES = (TaskStatus.QUEUED, TaskStatus.RUNNING)

#: The metrics of this process; in multiprocess mode their values live in the shared folder.
REGISTRY = CollectorRegistry()
HTTP_REQUESTS = Counter(
    "carebridge_http_requests", "HTTP requests answered, by endpoint and status class.",
    ["endpoint", "status_class"], registry=REGISTRY)
HTTP_DURATION = Histogram(
    "carebridge_http_request_duration_seconds", "Time to answer a request, by endpoint.",
    ["endpoint"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOB_RUNS = Counter(
    "carebridge_scheduled_job_runs", "Scheduled job runs, by job and outcome (ok, failed).",
    ["job_id", "outcome"], registry=REGISTRY)
JOB_DURATION = Histogram(
    "carebridge_scheduled_job_duration_seconds", "Time a scheduled job ran, by job.",
    ["job_id"], registry=REGISTRY,
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600))
JOB_LAST_SUCCESS = Gauge(
    "carebridge_scheduled_job_last_success_timestamp_seconds",
    "When a scheduled job last ended well (Unix time), by job.",
    ["job_id"], registry=REGISTRY, multiprocess_mode="max")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def observe_request(endpoint: str | None, status: int, seconds: float | None) -> None:
    endpoint = endpoint or "unmatched"
    HTTP_REQUESTS.labels(endpoint=endpoint, status_class=f"{status // 100}xx").inc()
    if seconds is not None:
        HTTP_DURATION.labels(endpoint=endpoint).observe(seconds)


def record_job_run(_sender, *, job_id: str, outcome: str, seconds: float, **_extra) -> None:
    """Receiver of :data:`plugin.signals.scheduled_job_ran`."""
    JOB_RUNS.labels(job_id=job_id, outcome=outcome).inc()
    JOB_DURATION.labels(job_id=job_id).observe(seconds)
    if outcome == "ok":
        JOB_LAST_SUCCESS.labels(job_id=job_id).set(time.time())


class DatabaseCollector:
    """Figures read from the database when scraped (inside the request's app context)."""

    def collect(self):
        up = GaugeMetricFamily("carebridge_metrics_database_up",
                               "1 when the figures below could be read from the database.")
        try:
            families = [self._outbox(), self._tasks(), self._lease()]
        except SQLAlchemyError:
            session.rollback()
            log.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    @staticmethod
    def _outbox() -> GaugeMetricFamily:
        family = GaugeMetricFamily("carebridge_outbox_pending",
                                   "Notification deliveries waiting to be sent, by channel.",
                                   labels=["channel"])
        for channel, count in sorted(pending_delivery_counts().items()):
            family.add_metric([channel], count)
        return family

    @staticmethod
    def _tasks() -> GaugeMetricFamily:
        family = GaugeMetricFamily("carebridge_task_queue",
                                   "Background tasks queued or running, by kind and status.",
                                   labels=["kind", "status"])
        rows = session.execute(
            select(Task.kind, Task.status, func.count())
            .where(Task.status.in_(QUEUE_STATES), Task.is_foreground.is_(False))
            .group_by(Task.kind, Task.status)).all()
        for kind, status, count in sorted(rows, key=lambda row: (row[0], row[1].value)):
            family.add_metric([kind, status.value], count)
        return family

    @staticmethod
    def _lease() -> GaugeMetricFamily:
        family = GaugeMetricFamily("carebridge_scheduler_lease_held",
                                   "1 with the holder (host:pid) of the live scheduler lease; "
                                   "0 with an empty holder when no scheduler holds it.",
                                   labels=["holder"])
        lease = current_holder()
        if lease is not None and lease.expires_at > utcnow():
            family.add_metric([lease.holder], 1)
        else:
            family.add_metric([""], 0)
        return family


def exposition() -> bytes:
    """The text format of every metric: this process's (or every process's, in multiprocess
    mode), then the figures read from the database."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return generate_latest(registry) + generate_latest(database)


def from_this_machine() -> bool:
    """Made directly from a loopback address: not relayed by a proxy (which would make any
    client on the internet look local to a portal behind it)."""
    environ = request.environ
    address = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") \
        or environ.get("REMOTE_ADDR")
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def allowed() -> tuple[bool, int]:
    """Whether this request may read the metrics, and the status to refuse it with."""
    token = current_app.config.get("CAREBRIDGE_METRICS_TOKEN")
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        good = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8"), token.encode("utf-8"))
        return good, 401
    return from_this_machine(), 404


def metrics_view() -> Response:
    permitted, refusal = allowed()
    if not permitted:
        response = Response('{"error": "not available"}\n', status=refusal,
                            mimetype="application/json")
        if refusal == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return Response(exposition(), mimetype=None, content_type=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> None:
    # A module-level function: blinker keeps a weak reference; connecting twice is once.
    scheduled_job_ran.connect(record_job_run)
