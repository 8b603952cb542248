"""Fixtures: a migrated database (SQLite, or PostgreSQL when REGISTRY_TEST_DATABASE_URL names
one), a Whoosh index on disk per test, and CSV folders written through the real import."""
import csv
import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
from registry.services.import_rows import FILES
from registry.services.imports import import_folder
from registry.services.agencies import profile

POSTGRES_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
# Keep everything the app writes beside its instance (open-data archives, keys) out of the repo.
os.environ["REGISTRY_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="registry-tests-")


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


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
        "REGISTRY_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "registry.test",
        "REGISTRY_OUTBOX_POLL_SECONDS": 0,
    })
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


@pytest.fixture
def load(app, tmp_path):
    """load(agencies=[...], sanctions=[...], complaints=[...]) imports through the service."""
    counter = iter(range(10**6))

    def load(**files):
        folder = write_folder(tmp_path / f"import-{next(counter)}", **files)
        with app.app_context():
            return import_folder(folder, profile(), "test")
    return load
