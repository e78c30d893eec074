"""gunicorn settings for a CareBridge app server (``gunicorn -c deploy/gunicorn.conf.py``).

Every app server of a deployment runs this with the same ``CAREBRIDGE_*`` environment (one
PostgreSQL database, the same ``CAREBRIDGE_SECRET_KEY`` and ``CAREBRIDGE_DATA_KEY``); exactly one
``carebridge scheduler`` runs beside them (see deploy/RUNBOOK.md). Values can be changed with the
environment variables named below, without editing this file.
"""
from __future__ import annotations

import os

wsgi_app = "employer_portal:create_app()"

#: ``CAREBRIDGE_BIND``: where this server listens; behind a reverse proxy keep it on loopback or
#: the private network the proxy reaches it on.
bind = os.environ.get("CAREBRIDGE_BIND", "127.0.0.1:8000").split(",")

#: Worker processes (``CAREBRIDGE_WEB_WORKERS``): one or two per core. Each holds its own
#: connection pool, so workers x (threads + 1) x app servers + the scheduler must stay below the
#: database's max_connections.
workers = int(os.environ.get("CAREBRIDGE_WEB_WORKERS", 2 * (os.cpu_count() or 1)))
#: Threads per worker (``CAREBRIDGE_WEB_THREADS``): pages wait on the database most of the time,
#: so a few threads per process serve a check-in rush better than more processes would.
worker_class = "gthread"
threads = int(os.environ.get("CAREBRIDGE_WEB_THREADS", 4))

#: A report's PDF or a large roster upload can take tens of seconds; nothing takes minutes
#: (imports and zips run in the scheduler).
timeout = int(os.environ.get("CAREBRIDGE_WEB_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
#: Recycle workers now and then (a slow leak never grows for weeks); jittered so the workers of
#: one server do not all restart at once.
max_requests = 5000
max_requests_jitter = 500

#: The app decides which forwarded headers to trust (``CAREBRIDGE_PROXY_HOPS``, werkzeug's
#: ProxyFix): gunicorn must not turn ``X-Forwarded-Proto`` into ``https`` on its own.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = "127.0.0.1"

#: Heartbeats in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("CAREBRIDGE_ACCESS_LOG", "-")
errorlog = "-"
#: Client address, request, status, bytes, duration in microseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)s'
