"""Django settings, read from the environment (see the table in README.md)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

# Lets admin and queryset classes be subscripted at run time, as django-stubs types them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_secret_key(path: Path) -> str:
    """Return the key stored in ``path``, creating it (mode 0600) on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Created earlier, or just now by a concurrent process (e.g. a test worker).
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise RuntimeError(f"{path} is empty; delete it to generate a new key") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key


# Never a key in the repository: the environment wins, else a per-checkout git-ignored file.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or load_secret_key(BASE_DIR / ".secret_key")

DEBUG = env_bool("DJANGO_DEBUG")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Login throttling: failed logins counted in the database, shared by every process.
    "axes",
    "scheduler_core",
    # The operators' web UI; installed so that `{% load dashboard %}` finds its template tags.
    "dashboard",
    # The JSON API, /healthz, /readyz and /metrics (docs/api.md).
    "api",
    # Serves the API docs page's Swagger UI from our static files instead of a CDN.
    "ninja",
    # Example tasks (demo/tasks.py) so a first run has work to watch; remove it in production.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a refused login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dashboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                # The banner on every page while an alert fires.
                "dashboard.alerts.banner.alert_banner",
                "dashboard.tasks.suggestions.search_box",
            ],
        },
    },
]

WSGI_APPLICATION = "dashboard.wsgi.application"
ASGI_APPLICATION = "dashboard.asgi.application"

# Database: SQLite by default, PostgreSQL when DATABASE_URL says postgres://...
# TEST_DATABASE_URL is deliberately NOT read here: it names an extra PostgreSQL database
# for the postgres-marked tests and gets its own alias once the ORM adapter lands.
SQLITE_OPTIONS: dict[str, Any] = {
    # BEGIN IMMEDIATE takes the write lock up front, so a claim never fails half-way
    # with "database is locked" when upgrading a read transaction to a write.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # WAL lets readers (the dashboard) proceed while a worker writes. temp_store=MEMORY keeps
    # the statement journal that every row of a table with triggers opens (the counters,
    # docs/counters.md) off the file system: it halved the cost of inserting a task row.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
        "PRAGMA temp_store=MEMORY;"
    ),
}

# libpq's network options for every PostgreSQL connection. Without them a worker cut off
# from the server (a partition: packets vanish, nothing is refused) waits on TCP's
# retransmission backoff: a heartbeat sent during a 20 s cut got through only 9 s after
# the link was back, past the two heartbeats a worker has to recover in, and a longer cut
# leaves it waiting for minutes (tests/integration/worker/test_partition.py). So: a
# connect gives up after 5 s (and is tried again), data unacknowledged for 5 s ends the
# connection, and an idle one is probed after 5 s, then every 2 s, dead after 3 misses.
# A DATABASE_URL query parameter of the same name wins.
POSTGRES_NETWORK_OPTIONS: dict[str, int] = {
    "connect_timeout": 5,
    "tcp_user_timeout": 5000,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_default_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL))
_options: dict[str, Any] = _default_db.setdefault("OPTIONS", {})
# Django's SQLite backend, plus writers that queue in the kernel for the write lock instead of
# sleeping in SQLite's busy handler (scheduler_core/sqlite_engine/write_turn.py says why).
# SCHEDULER_SQLITE_WRITE_TURNS=0 keeps Django's own backend (to compare, docs/performance.md).
SQLITE_ENGINE = "scheduler_core.sqlite_engine"
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _options.update(SQLITE_OPTIONS)
    if os.environ.get("SCHEDULER_SQLITE_WRITE_TURNS", "1") != "0":
        _default_db["ENGINE"] = SQLITE_ENGINE
elif _default_db["ENGINE"] == "django.db.backends.postgresql":
    # psycopg_pool keeps the connections; Django refuses persistent connections with it.
    _options.setdefault("pool", True)
    _default_db["CONN_MAX_AGE"] = 0
    # The pool tests a connection before handing it out: after a server restart or a cut
    # connection, the next query gets a fresh one instead of failing (one error per
    # pooled connection, which the chaos run showed as 500s).
    _default_db["CONN_HEALTH_CHECKS"] = True
    for _option, _option_value in POSTGRES_NETWORK_OPTIONS.items():
        _options.setdefault(_option, _option_value)
DATABASES: dict[str, dict[str, Any]] = {"default": _default_db}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (docs/deployment.md): after DJANGO_LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked for DJANGO_LOGIN_LOCKOUT_MINUTES,
# on the dashboard's and the admin's login alike. A right password resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "15")))
# Comma-separated; "+" joins parameters that count together. "username,ip_address" also locks
# a username for every address (stops a spread-out guess, lets anyone lock an account out).
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item
    for item in env_list("DJANGO_LOGIN_LOCKOUT_BY", "username+ip_address")
]
AXES_RESET_ON_SUCCESS = True
# The lock lasts the stated minutes from the locking attempt: attempts while it holds are
# refused without being counted, so the page's "try again in N minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "dashboard.login_throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The address axes counts by is the one Django sees; behind a proxy, see DJANGO_PROXY_COUNT.
AXES_CLIENT_IP_CALLABLE = "scheduler_core.web.client_ip.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Not the manifest variant: it fails every page render until collectstatic has run,
    # which would make tests depend on a build step.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Behind TLS in production set DJANGO_SECURE=1 (docs/deployment.md).
SECURE = env_bool("DJANGO_SECURE")
# Behind a reverse proxy that ends TLS, the header by which it says the client used https,
# e.g. "X-Forwarded-Proto: https". Without it, DJANGO_SECURE's redirect to https would send
# every proxied request round again. Set it only if the proxy always sets (or strips) it.
PROXY_SSL_HEADER = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if PROXY_SSL_HEADER:
    _header, _, _value = PROXY_SSL_HEADER.partition(":")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip() or "https",
    )
# How many reverse proxies stand in front (they append to X-Forwarded-For); 0: none, the
# client's address is REMOTE_ADDR. Used by login throttling and the audit log.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
# Origins (scheme and host) whose forms may post here, e.g. "https://scheduler.example.com";
# needed when the proxy's public name is not the host Django sees.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 3600 if SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages load nothing from anywhere else: scripts, styles, images, fetches all come from us.
# (Inline style attributes are allowed for the API docs page's Swagger UI; scripts never.)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"

# The largest request body accepted (the API answers 413 above it); a task's arguments may
# take 1 MiB of JSON, so a single submit always fits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# LOG_FORMAT=json writes one JSON object per line (with task id, name, queue, attempt,
# worker id and duration where they apply) for log shippers; text suits a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {"()": "dashboard.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"level": os.environ.get("DJANGO_LOG_LEVEL", LOG_LEVEL)},
        "scheduler_core": {"level": os.environ.get("SCHEDULER_LOG_LEVEL", LOG_LEVEL)},
        "api": {"level": LOG_LEVEL},
    },
}

# django.tasks: `@task` functions' `.enqueue()` goes to the scheduler's workers. QUEUES lists
# the queue names tasks may use; an empty list allows any name.
TASKS: dict[str, Any] = {
    "default": {"BACKEND": "scheduler_core.task_backend.backend.SchedulerBackend", "QUEUES": []},
}

SCHEDULER: dict[str, Any] = {
    # "django": tasks live in the database below (durable, shared by every worker process).
    # "memory": one process only, lost on exit; for tests and experiments.
    "STORAGE": os.environ.get("SCHEDULER_STORAGE", "django"),
    # Which DATABASES alias holds the scheduler's tables.
    "DATABASE": os.environ.get("SCHEDULER_DATABASE", "default"),
    # Retention of finished tasks, used by `manage.py prune_tasks`: succeeded and cancelled
    # tasks go after SUCCEEDED_DAYS, failed ones (kept longer, for post-mortems) after
    # FAILED_DAYS. Live tasks are never pruned.
    "RETENTION": {
        "SUCCEEDED_DAYS": int(os.environ.get("SCHEDULER_RETENTION_DAYS", "7")),
        "FAILED_DAYS": int(os.environ.get("SCHEDULER_FAILED_RETENTION_DAYS", "30")),
        "ACTIVITY_DAYS": int(os.environ.get("SCHEDULER_ACTIVITY_RETENTION_DAYS", "30")),
    },
    # Modules of tasks outside an installed app's tasks.py, e.g. ["myproject.jobs"]. Only
    # tasks defined in these modules or in an installed app's `tasks` module can be run.
    "TASK_MODULES": [
        name.strip()
        for name in os.environ.get("SCHEDULER_TASK_MODULES", "").split(",")
        if name.strip()
    ],
    # How long a claimed task stays a worker's without a heartbeat (workers beat every third
    # of it); after that any worker may rescue it. `runworkers --lease` overrides it.
    "LEASE_SECONDS": int(os.environ.get("SCHEDULER_LEASE_SECONDS", "60")),
    # Periodic tasks declared in code, name -> definition, synced into the database when
    # workers start and by `manage.py sync_schedules` (docs/schedules.md). For example:
    # "nightly-report": {"task": "app.tasks.report", "cron": "0 6 * * 1-5",
    #                    "timezone": "Europe/Berlin", "catch_up": "once"}
    "SCHEDULES": {},
    # Backoff between attempts: base * factor ** (attempt - 1), capped, with up to `jitter`
    # of it taken off at random so that failures do not retry in lockstep.
    "RETRY": {
        "base_seconds": float(os.environ.get("SCHEDULER_RETRY_BASE_SECONDS", "1")),
        "factor": 2.0,
        "cap_seconds": 3600.0,
        "jitter": 0.25,
    },
    # Tasks one user may submit in any span of the window's seconds, through the API and the
    # dashboard's form together (0 turns the limit off); counted in the database, so shared
    # by every process. The SCHEDULER_API_* names of earlier releases still work.
    "SUBMIT_RATE_LIMIT": int(
        os.environ.get("SCHEDULER_SUBMIT_RATE_LIMIT")
        or os.environ.get("SCHEDULER_API_SUBMIT_RATE_LIMIT", "1000")
    ),
    "SUBMIT_RATE_WINDOW": int(
        os.environ.get("SCHEDULER_SUBMIT_RATE_WINDOW")
        or os.environ.get("SCHEDULER_API_SUBMIT_RATE_WINDOW", "60")
    ),
    # Bearer token /metrics asks for; unset, only loopback addresses may scrape.
    "METRICS_TOKEN": os.environ.get("SCHEDULER_METRICS_TOKEN", ""),
    # Workers prepare their claim and outcome statements on PostgreSQL, so the server plans
    # each once per connection. Set SCHEDULER_PREPARED_STATEMENTS=0 behind a pooler that
    # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    "PREPARED_STATEMENTS": os.environ.get("SCHEDULER_PREPARED_STATEMENTS", "1") != "0",
    # Worker processes set Django up without the admin's autodiscovery and the web-only
    # apps (scheduler_core/executor/worker_apps.py); 0 if tasks use the admin's registry.
    "WORKER_LEAN_START": os.environ.get("SCHEDULER_WORKER_LEAN_START", "1") != "0",
}

# Alerts (docs/alerts.md). Webhook URLs must start with one of these comma-separated URL
# prefixes (same scheme, host and port; the path on whole segments), e.g.
# "https://hooks.slack.com/services/,http://127.0.0.1:9999/hook". Empty: no webhooks at all,
# so that alert channels cannot be used to reach internal addresses.
ALERT_WEBHOOK_ALLOWED = env_list("ALERT_WEBHOOK_ALLOWED", "")
# Seconds a webhook may take to connect and answer.
ALERT_WEBHOOK_TIMEOUT = float(os.environ.get("ALERT_WEBHOOK_TIMEOUT", "5"))
# A failing notification is tried this many times in all, first again after the base
# seconds, then 3 times longer each time (capped at an hour).
ALERT_RETRY_ATTEMPTS = int(os.environ.get("ALERT_RETRY_ATTEMPTS", "6"))
ALERT_RETRY_BASE_SECONDS = float(os.environ.get("ALERT_RETRY_BASE_SECONDS", "5"))
# Seconds between passes of `manage.py run_alerts` (the evaluator outside the workers).
ALERT_EVALUATION_INTERVAL = float(os.environ.get("ALERT_EVALUATION_INTERVAL", "10"))
# Email notifications go through Django's email backend (MAILERS, Django 6.1's form): SMTP
# at EMAIL_HOST:EMAIL_PORT with a timeout, or another backend named by EMAIL_BACKEND (e.g.
# django.core.mail.backends.console.EmailBackend to print them).
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
        },
    }
}
if not MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    # Only SMTP takes these options.
    MAILERS["default"]["OPTIONS"] = {}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "scheduler@localhost")
