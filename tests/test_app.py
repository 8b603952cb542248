"""Configuration, start-up and the database schema."""
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry import ConfigurationError, create_app
from registry.extensions import db


def test_refuses_to_start_in_production_with_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    monkeypatch.setenv("REGISTRY_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigurationError, match="REGISTRY_SECRET_KEY"):
        create_app()
    assert create_app({"TESTING": True}).testing


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REGISTRY_BASE_URL", "https://registry.example.gov/")
    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("REGISTRY_INDEX_DIR", str(tmp_path / "ix"))
    monkeypatch.setenv("REGISTRY_COUNTRY", "mm")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.db")
    assert app.config["REGISTRY_INDEX_DIR"] == str(tmp_path / "ix")
    assert app.config["REGISTRY_COUNTRY"] == "MM"
    assert app.config["REGISTRY_BASE_URL"] == "https://registry.example.gov"
    assert app.config["TRUSTED_HOSTS"] == ["registry.example.gov"]


@pytest.mark.parametrize("base, message", [
    ("", "REGISTRY_BASE_URL is not set"),
    ("registry.example.gov", "the site's address"),
    ("ftp://registry.example.gov", "the site's address"),
    ("https://registry.example.gov/?x=1", "query"),
])
def test_refuses_to_start_without_a_usable_base_url(monkeypatch, tmp_path, base, message):
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REGISTRY_BASE_URL", base)
    with pytest.raises(ConfigurationError, match=message):
        create_app()


def test_an_unknown_country_profile_stops_start_up(monkeypatch):
    monkeypatch.setenv("REGISTRY_COUNTRY", "XX")
    with pytest.raises(ValueError, match="KH or MM"):
        create_app({"TESTING": True})


def test_migrations_build_exactly_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], "models changed without a migration: flask db migrate"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/wal.db"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_db_upgrade_command_builds_a_fresh_database(tmp_path):
    env = {"REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db",
           "REGISTRY_INSTANCE_DIR": str(tmp_path), "REGISTRY_SECRET_KEY": "t" * 40,
           "REGISTRY_BASE_URL": "https://registry.example.gov",
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "db",
                             "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Running upgrade" in result.stderr
