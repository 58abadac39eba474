"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (docs/deploy.md).

Every value can be overridden by the environment named beside it. Long work (imports, large
exports, the month close) runs in the job workers, so a request never needs more than the
default timeout."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # bounds slow memory growth
max_requests_jitter = 200
# Each instance on a host would otherwise share one control socket (docs/pitfalls.md).
control_socket_disable = True
# The application writes its own JSON lines with the request id; gunicorn's access log would
# repeat them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
