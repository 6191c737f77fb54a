"""Settings from the environment. Secrets never live in code.

With nothing set, the platform runs on its embedded default: a SQLite file in
the instance folder, background jobs in-process, e-mails kept in the outbox.
"""

import os
from datetime import timedelta


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name, default):
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


class Config:
    # Production (a DATABASE_URL other than SQLite) refuses to start without it;
    # the embedded default keeps one in the instance folder (create_app), so
    # every process of this installation signs with the same key.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None

    # None means "a SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # RQ; without it jobs run in-process.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "ceris")
    JOB_RETRY_INTERVALS = [10, 60, 300, 900, 3600]
    # Every `jobs worker` queues again, this often, work left waiting in the
    # database with no job in Redis (written while Redis was down); 0: never.
    SWEEP_INTERVAL_SECONDS = _int("SWEEP_INTERVAL_SECONDS", 60)

    # Outgoing mail (SMTP). Without MAIL_SERVER, e-mails stay in the outbox
    # and admins read them on the outbox page.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CERIS Exchange <no-reply@ceris.example.eu>")
    # Absolute links in e-mails, never taken from the request (its Host header
    # is the sender's to choose). Required in production; the embedded default
    # uses the address it serves on, http://127.0.0.1:PORT.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    PORT = _int("PORT", 5000)
    # How many proxies (load balancers) stand in front of the app and append to
    # X-Forwarded-For / X-Forwarded-Proto. 0: those headers are ignored, as
    # anyone could send them.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    # Accounts
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    INVITATION_MAX_AGE = _int("INVITATION_MAX_AGE", 7 * 24 * 3600)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 10)
    # werkzeug's scrypt by default; the test suite uses a cheaper pbkdf2 round count.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    # Failed sign-ins allowed per minute, per address and per account at one
    # address, for the login form and the token endpoint alike.
    LOGIN_FAILURES_PER_MINUTE = _int("LOGIN_FAILURES_PER_MINUTE", 10)
    # Failures on one account from many addresses never lock it (its owner
    # must still get in): they slow its sign-ins, up to this many seconds.
    LOGIN_ACCOUNT_MAX_DELAY = _float("LOGIN_ACCOUNT_MAX_DELAY", 3.0)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True

    # Requests
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)
    API_MAX_JSON_BYTES = _int("API_MAX_JSON_BYTES", 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead

    # Languages: the 24 official languages of the EU.
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")
    LANGUAGES = [
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fi",
        "fr",
        "ga",
        "hr",
        "hu",
        "it",
        "lt",
        "lv",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "sl",
        "sv",
    ]

    # Workflow and review defaults used by later features.
    REVIEWERS_PER_CONTRIBUTION = _int("REVIEWERS_PER_CONTRIBUTION", 2)
    MIN_REVIEWS = _int("MIN_REVIEWS", 2)
    REVIEW_DUE_DAYS = _int("REVIEW_DUE_DAYS", 14)

    # Attachments: stored outside the static folder, checked by content.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or None  # None: instance/uploads
    MAX_ATTACHMENT_BYTES = _int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)

    # Published report files (HTML, PDF, JSON), never overwritten.
    REPORTS_FOLDER = os.environ.get("REPORTS_FOLDER") or None  # None: instance/reports
    # "Stay tuned" confirmation links stay valid this long (seconds).
    SUBSCRIPTION_CONFIRM_MAX_AGE = _int("SUBSCRIPTION_CONFIRM_MAX_AGE", 3 * 24 * 3600)

    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")


class TestConfig(Config):
    TESTING = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method, fast for tests
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # The account delay is real but short, so that tests of it stay quick.
    LOGIN_ACCOUNT_MAX_DELAY = 0.02
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_DATABASE_URI = None
    REDIS_URL = None
    MAIL_SERVER = None
