"""Configuration from REGISTRY_* environment variables, with embedded defaults under instance/."""
import os
from pathlib import Path

#: The key shipped for development; create_app refuses it outside debug and testing.
DEFAULT_SECRET_KEY = "dev-only-not-secret"

LANGUAGES = ("en", "km", "my")


#: Settings with a default in Config that an environment variable of the same name overrides.
TUNABLE = {"REGISTRY_LIMIT_VERIFY": str, "REGISTRY_LIMIT_BULK": str,
           "REGISTRY_LIMIT_SEARCH": str, "REGISTRY_LIMIT_OPEN_DATA": str, "REGISTRY_LIMIT_SIGN_IN": str,
           "REGISTRY_LIMIT_MESSAGES": str,
           "REGISTRY_OUTBOX_POLL_SECONDS": float, "REGISTRY_READY_MAX_LAG": int,
           "REGISTRY_MAX_UPLOAD_ROWS": int, "REGISTRY_PAGE_CACHE_BYTES": int}


def from_environment(instance_path):
    env = os.environ.get
    tuned = {name: kind(os.environ[name]) for name, kind in TUNABLE.items() if name in os.environ}
    return tuned | {
        "SECRET_KEY": env("REGISTRY_SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env(
            "REGISTRY_DATABASE_URL",
            "sqlite:///" + os.path.join(instance_path, "registry.sqlite3"),
        ),
        "REGISTRY_INDEX_DIR": env("REGISTRY_INDEX_DIR", os.path.join(instance_path, "index")),
        "REGISTRY_COUNTRY": env("REGISTRY_COUNTRY", "KH").upper(),
        # How many proxies (nginx...) stand in front: their X-Forwarded-For gives the address
        # that sign-in limits count. 0 trusts no header.
        "REGISTRY_PROXY_COUNT": int(env("REGISTRY_PROXY_COUNT", "0") or 0),
        # The ministry's own profile file (hotline, address...), replacing the shipped example.
        "REGISTRY_COUNTRY_PROFILE": env("REGISTRY_COUNTRY_PROFILE", ""),
        # Receipts are signed with this Ed25519 key; generated on first use if absent.
        "REGISTRY_SIGNING_KEY_FILE": env(
            "REGISTRY_SIGNING_KEY_FILE", os.path.join(instance_path, "receipt-signing-key.pem")
        ),
        # Signed checkpoints of the audit chain, appended after every audited commit: a file
        # outside the database (docs/admin.md).
        "REGISTRY_CHECKPOINT_LOG": env(
            "REGISTRY_CHECKPOINT_LOG", os.path.join(instance_path, "audit-checkpoints.log")
        ),
        # Where rate-limit counters live: redis://host:6379/0 shares them between workers and
        # nodes; memory:// keeps them per worker process.
        "RATELIMIT_STORAGE_URI": env("REGISTRY_RATELIMIT_STORAGE_URL", "") or "memory://",
        # The site's public address: the only source of absolute URLs in what it signs and
        # publishes.
        "REGISTRY_BASE_URL": env("REGISTRY_BASE_URL", "").rstrip("/"),
        # Other Host headers to answer besides the base URL's (e.g. a load balancer's checks).
        "REGISTRY_TRUSTED_HOSTS": env("REGISTRY_TRUSTED_HOSTS", ""),
        # The messaging doors (docs/messaging.md): each is closed (404) until its secret is set.
        "REGISTRY_SMS_SECRET": env("REGISTRY_SMS_SECRET", ""),
        "REGISTRY_TELEGRAM_TOKEN": env("REGISTRY_TELEGRAM_TOKEN", ""),
        "REGISTRY_TELEGRAM_SECRET": env("REGISTRY_TELEGRAM_SECRET", ""),
        "REGISTRY_VIBER_TOKEN": env("REGISTRY_VIBER_TOKEN", ""),
    }


class Config:
    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = "en"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = not os.environ.get("REGISTRY_INSECURE_COOKIES")
    WTF_CSRF_TIME_LIMIT = 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    #: How often (seconds) a worker looks for index work other processes left in the outbox.
    REGISTRY_OUTBOX_POLL_SECONDS = 2.0
    RESULTS_PER_PAGE = 20
    #: Bytes of rendered public answers each worker keeps (pagecache.py; 0: none). Pages weigh
    #: about 10 KB: some 2,000 of them.
    REGISTRY_PAGE_CACHE_BYTES = 20 * 1024 * 1024
    #: The web upload's largest import, in rows: it must finish well inside gunicorn's timeout
    #: (about 500 rows a second on a small server; bench/import.py). Larger ones: the CLI.
    REGISTRY_MAX_UPLOAD_ROWS = 5000
    #: Rate limits (limits.py): on, except in the tests that are not about them.
    RATELIMIT_ENABLED = True
    RATELIMIT_KEY_PREFIX = "registry"
    #: Per visitor address (docs/operations.md). A check writes a receipt: 60 a minute lets a
    #: broadcaster's desk check an advertiser a second, hundreds in an evening.
    REGISTRY_LIMIT_VERIFY = "60 per minute;1000 per hour"
    #: A bulk check (up to 500 numbers) writes a receipt for each: an ad desk's lists of the
    #: day, not a mirror of the registry (the open data is for that).
    REGISTRY_LIMIT_BULK = "20 per hour;100 per day"
    #: Searches are cheap, and a whole village behind one mobile carrier's address shares it.
    REGISTRY_LIMIT_SEARCH = "300 per minute"
    REGISTRY_LIMIT_OPEN_DATA = "20 per minute"
    #: Sign-in forms, besides the per-account delays of services.logins.
    REGISTRY_LIMIT_SIGN_IN = "30 per minute"
    #: Per sender of text messages (SMS, Telegram, Viber), counted by a keyed hash of the sender:
    #: a migrant checks a few agencies, a broker's phone does not get to query the registry.
    REGISTRY_LIMIT_MESSAGES = "10 per hour;40 per day"
    #: /readyz fails when this node's index is further behind the outbox than this.
    REGISTRY_READY_MAX_LAG = 100

#: The catalogs as translators write them (.po); compiled at start (i18n.compile_catalogs).
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
