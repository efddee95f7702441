"""gunicorn settings of `make run` (production serving): `gunicorn -c gunicorn.conf.py app:server`.

Override any of them without editing this file: `GUNICORN_CMD_ARGS="--workers 3"` (gunicorn
reads it; command-line values win over this file). The app's own settings (database, port,
Redis, ...) are the environment variables of README.md, read by settings.py.

- bind: 127.0.0.1:$PORT only. The dashboard is reached through the intranet's reverse proxy
  (TLS, the identity gateway), never directly on another interface.
- workers: one per core, 2 to 4. A callback is CPU-bound Python (pandas, numpy, plotly),
  so one process uses at most one core while it computes: fewer workers than cores leave a
  core idle, more only queue on the same cores while multiplying what each process keeps
  for itself (its imports and warm per-process caches, the compressed bundles, its own
  kaleido chromium for image export: ~300 MB each). On the 2-core target: 2 workers.
- threads (worker class gthread): 4 per worker, so quick requests (a bundle, a cached
  callback answer, a 304) are not queued behind a slow callback, and a page's parallel
  callback requests are taken at once while another waits on SQLite or a socket.
- Shared state between workers: the result cache is flask-caching's, in files under
  CACHE_DIR (every worker reads the others' results) or in Redis when REDIS_URL is set
  (then also the login rate limit is counted across workers; without Redis each worker
  counts its own). Checked with 2 workers and REDIS_URL: both connect to Redis, results
  land there, no cache file is written. Briefing jobs keep their status in files (exports/briefing_jobs.py),
  so any worker reports a job another one runs. SQLite is opened in WAL mode: readers in
  every worker go on while an import writes.
- preload_app: the app (create_app: imports, pages, callbacks, the CSP hashes) is built
  once in the master before the workers fork, so the workers start at once and share its
  memory pages; `post_fork` drops the database connections a worker inherits (web/serving.py
  after_fork), so no connection is shared between processes.
- timeout 120 s: a worker silent that long is restarted. The slowest request, an image or
  Excel export of a province, takes a few seconds; briefings are made in a background thread.
- Access log off (a line per request for 50 users is noise; the audit log records who
  did what); errors to stderr. `GUNICORN_CMD_ARGS="--access-logfile var/access.log"` turns it on.
- No `Server:` banner on any response (web/security.py's policy; gunicorn would say `gunicorn`).
"""
from __future__ import annotations

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

from settings import load_settings

bind = f"127.0.0.1:{load_settings().port}"
worker_class = "gthread"
workers = max(2, min(os.cpu_count() or 2, 4))
threads = 4
preload_app = True
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "info"
control_socket_disable = True  # no management socket in $HOME
proc_name = "sunshine-dashboard"


def post_fork(server, worker) -> None:
    from web.serving import after_fork
    after_fork(worker.app.wsgi())  # the app preloaded in the master


_default_headers = _gunicorn_wsgi.Response.default_headers


def _headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
