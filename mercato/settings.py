"""Mercato settings: everything comes from the environment, with safe defaults for local use."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MERCATO_VAR_DIR", BASE_DIR / "var"))
DEV_SECRET_KEY = "mercato-dev-secret-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_duration(name: str, default: str) -> timedelta:
    """'30d', '12h', '45m', '90s' or a plain number of seconds."""
    raw = os.environ.get(name, default).strip().lower()
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    try:
        if raw and raw[-1] in units:
            return timedelta(seconds=float(raw[:-1]) * units[raw[-1]])
        return timedelta(seconds=float(raw))
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a duration like 30d, 12h or 3600"
        ) from error


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "Refusing to start with DEBUG off and the development SECRET_KEY: set SECRET_KEY."
    )
if not DEBUG and not SECRET_KEY.strip():
    # Django itself only notices an empty key on the first request, which then fails with 500.
    raise ImproperlyConfigured("Refusing to start with DEBUG off and an empty SECRET_KEY: set it.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "mercato.core.admin_site.MercatoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "ninja",
    "mercato.core",
    "mercato.catalog",
    "mercato.inventory",
    "mercato.pricing",
    "mercato.customers",
    "mercato.cart",
    "mercato.payments",
    "mercato.orders",
    "mercato.checkout",
    "mercato.fulfilment",
    "mercato.returns",
    "mercato.notifications",
    "mercato.integrations",
    "mercato.storefront",
    "django_htmx",
    "csp",
    "mercato.demo",
]

MIDDLEWARE = [
    # Operations first: an id on every response, the probes answered before the TLS redirect
    # and the host check, then every other request counted (README, "Health, metrics and logs").
    "mercato.core.operations.request_ids.AssignRequestId",
    "mercato.core.operations.health.AnswerProbes",
    "mercato.core.operations.http_metrics.CountRequests",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mercato.core.middleware.RefuseUnreadableInput",  # NUL characters, bodies over the limit
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mercato.urls"
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
# Seconds a password reset link stays valid (Django's default is 3 days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))
WSGI_APPLICATION = "mercato.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mercato" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mercato.storefront.context_processors.shop",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mercato.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts: writers queue instead of
        # failing half-way, which is what makes the stock checks correct on SQLite.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "customers.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers and TLS. Production sits behind a proxy that ends TLS (README, "Production
# settings"); `manage.py check --deploy` is clean with the variables documented there.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The proxy says which scheme the shopper used; only behind one is that header believed.
MERCATO_BEHIND_TLS_PROXY = env_bool("MERCATO_BEHIND_TLS_PROXY", False)
if MERCATO_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("MERCATO_SSL_REDIRECT", MERCATO_BEHIND_TLS_PROXY)
# HSTS is off unless asked for: once a browser has seen it, the host cannot go back to http.
SECURE_HSTS_SECONDS = int(os.environ.get("MERCATO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MERCATO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("MERCATO_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
# django-csp: the shop's own scripts only (static files, no inline script, no eval; htmx is
# told not to eval either, in storefront/base.html). Inline styles stay allowed: templates
# and the Django admin use style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # Product images may live anywhere on https (a CDN, an imported catalog's URLs).
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOG_FORMATS = ("plain", "json")


def logging_settings(log_format: str, level: str) -> dict[str, object]:
    """LOGGING for MERCATO_LOG_FORMAT: `plain` writes the message as it is; `json` writes one
    JSON object a line with the request id, for Django's own loggers too."""
    plain: dict[str, object] = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": level},
    }
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"MERCATO_LOG_FORMAT must be plain or json, not {log_format!r}")
    if log_format == "plain":
        return plain
    return plain | {
        "filters": {"request_id": {"()": "mercato.core.operations.log_context.RequestIdFilter"}},
        "formatters": {"json": {"()": "mercato.core.operations.log_context.json_formatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                                 "filters": ["request_id"]}},
        # Django's own handlers (its console when DEBUG, mail_admins, the dev server's) are
        # dropped: their records go up to the one JSON handler.
        "loggers": {name: {"handlers": [], "propagate": True}
                    for name in ("django", "django.server")},
    }


MERCATO_LOG_FORMAT = os.environ.get("MERCATO_LOG_FORMAT", "plain").strip().lower() or "plain"
LOGGING = logging_settings(MERCATO_LOG_FORMAT, os.environ.get("LOG_LEVEL", "WARNING"))

# Operations (README, "Health, metrics and logs"). /metrics is open to staff and to this bearer
# token; unset, only to staff. prometheus-client reads PROMETHEUS_MULTIPROC_DIR itself at import
# (set it before gunicorn starts); /metrics then sums every worker's files.
MERCATO_METRICS_TOKEN = os.environ.get("MERCATO_METRICS_TOKEN", "")
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# The Celery broker, CELERY_BROKER_URL, is read with the transport settings below; /readyz
# checks it when set.

# Shop settings
MERCATO_SHOP_NAME = os.environ.get("MERCATO_SHOP_NAME", "Mercato demo shop")
MERCATO_DEFAULT_CURRENCY = os.environ.get("MERCATO_DEFAULT_CURRENCY", "EUR")
MERCATO_CURRENCIES = env_list("MERCATO_CURRENCIES", "EUR,USD,GBP")
if MERCATO_DEFAULT_CURRENCY not in MERCATO_CURRENCIES:
    raise ImproperlyConfigured("MERCATO_DEFAULT_CURRENCY must be one of MERCATO_CURRENCIES")
MERCATO_CART_TTL = env_duration("MERCATO_CART_TTL", "30d")
MERCATO_CART_COOKIE = "mercato_cart"
MERCATO_API_TOKEN_TTL = env_duration("MERCATO_API_TOKEN_TTL", "30d")
MERCATO_MAX_PAGE_SIZE = int(os.environ.get("MERCATO_MAX_PAGE_SIZE", "100"))
# True: catalog prices include tax (EU style); False: tax is added on top (US style).
MERCATO_PRICES_INCLUDE_TAX = env_bool("MERCATO_PRICES_INCLUDE_TAX", True)
# Where tax is estimated until the shopper gives an address (ISO 3166-1 alpha-2).
MERCATO_SHOP_COUNTRY = os.environ.get("MERCATO_SHOP_COUNTRY", "DE").upper()

# Stripe (payments/gateways/stripe_gateway.py): the "stripe" gateway exists only with a secret
# key. STRIPE_API_BASE empty means Stripe's own API; tests point it at a local localstripe.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "").rstrip("/")

# "order": capture payments when the order is placed; "shipment": authorize at checkout and
# capture when the shipment ships (or when staff capture in the back office).
MERCATO_CAPTURE_MODE = os.environ.get("MERCATO_CAPTURE_MODE", "shipment")
if MERCATO_CAPTURE_MODE not in {"order", "shipment"}:
    raise ImproperlyConfigured("MERCATO_CAPTURE_MODE must be 'order' or 'shipment'")
# "manual": staff release shipments; "on_payment": released once the order's payments are
# authorized/captured (cash on delivery counts as arranged).
MERCATO_RELEASE_MODE = os.environ.get("MERCATO_RELEASE_MODE", "manual")
if MERCATO_RELEASE_MODE not in {"manual", "on_payment"}:
    raise ImproperlyConfigured("MERCATO_RELEASE_MODE must be 'manual' or 'on_payment'")
# "single_warehouse": one warehouse for the whole shipment if one can, else split by
# inventory; "split": each line from the first warehouse (by priority) that has it.
MERCATO_ALLOCATION_STRATEGY = os.environ.get("MERCATO_ALLOCATION_STRATEGY", "single_warehouse")
if MERCATO_ALLOCATION_STRATEGY not in {"single_warehouse", "split"}:
    raise ImproperlyConfigured("MERCATO_ALLOCATION_STRATEGY must be 'single_warehouse' or 'split'")
# Days after a shipment shipped in which its lines can be returned.
MERCATO_RETURN_WINDOW_DAYS = int(os.environ.get("MERCATO_RETURN_WINDOW_DAYS", "30"))
# True: a customer's return request waits for Customer Service's approval.
MERCATO_RETURNS_NEED_APPROVAL = env_bool("MERCATO_RETURNS_NEED_APPROVAL", True)
# How long a checkout completion with one Idempotency-Key may run before a retry may resume it.
MERCATO_CHECKOUT_LEASE = env_duration("MERCATO_CHECKOUT_LEASE", "60s")
# A checkout unfinished this long is abandoned by the scheduled job (mercato/schedule.py).
MERCATO_CHECKOUT_ABANDON_AFTER = env_duration("MERCATO_CHECKOUT_ABANDON_AFTER", "60m")

MERCATO_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MERCATO_OUTBOX_MAX_ATTEMPTS", "8"))
# How often due deliveries are looked for: the embedded worker's poll, Celery beat's dispatch.
MERCATO_WORKER_POLL_SECONDS = float(os.environ.get("MERCATO_WORKER_POLL_SECONDS", "1"))
# Prefix of the idempotency keys handlers send to other systems (mercato/core/outbox/calls.py):
# give staging and production their own when they share a provider account.
MERCATO_IDEMPOTENCY_PREFIX = os.environ.get("MERCATO_IDEMPOTENCY_PREFIX", "mercato")
# The module whose HANDLERS table the outbox delivers to (tests give worker processes theirs).
MERCATO_HANDLERS_MODULE = os.environ.get("MERCATO_HANDLERS_MODULE", "mercato.handlers")

# Transport of deliveries (README, "Scaling out with Celery"). Unset: the embedded worker
# (manage.py run_worker) delivers and runs the scheduled jobs. redis://... or amqp://...:
# Celery workers deliver, Celery beat dispatches and runs the jobs; the outbox rows stay the
# truth (mercato/core/outbox/dispatch.py). No result backend: nothing reads task results.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(
        ("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be redis://... or amqp://..., not {CELERY_BROKER_URL!r}")
# Deliveries go to this queue, beat's dispatch and scheduled jobs to "<queue>.beat".
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "mercato")
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves its message unacknowledged...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ...and a killed pool process's message is requeued
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one message per process, not four
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged message after this long; the lease below re-sends sooner
# from the table, so it stays at Redis' default hour (a shorter one re-runs slow tasks twice).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(
    os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# A delivery sent to a Celery worker is sent again if not done within the lease; at most this
# many are sent and not yet done at once (the rest wait in the table).
MERCATO_OUTBOX_LEASE = env_duration("MERCATO_OUTBOX_LEASE", "2m")
MERCATO_OUTBOX_IN_FLIGHT = int(os.environ.get("MERCATO_OUTBOX_IN_FLIGHT", "1000"))

# Outgoing webhooks (mercato/integrations). A subscription may not target loopback, link-local
# or private addresses unless this is true (local development, tests): it would let whoever
# manages subscriptions probe the shop's own network.
MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS", False)
# How long one delivery waits for the receiver (connect and answer) before it counts as failed.
MERCATO_WEBHOOK_TIMEOUT = env_duration("MERCATO_WEBHOOK_TIMEOUT", "10s")
# After a secret is rotated the old one still signs for this long, so receivers can switch.
MERCATO_WEBHOOK_ROTATION_GRACE = env_duration("MERCATO_WEBHOOK_ROTATION_GRACE", "24h")

# Email: EMAIL_URL names the backend and the server, as dj-email-url reads it. console://
# (default: printed by the worker), smtp://user:pass@host:25 (plain; add ?tls=1 for STARTTLS
# or ?ssl=1 for implicit TLS), submission://user:pass@host (STARTTLS, port 587), memory://,
# dummy://. Percent-encode special characters of the user and password.
EMAIL_SCHEMES = sorted(set(dj_email_url.SCHEMES) - {"smtps"})  # smtps: deprecated, means STARTTLS


def email_settings(url: str) -> dict[str, object]:
    """EMAIL_* settings from an EMAIL_URL; a scheme dj-email-url does not know is refused."""
    scheme = url.partition("://")[0].lower()
    if scheme not in EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not one of {', '.join(EMAIL_SCHEMES)} "
            "(for TLS use submission://... or smtp://...?tls=1 or ?ssl=1)"
        )
    parsed = {key: value for key, value in dj_email_url.parse(url).items() if value is not None}
    # A worker must not hang on a silent server: 10 s unless the URL says ?timeout=N.
    return {"EMAIL_TIMEOUT": 10, **parsed}


EMAIL_URL = os.environ.get("EMAIL_URL") or "console://"
_email = email_settings(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = (os.environ.get("MERCATO_FROM_EMAIL")
                      or _email.get("DEFAULT_FROM_EMAIL", "Mercato demo shop <shop@example.com>"))
SERVER_EMAIL = _email.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

NINJA_PAGINATION_MAX_LIMIT = MERCATO_MAX_PAGE_SIZE

# Abuse limits: failed logins per account and per client address (django-axes), and a
# fixed-window limit per client address on lookups, registration, coupons and reset mails
# (mercato.core.throttle). MERCATO_ABUSE_LIMITS=off turns both off (load tests, schemathesis).
MERCATO_ABUSE_LIMITS = env_bool("MERCATO_ABUSE_LIMITS", True)
# Proxies whose X-Forwarded-For names the client (addresses or networks, comma separated).
MERCATO_TRUSTED_PROXIES = env_list("MERCATO_TRUSTED_PROXIES", "")
for _proxy in MERCATO_TRUSTED_PROXIES:  # checked once here, not by every limited request
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"MERCATO_TRUSTED_PROXIES item {_proxy!r} is not an address or network") from error


def rate_limits(raw: str) -> dict[str, tuple[int, int]]:
    """Scope -> (requests, seconds): the defaults, with 'scope=count/seconds,...' overrides."""
    limits = {"lookup": (20, 15 * 60), "register": (10, 3600), "coupon": (20, 15 * 60),
              "password_reset": (5, 3600)}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        scope, _, value = item.partition("=")
        count, _, seconds = value.partition("/")
        if scope.strip() not in limits or not count.isdigit() or not seconds.isdigit() \
                or int(seconds) == 0:
            raise ImproperlyConfigured(
                f"MERCATO_RATE_LIMITS item {item!r} is not scope=count/seconds with scope one "
                f"of {', '.join(limits)}")
        limits[scope.strip()] = (int(count), int(seconds))
    return limits


MERCATO_RATE_LIMITS = rate_limits(os.environ.get("MERCATO_RATE_LIMITS", ""))

INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: turns a lockout into our 429
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = MERCATO_ABUSE_LIMITS
AXES_FAILURE_LIMIT = int(os.environ.get("MERCATO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locked refuses the login
# Off: mercato.core.login_limits forgets only the account's own failures on a good login.
AXES_RESET_ON_SUCCESS = False
# No row per successful login: it would cost every login (and every token) writes and a session.
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_CALLABLE = "mercato.core.login_limits.username_of"
AXES_CLIENT_IP_CALLABLE = "mercato.core.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "mercato.core.login_limits.lockout_response"

def cache_settings(url: str) -> dict[str, dict[str, str]]:
    """CACHE_URL: unset -> each process's memory; redis://host:6379/N -> shared by every web
    process (so the limits hold however many there are)."""
    if url.startswith(("redis://", "rediss://")):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                            "LOCATION": url}}
    if url:
        raise ImproperlyConfigured(f"CACHE_URL must be redis://... or rediss://..., not {url!r}")
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CACHES = cache_settings(os.environ.get("CACHE_URL", ""))
