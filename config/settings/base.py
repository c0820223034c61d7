"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment, with
embedded defaults that need no services: SQLite, a filesystem Celery broker and mail
written to files, all under ``var/``.
"""

import datetime as _dt
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public address people click through to from emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's files, served from this site: no CDN, and nothing changes without a pin.
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "django_celery_beat",
    # The second factor for staff: time-based codes and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "actions",
    "notifications",
    "digests",
    "plan_pages",
    "workspace",
    "workers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, which answers static files itself: they get the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device: the device that confirmed this session's second factor.
    "django_otp.middleware.OTPMiddleware",
    # Staff whose session has no second factor are sent to give one (docs/sign-in.md).
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit history of admin and API edits.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that cannot reach the database: 503 with Retry-After, not a server error page.
    "config.middleware.DatabaseUnavailableMiddleware",
    # Sign-in records for answers Django sends no signal for (accounts.signals_sign_in).
    "accounts.signals_sign_in.SignInAnswerMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

# The workspace's sign-in page; after signing in or out, its home page ("What needs you").
LOGIN_URL = "workspace:sign-in"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "workspace:home"

# --- Second factor for staff (docs/sign-in.md#second-factor-for-staff) --------------------
# Plan administrators and superusers confirm each sign-in with a code from an authenticator
# app or a recovery code, unless their identity provider asserted multi-factor sign-in. Off
# here so that a laptop and the demo sign in with passwords alone; production turns it on.
SECOND_FACTOR_FOR_STAFF = env_bool("SECOND_FACTOR_FOR_STAFF", False)
# Where such a person is sent: the code page, which offers set-up to someone with no app yet.
SECOND_FACTOR_URL = "workspace:second-factor"
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "Action plan delivery service"
# Each wrong code doubles the wait before the next one is checked: 1 s, 2 s, 4 s, ...
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin's device pages never show a secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# ModelBackend's checks, plus every permission on the plan's apps for plan administrators.
AUTHENTICATION_BACKENDS = ["accounts.backends.PlanAdministratorBackend"]

# The admin shows every old version but restores none: a revert would write old values past
# the status service, the structure rules and the version check.
SIMPLE_HISTORY_REVERT_DISABLED = True

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
            ],
        },
    },
]

_DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _DEFAULT_SQLITE) or _DEFAULT_SQLITE,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file under `make run`: wait for the write lock
    # instead of failing with "database is locked", and take it at BEGIN.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # PostgreSQL: docs/performance.md, "Production database settings". JIT compiling paid
    # off for no query of this service and cost some lists hundreds of ms, so each connection
    # turns it off. PgBouncer refuses that start-up option (there: ALTER DATABASE ... SET
    # jit = off), and in transaction mode loses a cursor kept open across transactions.
    # DB_POOL=true keeps a psycopg pool in each process instead of one persistent connection
    # (CONN_MAX_AGE), for threaded workers.
    _options: dict[str, Any] = DATABASES["default"].setdefault("OPTIONS", {})
    _pgbouncer = env_bool("DB_PGBOUNCER", False)
    if env_bool("DB_JIT_OFF", True) and not _pgbouncer:
        _options["options"] = "-c jit=off"
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = _pgbouncer
    if env_bool("DB_POOL", False):
        _options["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", 4),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    # Django's similarity check on the email and the name, in plain English, plus a password
    # that merely contains them ("JoBloggs2024"): docs/sign-in.md#passwords.
    {"NAME": "accounts.password_validation.NotLikeYouValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Passwords (docs/sign-in.md#passwords) ------------------------------------------------
# How long an emailed "choose a new password" link works, in seconds; using it ends it too.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3600)
# Links asked for, per email address typed and per network address (sliding windows).
PASSWORD_RESET_RATE_PER_EMAIL = env_str("THROTTLE_PASSWORD_RESET_EMAIL", "3/hour")
PASSWORD_RESET_RATE_PER_ADDRESS = env_str("THROTTLE_PASSWORD_RESET_ADDRESS", "20/hour")

LANGUAGE_CODE = "en-gb"
# Stored in UTC; reasoned about in Europe/London (see actions.dates).
USE_TZ = True
TIME_ZONE = "Europe/London"
USE_I18N = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The site's own stylesheets and scripts, beside templates/ (the apps keep theirs in static/).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Content Security Policy (docs/api.md#security-headers) ------------------------------
# Every response says where its page may load things from: this site only. The admin session
# shares the origin with every page, so an injected or third-party script must not run: no
# inline script, no CDN. Styles are this site's files too (no inline <style> or style="");
# images may also be data: URIs, which Swagger UI's stylesheet uses for its icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Mail -------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hung SMTP server must not hold a worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Action plan service <actions@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- GOV.UK Notify (docs/notifications.md#sending-through-govuk-notify) ------------------
# With an API key, every ledger row goes through GOV.UK Notify instead of EMAIL_BACKEND:
# one plain template whose subject is ((subject)) and whose body is ((body)).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID", "")
# The reply-to address set up in Notify; empty: the service's default.
NOTIFY_REPLY_TO_ID = env_str("NOTIFY_REPLY_TO_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# Seconds to wait for Notify's answer; a delivery makes at most two requests, well inside
# the delivery task's time limit (four times EMAIL_TIMEOUT).
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)
NOTIFICATIONS_CHANNEL = "notify" if NOTIFY_API_KEY else "email"

# --- Reminders and escalations (docs/notifications.md) ------------------------------------
# The London time after which a working day's reminders and escalations go out.
NOTIFICATIONS_SEND_TIME = env_str("NOTIFICATIONS_SEND_TIME", "09:00")
try:
    _dt.time.fromisoformat(NOTIFICATIONS_SEND_TIME)
except ValueError:
    raise ImproperlyConfigured(
        f'NOTIFICATIONS_SEND_TIME "{NOTIFICATIONS_SEND_TIME}" is not a time such as 09:00.'
    ) from None
# How often beat starts the reminder and escalation scans.
NOTIFICATIONS_SCAN_EVERY_SECONDS = env_int("NOTIFICATIONS_SCAN_EVERY_SECONDS", 300)
# Transient mail errors are retried with a doubling wait from this, up to the bound.
# With the defaults the waits are 1, 2, 4, 8, 16, 32, 60 minutes: about two hours in all.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_WAIT_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_WAIT_SECONDS", 3600)
# A row "sending" for longer than this lost its worker (well past EMAIL_TIMEOUT).
NOTIFICATIONS_STUCK_AFTER_SECONDS = env_int("NOTIFICATIONS_STUCK_AFTER_SECONDS", 600)
# Fresh rows are left this long to the delivery their sweep enqueued after commit.
NOTIFICATIONS_DISPATCH_GRACE_SECONDS = env_int("NOTIFICATIONS_DISPATCH_GRACE_SECONDS", 60)
# After an outage, the next day's emails also carry what fell due on up to this many missed
# working days (0: nothing is caught up).
NOTIFICATIONS_CATCH_UP_WORKING_DAYS = env_int("NOTIFICATIONS_CATCH_UP_WORKING_DAYS", 3)
if not 0 <= NOTIFICATIONS_CATCH_UP_WORKING_DAYS <= 20:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_CATCH_UP_WORKING_DAYS must be between 0 and 20 working days."
    )
# How long a signed "update this action" link in an email works.
UPDATE_LINK_MAX_AGE_DAYS = env_int("UPDATE_LINK_MAX_AGE_DAYS", 14)
PREFERENCES_LINK_MAX_AGE_DAYS = env_int("PREFERENCES_LINK_MAX_AGE_DAYS", 90)

# --- Delivery receipts (docs/notifications.md#delivery-receipts) ---------------------------
# The bearer token GOV.UK Notify sends with each delivery receipt (set the same one in
# Notify's "Callbacks" page). Empty: the receipts endpoint refuses every request.
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN", "").strip()

# --- REST API ---------------------------------------------------------------------------
# How long a new API token works (docs/sign-in.md, "API tokens").
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)
if API_TOKEN_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_MAX_AGE_DAYS must be at least 1 (a number of days).")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "actions.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "actions.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "actions.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Action plan delivery service API",
    "DESCRIPTION": (
        "Plans, recommendations, actions, milestones and success measures of a local "
        "area's SEND improvement plan, with progress reporting."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ loads Swagger UI from this site (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: it would send the schema's address to another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": "none"},
    # One name per choice set: a plan's and an action's status would otherwise collide, and
    # a progress update's previous_* fields would get enums of their own.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "actions.models.PlanStatus",
        "ActionStatusEnum": "actions.models.ActionStatus",
        "RagEnum": "actions.models.Rag",
        "BoardAudienceEnum": "actions.models.BoardAudience",
        "EscalationAudienceEnum": "notifications.models.Audience",
    },
}

# --- Celery -----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # No Redis on a fresh machine: messages travel as files under var/broker.
    _broker_dir = VAR_DIR / "broker"
    # A host is meaningless here, but naming one keeps kombu from warning on every connect.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is ./control in whatever folder the process runs.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
DJANGO_CELERY_BEAT_TZ_AWARE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Hostile input: throttles and the error responses in the schema (docs/api.md) ---------
# Throttle counts live in their own cache. Under gunicorn each worker has its own memory, so
# a per-process cache would multiply every limit by the number of workers: with REDIS_URL
# (or THROTTLE_CACHE_URL) set, the counts are shared through Redis. A throttle whose cache is
# down lets the request through (accounts.throttles): a Redis outage must not stop sign-ins
# or progress reports.
_THROTTLE_CACHE_URL = env_str("THROTTLE_CACHE_URL", "") or REDIS_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _THROTTLE_CACHE_URL,
            "KEY_PREFIX": "throttle",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if _THROTTLE_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}
# How many proxies sit in front of the service and add to X-Forwarded-For. With 0 the address
# is the connection's own: a client cannot dodge the per-address limits with a made-up header.
_rest_framework: dict[str, Any] = REST_FRAMEWORK
_rest_framework["NUM_PROXIES"] = env_int("NUM_PROXIES", 0)
_rest_framework["DEFAULT_THROTTLE_RATES"] = {
    # Token sign-in: wrong passwords for one email address, and attempts from one address.
    "login-account": env_str("THROTTLE_LOGIN_ACCOUNT", "5/min"),
    "login-address": env_str("THROTTLE_LOGIN_ADDRESS", "20/min"),
    # The signed-link forms (update, milestone, preferences): posts to one link, and posts
    # with links that do not work (forged, mistyped, expired) from one address.
    "link-token": env_str("THROTTLE_LINK_TOKEN", "10/min"),
    "link-address": env_str("THROTTLE_LINK_ADDRESS", "30/min"),
}
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.schema.add_error_responses",
]

# --- Sign-in records (docs/sign-in.md) ---------------------------------------------------
# Records older than this many days (counted in London days) are deleted once a day.
SIGN_IN_RECORDS_KEEP_DAYS = env_int("SIGN_IN_RECORDS_KEEP_DAYS", 365)
if SIGN_IN_RECORDS_KEEP_DAYS < 1:
    raise ImproperlyConfigured("SIGN_IN_RECORDS_KEEP_DAYS must be at least 1 (a number of days).")

# --- Digests, briefings and summaries (docs/digests.md) ------------------------------------
# The London weekday and time after which each board's digest for the period goes out.
DIGEST_WEEKDAY = env_str("DIGEST_WEEKDAY", "monday").strip().lower()
if DIGEST_WEEKDAY not in (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
):
    raise ImproperlyConfigured(f'DIGEST_WEEKDAY "{DIGEST_WEEKDAY}" is not a day such as Monday.')
DIGEST_TIME = env_str("DIGEST_TIME", "08:00")
try:
    _dt.time.fromisoformat(DIGEST_TIME)
except ValueError:
    raise ImproperlyConfigured(
        f'DIGEST_TIME "{DIGEST_TIME}" is not a time such as 08:00.'
    ) from None
# Where compile_digest writes the emails it builds, to be read without a mail program.
DIGESTS_DIR = VAR_DIR / "digests"

# --- Single sign-on (docs/sign-in.md#single-sign-on) --------------------------------------
# OpenID Connect providers, each a button on the sign-in pages: SSO_PROVIDERS=council,nhs and,
# for each, SSO_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _EMAIL_DOMAINS (the addresses it
# may sign in) and _LABEL ("Northshire Council"). None unless set: passwords only. A mistake
# stops the start with one sentence saying which variable is wrong.
import os  # noqa: E402

from accounts.sso.config import form_action_sources, read_providers  # noqa: E402

SSO_PROVIDERS = read_providers(os.environ)
# Whom the page for someone without an account tells them to email (besides "your plan
# administrator"); empty: nobody named.
SSO_HELP_EMAIL = env_str("SSO_HELP_EMAIL", "").strip()
# The provider's endpoints are read from its discovery document on first use, then kept.
SSO_DISCOVERY_CACHE_SECONDS = env_int("SSO_DISCOVERY_CACHE_SECONDS", 3600)
# mozilla-django-oidc: ID tokens signed with the provider's RSA keys (its JWKS), a nonce, and
# never an account made from a sign-in. Seconds to wait for the provider's answers.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email"
OIDC_USE_NONCE = True
OIDC_STATE_SIZE = 32
OIDC_NONCE_SIZE = 32
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env_int("SSO_TIMEOUT_SECONDS", 10)
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.sso.backend.SsoBackend"]
# Signing out may send the browser on to the provider, and browsers hold a form's redirects to
# the page's form-action.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
    "'self'",
    *form_action_sources(SSO_PROVIDERS),
]
