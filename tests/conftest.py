"""Fixtures: a migrated database (SQLite, or PostgreSQL when REGISTRY_TEST_DATABASE_URL names
one), a Whoosh index on disk per test, and CSV folders written through the real import."""
import csv
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from jinja2 import FileSystemBytecodeCache

from registry import create_app, limits
from registry.config import TRANSLATIONS
from registry.extensions import db
from registry.i18n import compile_catalogs
from registry.models import User
from registry.services import users
from registry.services.import_rows import FILES
from registry.services.imports import import_folder
from registry.services.agencies import profile

POSTGRES_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
# Keep everything the app writes beside its instance (open-data archives, keys) out of the repo.
os.environ["REGISTRY_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="registry-tests-")


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """argon2id with the smallest cost: the tests create hundreds of accounts. (The timing
    test of sign-in puts the real cost back.)"""
    from argon2 import PasswordHasher
    from registry.services import passwords
    real = passwords.hasher, passwords.DUMMY_HASH
    passwords.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords.DUMMY_HASH = passwords.hasher.hash("an account that does not exist")
    yield
    passwords.hasher, passwords.DUMMY_HASH = real


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if POSTGRES_URL:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "registry.sqlite3")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "REGISTRY_INDEX_DIR": str(tmp_path_factory.mktemp("index0"))})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def empty_all_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            quote = db.engine.dialect.identifier_preparer.quote  # "user" is a reserved word
            names = ", ".join(quote(t.name) for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


#: The shipped country profiles. A test of something that depends on the profile (regions,
#: phones, default language, digits, demo data, search) runs under each: @BOTH_COUNTRIES.
COUNTRIES = ("KH", "MM")
BOTH_COUNTRIES = pytest.mark.parametrize("country", COUNTRIES)


@pytest.fixture
def country():
    """The country profile of `app`: Cambodia's unless a test parametrizes it."""
    return "KH"


@pytest.fixture(scope="session")
def compiled_catalogs(tmp_path_factory):
    return compile_catalogs(TRANSLATIONS, tmp_path_factory.mktemp("catalogs"))


@pytest.fixture(scope="session")
def template_bytecode(tmp_path_factory):
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("templates")))


@pytest.fixture
def app(database_url, tmp_path, monkeypatch, country, compiled_catalogs, template_bytecode):
    # Each test's own instance folder: open-data archives, compiled catalogs. The catalogs
    # start as a copy of those compiled once (with their times, so that the app finds them
    # up to date, as a restarted registry does), and templates compiled by an earlier test are
    # read back from Jinja's bytecode cache: each saves about 0.1 s a test.
    monkeypatch.setenv("REGISTRY_INSTANCE_DIR", str(tmp_path / "instance"))
    shutil.copytree(compiled_catalogs, tmp_path / "instance" / "translations")
    app = create_app({
        "TESTING": True,
        "REGISTRY_COUNTRY": country,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
        "REGISTRY_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
        "REGISTRY_CHECKPOINT_LOG": str(tmp_path / "audit-checkpoints.log"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "registry.test",
        "REGISTRY_OUTBOX_POLL_SECONDS": 0,
        # Tests of the limits (test_limits.py) switch them on; elsewhere a test may search a lot.
        "RATELIMIT_ENABLED": False,
    })
    app.jinja_env.bytecode_cache = template_bytecode
    with app.app_context():
        empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser that prefers English unless a test says otherwise (the country default,
    Khmer, is what a visitor with no preference gets: tests of that send their own header)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def write_folder(folder, **files):
    """write_folder(dir, agencies=[{...}], sanctions=[...]) writes CSVs with all known columns."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for key, rows in files.items():
        name = f"{key}.csv"
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=FILES[name])
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
    return folder


def agency_row(number, name_en, issued="2025-01-01", expires="2027-12-31", **extra):
    return {"licence_number": number, "name_en": name_en, "licence_issued_on": issued,
            "licence_expires_on": expires, **extra}


#: The approver named for historic loads in tests (created when a test loads decided sanctions).
HISTORIC_APPROVER = "historic.approver@ministry.test"


def historic_approver():
    if not db.session.scalar(sa.select(User.id).where(User.email == HISTORIC_APPROVER)):
        users.create_user(HISTORIC_APPROVER, "approver", "an approver of decided sanctions",
                          "test")
    return HISTORIC_APPROVER


@pytest.fixture
def load(app, tmp_path):
    """load(agencies=[...], sanctions=[...], complaints=[...]) imports through the service.
    Sanctions with a decided state are loaded as a historic load (`--approved-by`)."""
    counter = iter(range(10**6))

    def load(**files):
        folder = write_folder(tmp_path / f"import-{next(counter)}", **files)
        decided = any(row.get("state") not in (None, "", "pending")
                      for row in files.get("sanctions", ()))
        with app.app_context():
            return import_folder(folder, profile(), "test",
                                 approved_by=historic_approver() if decided else None)
    return load


@contextmanager
def limits_on(app, **settings):
    """Rate limits on, with `settings` (REGISTRY_LIMIT_…), for the block: elsewhere tests run
    without them (the `app` fixture)."""
    app.config.update(RATELIMIT_ENABLED=True, **settings)
    with app.app_context():
        limits.reset()
    try:
        yield app
    finally:
        app.config["RATELIMIT_ENABLED"] = False
