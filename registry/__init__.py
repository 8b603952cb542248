"""Recruitment Agency Registry: create_app() builds the Flask application."""
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import countries, limits, pagecache, search, urls
from .config import DEFAULT_SECRET_KEY, Config, from_environment
from .extensions import babel, csrf, db, migrate

#: Everything the app reads at run time (migrations, catalogs, demo data, templates) is inside
#: the package, so any install (pip install ., a wheel) has it without the source tree.
PACKAGE = Path(__file__).resolve().parent


#: Settings that a deployment may still set under their former names.
RENAMED = {"REGISTRY_PAGE_CACHE_SIZE": "REGISTRY_PAGE_CACHE_BYTES (0 turns the cache off)"}


class ConfigurationError(RuntimeError):
    pass


def create_app(test_config=None):
    # Without REGISTRY_INSTANCE_DIR, Flask's own default: instance/ beside the package in a
    # source checkout, <prefix>/var/registry-instance when installed.
    app = Flask(__name__, instance_path=os.environ.get("REGISTRY_INSTANCE_DIR") or None,
                instance_relative_config=True)
    app.config.from_object(Config)
    app.config.update(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    _check_config(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A database server may drop an idle connection (a restart, a failover), so each is
        # tried before use; a file never does, and the try cost a check a few per cent.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "pool_pre_ping": False}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    for old, new in RENAMED.items():
        if old in os.environ:
            logging.getLogger(__name__).warning("%s is no longer read: set %s instead", old, new)

    from .i18n import init_app as init_i18n
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"))
    init_i18n(app, babel)
    csrf.init_app(app)
    limits.init_app(app)
    search.init_app(app)
    pagecache.init_app(app)

    from . import admin, api, auth, health, messaging, public, web
    from .cli import init_app as init_cli
    auth.init_app(app)
    for blueprint in (*public.blueprints, *admin.blueprints):
        app.register_blueprint(blueprint)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(messaging.bp)
    csrf.exempt(api.bp)
    csrf.exempt(messaging.bp)
    messaging.init_app(app)
    web.init_app(app)
    if app.config["REGISTRY_PROXY_COUNT"]:
        count = app.config["REGISTRY_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    init_cli(app)
    return app


def _check_config(app):
    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise ConfigurationError(
            "REGISTRY_SECRET_KEY is not set. Set it to a long random value, e.g. "
            "export REGISTRY_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            " (the built-in key is only for `make run` and tests).")
    countries.for_config(app.config)  # fail at start on an unknown profile
    base = app.config["REGISTRY_BASE_URL"]
    if not base and not (app.debug or app.testing):
        raise ConfigurationError(
            "REGISTRY_BASE_URL is not set. Set it to the site's public address, e.g. "
            "export REGISTRY_BASE_URL=https://registry.example.gov (receipts, QR codes, feeds "
            "and open data take their links from it, never from the request).")
    if base:
        problem = urls.check_base_url(base)
        if problem:
            raise ConfigurationError(f"REGISTRY_BASE_URL={base}: {problem}.")
        # Werkzeug refuses (400) a request whose Host header is not one of these.
        app.config["TRUSTED_HOSTS"] = urls.trusted_hosts(app.config)
        app.config["PREFERRED_URL_SCHEME"] = urlsplit(base).scheme


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL: readers never wait for the writer; busy_timeout: writers queue instead of failing.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Every commit on disk before it returns, however SQLite was built (receipts may ask
        # for less: services/verification.py).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
