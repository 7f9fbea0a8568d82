"""Django settings for Kết Nối, driven by the environment (see docs/configuration.md)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KETNOI_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

# python-docx brings lxml; with lxml present openpyxl would parse XLSX with it instead of defusedxml,
# and hostile spreadsheets (external entities) would no longer be refused. openpyxl reads this once,
# on first import, which happens after settings are loaded.
os.environ.setdefault("OPENPYXL_LXML", "False")

PROFILE = os.environ.get("KETNOI_PROFILE", "development")  # development | production
PRODUCTION = PROFILE == "production"
TESTING = os.environ.get("KETNOI_TESTING") == "1" or "pytest" in sys.modules


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The Django admin: on in development, off in production unless KETNOI_ADMIN_ENABLED=true.
ADMIN_ENABLED = _env_bool("KETNOI_ADMIN_ENABLED", not PRODUCTION)


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Key of the audit log's hash chain (core/audit_chain.py); derived from SECRET_KEY when unset. Keep
# it out of the database and its backups, so that a copy of the database cannot forge the chain.
AUDIT_CHAIN_KEY = os.environ.get("KETNOI_AUDIT_CHAIN_KEY", "")
# Keys encrypting personal data at rest (core/crypto.py, Fernet): the first encrypts, all decrypt;
# rotate with `ketnoi rotate-keys`. Unset: a key derived from SECRET_KEY (warning ketnoi.crypto.W001).
KETNOI_FIELD_KEYS = _env_list("KETNOI_FIELD_KEYS", "")
# Key of the blind indexes (keyed HMAC) that find a row by an encrypted phone or e-mail; derived from
# SECRET_KEY when unset. Changing it needs `ketnoi rotate-keys`, which recomputes the indexes.
KETNOI_BLIND_INDEX_KEY = os.environ.get("KETNOI_BLIND_INDEX_KEY", "")
# How long personal data is kept, per category, in months (0: kept until erased by hand). These are
# configurable defaults chosen for the platform, not periods fixed by law: set them to the retention
# the data controller has decided (docs/personal-data.md). Enforced nightly by the retention jobs.
PERSONAL_DATA_RETENTION_MONTHS = {
    # a feedback sender's name and contact, counted from the feedback's closure (answered or rejected)
    "feedback_sender": int(os.environ.get("KETNOI_RETAIN_FEEDBACK_SENDER_MONTHS", "24")),
    # the message of rejected feedback (never published), counted from the rejection
    "rejected_feedback_message": int(os.environ.get("KETNOI_RETAIN_REJECTED_FEEDBACK_MONTHS", "24")),
    # the message of feedback that came by SMS, messaging, a meeting or a call-in (never published),
    # counted from its answer or rejection (issue 8.9; a default, not a period fixed by law)
    "private_feedback_message": int(os.environ.get("KETNOI_RETAIN_PRIVATE_FEEDBACK_MONTHS", "24")),
    # a deactivated account's names, e-mail and phone, counted from its last sign-in (or creation)
    "closed_account": int(os.environ.get("KETNOI_RETAIN_CLOSED_ACCOUNT_MONTHS", "60")),
}
# Roles that must sign in with a second factor (TOTP, issue 10.3): on in the production profile.
TWO_FACTOR_REQUIRED_ROLES = _env_list(
    "KETNOI_TWO_FACTOR_ROLES", "system_admin,coordinator,auditor" if PRODUCTION else ""
)
OTP_TOTP_ISSUER = "Kết Nối"
DEBUG = _env_bool("DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "ninja",
    "ketnoi.core",
    "ketnoi.geo",
    "ketnoi.people",
    "ketnoi.orgs",
    "ketnoi.indicators",
    "ketnoi.programmes",
    "ketnoi.exchange",
    "ketnoi.inspections",
    "ketnoi.press",
    "ketnoi.incidents",
    "ketnoi.channels",
    "ketnoi.skills",
    "ketnoi.maps",
    "ketnoi.dhis2",
    "ketnoi.emulation",
    "ketnoi.notifications",
    "ketnoi.reports",
    "ketnoi.translation",
    "ketnoi.content",
    "ketnoi.portal",
    "ketnoi.inbox",
    "ketnoi.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML compressed for weak connections (whitenoise serves static files precompressed itself)
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ketnoi.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ketnoi.orgs.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketnoi.core.problems.ApiProblemMiddleware",
    "ketnoi.core.middleware.ConcurrentWriteMiddleware",
    "ketnoi.core.middleware.ActorMiddleware",
    "ketnoi.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "ketnoi.urls"

# The agency that owns the public portal (an Agency code; an agency that has ended is shown as its
# current successor) and the contact shown on every portal page (e-mail, phone or address; editable).
PORTAL_OWNER_AGENCY = os.environ.get("KETNOI_PORTAL_AGENCY", "BDTTG")
PORTAL_CONTACT = os.environ.get("KETNOI_PORTAL_CONTACT", "")
WSGI_APPLICATION = "ketnoi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketnoi.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# An empty DATABASE_URL means the embedded default, as an unset one does.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ketnoi.sqlite3'}"
# Persistent connections are checked before each request reuses them, so a PostgreSQL restart costs
# a reconnect, not a server error on every connection that was open (tests/e2e/test_deploy_stack.py).
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=0 if DATABASE_URL.startswith("sqlite") else 60, conn_health_checks=True
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the job worker read while one writes; IMMEDIATE transactions
    # take the write lock up front so concurrent writers wait (busy_timeout) instead of failing.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL;",
    }
_db["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME")} if os.environ.get("TEST_DATABASE_NAME") else {}
if _db["ENGINE"] == "django.db.backends.sqlite3" and not _db["TEST"]:
    # A test database in a file, not Django's shared-cache memory database: there, concurrent
    # connections fail at once with "database table is locked" instead of waiting, so the tests of
    # concurrent requests could not run as the product runs.
    import tempfile

    _db["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"ketnoi-test-{os.getpid()}.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A database cache is shared by every process (web workers, job worker) without a server.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ketnoi_cache"}}

# Tests run jobs inline unless a test starts a real consumer of its own.
HUEY_IMMEDIATE = _env_bool("HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("KETNOI_QUEUE_NAME", "ketnoi"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ketnoi",
        "filename": os.environ.get("KETNOI_QUEUE_FILE", str(VAR_DIR / "jobs.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        # an idle worker looks at the queue file at least every second (huey's default backs off to
        # 10 s): an emergency bulletin's push waits for it (docs/channels.md, "Device interface")
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ketnoi.orgs.backends.DemoPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = ["ketnoi.orgs.backends.GuardedModelBackend"]
# Sign-in throttling (ketnoi/core/ratelimit.py): progressive waits per account and address, never a
# lockout that a stranger could trigger for someone else. Wider counters for spraying and distributed
# guessing skip browsers that signed in to the account before.
LOGIN_THROTTLE = {
    "free_failures": int(os.environ.get("LOGIN_FREE_FAILURES", "3")),
    "account_free_failures": int(os.environ.get("LOGIN_ACCOUNT_FREE_FAILURES", "20")),
    "address_free_failures": int(os.environ.get("LOGIN_ADDRESS_FREE_FAILURES", "50")),
    "base_delay_seconds": int(os.environ.get("LOGIN_BASE_DELAY_SECONDS", "2")),
    "max_delay_seconds": int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "900")),
    "window_seconds": int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "3600")),
    "known_browser_days": int(os.environ.get("LOGIN_KNOWN_BROWSER_DAYS", "180")),
}
# Password-reset e-mails asked for from one address within an hour (more are silently not sent).
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "5"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3600 * 3)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English")), ("th", _("Thai"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["ketnoi.formats"]
LANGUAGE_COOKIE_NAME = "ketnoi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Vietnamese first: the interface starts in Vietnamese whatever the browser asks for, until the user
# picks a language (cookie). Set to true to follow the browser's Accept-Language instead.
KETNOI_FOLLOW_BROWSER_LANGUAGE = _env_bool("KETNOI_FOLLOW_BROWSER_LANGUAGE", False)

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "ketnoi.core.storage.CleanFileSystemStorage"},
    "staticfiles": {
        # fingerprinted names (style.3f2a….css) served with a one-year immutable cache, gzip and brotli
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Behind nginx: downloads answered with X-Accel-Redirect to this internal location, which nginx maps
# to MEDIA_ROOT (deploy/nginx/ketnoi.conf). Empty: the app sends the file itself.
DOWNLOAD_ACCEL_PREFIX = os.environ.get("KETNOI_ACCEL_REDIRECT_PREFIX", "")

# --- Uploads and imports ------------------------------------------------------------------
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploaded files (attachments, evidence, recordings) readable by the service and its group only,
# never by every account on the machine (issue 11.10).
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- API tokens ---------------------------------------------------------------------------
# Every token expires: at most this many days after it is made (docs/configuration.md).
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the mail server on connect and on each reply: a hung server fails the send
# (retried later) instead of holding a worker thread for ever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ketnoi@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}

# --- Product ------------------------------------------------------------------------------
KETNOI_SITE_NAME = "Kết Nối"
KETNOI_ESPEAK_BINARY = os.environ.get("ESPEAK_BINARY", "espeak-ng")
# Speech for the loudspeaker bulletins (docs/channels.md, "Speech").
KETNOI_FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "ffmpeg")
KETNOI_FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "ffprobe")
# Integrated loudness of a mastered bulletin (LUFS) and its true-peak ceiling (dBTP). -16 LUFS, not the
# -23 of EBU R128 broadcast: outdoor loudspeaker clusters play speech over street noise at a fixed
# amplifier setting; [M] set it to what the stations' other programme material is mastered to.
KETNOI_SPEECH_LOUDNESS = float(os.environ.get("KETNOI_SPEECH_LOUDNESS", "-16"))
KETNOI_SPEECH_TRUE_PEAK = float(os.environ.get("KETNOI_SPEECH_TRUE_PEAK", "-1.5"))
KETNOI_SPEECH_TIMEOUT_SECONDS = int(os.environ.get("KETNOI_SPEECH_TIMEOUT_SECONDS", "300"))
KETNOI_SPEECH_MAX_UPLOAD_SECONDS = int(os.environ.get("KETNOI_SPEECH_MAX_UPLOAD_SECONDS", str(30 * 60)))
KETNOI_SITE_URL = os.environ.get("KETNOI_SITE_URL", "")
NOTIFICATIONS_DUE_SOON_DAYS = int(os.environ.get("NOTIFICATIONS_DUE_SOON_DAYS", "7"))
NOTIFICATIONS_OVERDUE_LOOKBACK_DAYS = int(os.environ.get("NOTIFICATIONS_OVERDUE_LOOKBACK_DAYS", "60"))
NOTIFICATIONS_MAIL_BACKOFF_SECONDS = int(os.environ.get("NOTIFICATIONS_MAIL_BACKOFF_SECONDS", "60"))

# Machine translation (optional; docs/translation-memory.md): none | libretranslate | argos.
MT_PROVIDER = os.environ.get("MT_PROVIDER", "none")
MT_URL = os.environ.get("MT_URL", "")
MT_API_KEY = os.environ.get("MT_API_KEY", "")
MT_TIMEOUT = float(os.environ.get("MT_TIMEOUT", "10"))
TRANSLATION_IMPORT_MAX_BYTES = int(os.environ.get("TRANSLATION_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))

# Boundary import limits (docs/maps.md): a GeoJSON beyond them is refused before anything is written.
MAPS_MAX_FILE_BYTES = int(os.environ.get("MAPS_MAX_FILE_BYTES", str(150 * 1024 * 1024)))
MAPS_MAX_FEATURES = int(os.environ.get("MAPS_MAX_FEATURES", "5000"))
MAPS_MAX_VERTICES = int(os.environ.get("MAPS_MAX_VERTICES", "3000000"))
MAPS_MAX_FEATURE_VERTICES = int(os.environ.get("MAPS_MAX_FEATURE_VERTICES", "500000"))

# SMS and messaging adapters (optional; docs/channels.md, ketnoi/channels/senders/). Nothing set: none.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "")  # "" | smpp | http
SMS_BRAND_NAME = os.environ.get("SMS_BRAND_NAME", "")
# [M] Days to answer citizen feedback that has no topic yet (topics carry their own: inbox.Topic).
FEEDBACK_DEFAULT_DUE_DAYS = int(os.environ.get("KETNOI_FEEDBACK_DEFAULT_DUE_DAYS", "15"))
SMS_OPT_OUT_KEYWORDS = _env_list("SMS_OPT_OUT_KEYWORDS", "TU CHOI,HUY,STOP")  # [M] the operator's keywords
SMPP_HOST = os.environ.get("SMPP_HOST", "")
SMPP_PORT = int(os.environ.get("SMPP_PORT", "2775"))
SMPP_SYSTEM_ID = os.environ.get("SMPP_SYSTEM_ID", "")
SMPP_PASSWORD = os.environ.get("SMPP_PASSWORD", "")
SMPP_SYSTEM_TYPE = os.environ.get("SMPP_SYSTEM_TYPE", "")
SMPP_TIMEOUT = float(os.environ.get("SMPP_TIMEOUT", "10"))
SMPP_ENQUIRE_SECONDS = float(os.environ.get("SMPP_ENQUIRE_SECONDS", "30"))
SMPP_RECEIPT_TIME_ZONE = os.environ.get("SMPP_RECEIPT_TIME_ZONE", "")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_API_KEY = os.environ.get("SMS_HTTP_API_KEY", "")
SMS_HTTP_USERNAME = os.environ.get("SMS_HTTP_USERNAME", "")
SMS_HTTP_PASSWORD = os.environ.get("SMS_HTTP_PASSWORD", "")
SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "10"))
SMS_HTTP_ID_FIELD = os.environ.get("SMS_HTTP_ID_FIELD", "message_id")
SMS_HTTP_CALLBACK_TOKEN = os.environ.get("SMS_HTTP_CALLBACK_TOKEN", "")
ZALO_OA_ACCESS_TOKEN = os.environ.get("ZALO_OA_ACCESS_TOKEN", "")
ZALO_MODE = os.environ.get("ZALO_MODE", "cs")  # cs | zns
ZALO_API_URL = os.environ.get("ZALO_API_URL", "https://openapi.zalo.me")
ZALO_ZNS_URL = os.environ.get("ZALO_ZNS_URL", "https://business.openapi.zalo.me")
ZALO_ZNS_TEMPLATE_ID = os.environ.get("ZALO_ZNS_TEMPLATE_ID", "")
ZALO_ZNS_TEXT_PARAM = os.environ.get("ZALO_ZNS_TEXT_PARAM", "content")
ZALO_APP_ID = os.environ.get("ZALO_APP_ID", "")
ZALO_OA_SECRET_KEY = os.environ.get("ZALO_OA_SECRET_KEY", "")
ZALO_TIMEOUT = float(os.environ.get("ZALO_TIMEOUT", "10"))
ZALO_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("ZALO_WEBHOOK_TOLERANCE_SECONDS", "86400"))
WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "")
WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "")
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("WEBHOOK_TOLERANCE_SECONDS", "300"))

# Electronic bulletin boards (docs/channels.md, "Electronic bulletin boards").
BOARD_ROTATE_SECONDS = int(os.environ.get("BOARD_ROTATE_SECONDS", "15"))  # each bulletin stays this long
BOARD_POLL_SECONDS = int(os.environ.get("BOARD_POLL_SECONDS", "60"))  # the kiosk fetches its feed this often
# Evidence as indicators (docs/channels.md): feedback answered within this many days of being sent
# counts as answered on time. [M] no verified deadline in the domain notes: set the one that applies.
FEEDBACK_ANSWER_DAYS = int(os.environ.get("FEEDBACK_ANSWER_DAYS", "15"))
# Loudspeaker clusters and e-boards talking to Kết Nối (issue 8.5; docs/channels.md "Device interface").
DEVICE_CLOCK_SKEW_SECONDS = int(
    os.environ.get("DEVICE_CLOCK_SKEW_SECONDS", "600")
)  # a device clock ahead by more: refused
DEVICE_LOG_MAX_AGE_DAYS = int(os.environ.get("DEVICE_LOG_MAX_AGE_DAYS", "30"))  # a play log older than this: refused
DEVICE_LOG_BATCH_MAX = int(os.environ.get("DEVICE_LOG_BATCH_MAX", "500"))
DEVICE_MAX_BODY_BYTES = int(os.environ.get("DEVICE_MAX_BODY_BYTES", str(256 * 1024)))
DEVICE_OFFLINE_MINUTES = int(os.environ.get("DEVICE_OFFLINE_MINUTES", "15"))  # no heartbeat for longer: offline
DEVICE_SSE_SECONDS = float(os.environ.get("DEVICE_SSE_SECONDS", "300"))  # one event stream's lifetime
DEVICE_SSE_POLL_SECONDS = float(os.environ.get("DEVICE_SSE_POLL_SECONDS", "1"))
MQTT_URL = os.environ.get("MQTT_URL", "")  # mqtt://user:password@host:1883 or mqtts://…; empty: no broker (SSE only)
MQTT_TOPIC_ROOT = os.environ.get("MQTT_TOPIC_ROOT", "ketnoi")
MQTT_TIMEOUT = float(os.environ.get("MQTT_TIMEOUT", "10"))
# Analytics (issue 9.2): how a legacy commune's values are split between the current communes it
# was divided into — the first rule of this list that can be applied to the commune is used
# (population: the parts' population; area: the parts' area; equal: equal shares; main: all to the
# main successor). Each aggregate records the rules it used. See docs/analytics.md.
ANALYTICS_SPLIT_RULES = _env_list("KETNOI_ANALYTICS_SPLIT_RULES", "population,area,equal")
