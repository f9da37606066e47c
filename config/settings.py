"""Partnerplan settings: one module, every value read from the environment.

The defaults are the embedded ones (SQLite under var/, Celery tasks run eagerly,
console e-mail) so that `make run` works on a fresh machine. Production sets the
same variables (see docker-compose.yml).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env (never committed) may hold overrides for manage.py runs.
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

# Absolute links in e-mails (report ready, assessment due) and PDFs start with
# this. Unless it is set, `make run` points it at the server it starts
# (RUN_ADDRESS, from its HOST and PORT).
SITE_URL = env.str(
    "SITE_URL", default=f"http://{env.str('RUN_ADDRESS', default='127.0.0.1:8000')}"
).rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "principles",
    "relationships",
    "assessments",
    "accounts",
    "assurance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "relationships.uploads.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.PrivateResponseHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.SsoFormActionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ExternalAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded SQLite file lives here
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'partnerplan.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is tested (a cheap ping) before a request first uses it: after
# a PostgreSQL restart a worker's old connection is dropped and a new one opened,
# instead of that request failing with 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=True
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database is given up on in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the dashboards' counters, rendered dashboards and list rows,
# under keys that change whenever their data is saved (relationships/caching.py).
# In one process (make run) memory will do; with several processes (gunicorn
# workers, Celery) they must share one, so production points CACHE_URL at Redis
# (docker-compose.yml does).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://partnerplan")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # An unreachable Redis is a cache miss, not an error (config/cache.py); a
    # hung one is given up on quickly.
    CACHES["default"]["BACKEND"] = "config.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        socket_timeout=env.float("CACHE_TIMEOUT", default=0.5),
    )
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Sessions live in the database only. Read through the cache (cached_db) they
# would save one indexed query a page, but the resilient cache drops writes while
# Redis is down: a log-out or a new session key during an outage would leave the
# old session in Redis, alive again when Redis came back.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATION}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "relationships:list"
LOGOUT_REDIRECT_URL = "login"

# Accounts: django-allauth (login by e-mail or username, password reset and
# change, MFA, single sign-on); the app's own flows (invitations, organisation
# admin, first run) live in accounts/.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partnerplan] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Single sign-on: an organisation's own OpenID Connect provider (accounts/models/
# sso.py). The adapter matches or refuses each person, so allauth's sign-up form
# never shows; the provider has verified the address it vouches for.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# Plain-http providers on this machine: only for development and the tests.
SOCIALACCOUNT_LOCAL_HTTP_ALLOWED = env.bool("SSO_LOCAL_HTTP_ALLOWED", default=DEBUG)
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password, e-mail and MFA changes are mailed
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Brute force (accounts/adapters.py counts an account's failures under one key
# whether it is named by e-mail or username): five failures in 5 minutes pause
# that account's password checks; ten in an hour refuse them for the rest of the
# hour; an address gets 10 failures a minute and 60 an hour, over any accounts.
# A successful password reset clears the account's count.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,60/h/ip,5/5m/key,10/h/key",
}
# Behind a reverse proxy set this to the number of proxies, so that rate limits
# see the client's address (X-Forwarded-For) and not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sessions end after this many minutes without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# No "remember me": the cookie ends with the browser, the session when idle
# (accounts.middleware.SessionIdleMiddleware starts the period again).
ACCOUNT_SESSION_REMEMBER = False
# MFA (allauth.mfa): TOTP with recovery codes, and security keys/passkeys.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Partnerplan"
# WebAuthn needs https, except on http://127.0.0.1 / localhost while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Staff need an authenticator for /admin/ (accounts/middleware.py).
ADMIN_MFA_REQUIRED = env.bool("ADMIN_MFA_REQUIRED", default=not DEBUG)
# Invitations are single-use links that expire (accounts/tokens.py).
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# The one size limit of an uploaded document. The forms, the upload handler and the
# request body cap below all follow it; so must a proxy's body cap in front of the
# app (docker-compose.yml): REQUEST_BODY_MAX_BYTES is what it may let through.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A request whose Content-Length is larger is answered 413 before its body is read
# (relationships.uploads.RequestBodyLimitMiddleware): the file at its limit, plus
# room for the form's other fields and the multipart framing.
REQUEST_BODY_MAX_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
# An upload is dropped as soon as it passes the document size limit, before it is
# stored anywhere (relationships/uploads.py); then Django's usual handlers.
FILE_UPLOAD_HANDLERS = [
    "relationships.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: the console backend prints mail unless EMAIL_BACKEND says otherwise.
# (Django 6.1's MAILERS will replace these once django-celery-beat supports 6.1.)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="partnerplan@localhost")

# Celery: with no broker configured, tasks run eagerly in the web process, so the
# embedded setup needs no Redis. Production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200
)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD",
    default=400_000,  # KiB
)
# Celery's Django fixup closes the database connection before and after every task
# unless this is set. config/celery.py closes it instead as Django does around a
# request (honouring CONN_MAX_AGE, and dropping a connection that had an error), so
# a worker with CONN_MAX_AGE keeps its connection; this only caps its reuse.
CELERY_DB_REUSE_MAX = 1000
# A web request that queues a task must not hang on a broker that is down: give
# up connecting after a second, and retry a publish once, briefly. The row the
# task is for is saved first, and the beat sends it again later (a report left
# queued: assessments.reports_resend_stuck).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float(
    "CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0
)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # Longer than the worker's one-second blocking reads of the queue.
    "socket_timeout": 5,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Demo data is for local evaluation only; production settings never load it.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=DEBUG)

# HTTPS. Production is served over TLS only: plain-http requests are redirected
# (except the health checks, which the container runtime makes over plain http
# from inside), browsers are told to keep to https (HSTS) and cookies never
# travel over http. DEBUG (make run) serves plain http on 127.0.0.1.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# A __Host- cookie is only accepted over https, for this host alone (no Domain)
# and the whole site (Path=/), so a sibling subdomain cannot set or shadow it.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Content-Security-Policy: scripts, styles, images and fonts come from this site
# only (static/), never inline, so injected markup cannot run or restyle anything.
# Inline SVG charts carry presentation attributes, not style="". Forms post here
# only; the login pages also allow the organisations' identity providers
# (accounts.middleware.SsoFormActionMiddleware). Bootstrap's icons are data: URLs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Only a reverse proxy that sets X-Forwarded-Proto itself (overwriting what the
# client sent) may be trusted to say a request came over https; gunicorn exposed
# directly must not believe a client's header, so this is off unless set.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
