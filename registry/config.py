"""Configuration from REGISTRY_* environment variables, with embedded defaults under instance/."""
import os
from pathlib import Path

#: The key shipped for development; create_app refuses it outside debug and testing.
DEFAULT_SECRET_KEY = "dev-only-not-secret"

LANGUAGES = ("en", "km", "my")


def from_environment(instance_path):
    env = os.environ.get
    return {
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
        # The site's public address: the only source of absolute URLs in what it signs and
        # publishes.
        "REGISTRY_BASE_URL": env("REGISTRY_BASE_URL", "").rstrip("/"),
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

#: Flask-Babel resolves relative paths against the package, so this one is absolute.
ROOT_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
