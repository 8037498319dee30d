"""gunicorn's settings for the web server (docs/deployment.md); read from the working directory.

Start it with `.venv/bin/gunicorn dashboard.wsgi` from the project directory. Every value
can be changed from the environment without editing this file.
"""

import os

# Where to listen. Behind a reverse proxy on the same host keep it on loopback.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes (gunicorn reads WEB_CONCURRENCY too) and threads in each: pages mostly wait on
# the database, so a few threads per process serve more than more processes would.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer than this has its worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Browsers keep connections open between the dashboard's htmx requests.
keepalive = 5
# Which header means https is Django's decision alone (DJANGO_SECURE_PROXY_SSL_HEADER), so
# gunicorn must not set the scheme from X-Forwarded-* headers by its own rules.
secure_scheme_headers: dict[str, str] = {}
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
# gunicorn sets TCP_NODELAY on its sockets: no Nagle stall on small responses.
