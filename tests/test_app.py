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


def test_a_setting_under_its_former_name_is_named_at_start(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("REGISTRY_PAGE_CACHE_SIZE", "0")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "ix")})
    assert "REGISTRY_PAGE_CACHE_SIZE is no longer read: set REGISTRY_PAGE_CACHE_BYTES" in \
        caplog.text
    assert app.config["REGISTRY_PAGE_CACHE_BYTES"] > 0


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


def test_existing_agencies_and_sanctions_get_public_ids_on_upgrade(tmp_path):
    """Issue 15's migration fills the new ids for the rows already there, all different."""
    import re
    from flask_migrate import upgrade
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index")})
    with app.app_context():
        upgrade(revision="3c9a1f4e7b20")
        with db.engine.begin() as conn:
            for i in (1, 2):
                conn.exec_driver_sql(
                    "INSERT INTO agency (id, name_en, name_km, name_my, aliases, address_en,"
                    " address_km, address_my, email, website, destinations, created_at,"
                    " updated_at, version) VALUES (?, 'Old', '', '', '[]', '', '', '', '', '',"
                    " '[]', '2026-01-01', '2026-01-01', 1)", (i,))
                conn.exec_driver_sql(
                    "INSERT INTO sanction (id, agency_id, kind, decided_on, effective_from,"
                    " currency, reason_en, reason_km, reason_my, decision_ref, state, drafted_by,"
                    " editors, created_at, updated_at, version) VALUES (?, ?, 'warning',"
                    " '2026-01-01', '2026-01-01', '', '', '', '', ?, 'in_force', 'a@b.c',"
                    " '[]', '2026-01-01', '2026-01-01', 1)", (i, i, f"P {i}"))
        upgrade()
        with db.engine.connect() as conn:
            agencies = conn.exec_driver_sql("SELECT public_id FROM agency").scalars().all()
            sanctions = conn.exec_driver_sql("SELECT public_id FROM sanction").scalars().all()
        db.engine.dispose()
    assert len(set(agencies)) == 2 and all(re.fullmatch(r"AG-\w{10}", i) for i in agencies)
    assert len(set(sanctions)) == 2 and all(re.fullmatch(r"SN-\w{10}", i) for i in sanctions)


def test_existing_agencies_get_when_they_last_changed_on_upgrade(tmp_path):
    """Issue 15's changed_at: the newest of the agency's own edit, its published sanctions'
    last change and its last index work; a draft sanction's change is not public."""
    from datetime import datetime
    from flask_migrate import downgrade, upgrade
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index")})
    with app.app_context():
        upgrade(revision="7d41c2a9e5b3")
        with db.engine.begin() as conn:
            for i in (1, 2, 3):
                conn.exec_driver_sql(
                    "INSERT INTO agency (id, public_id, name_en, name_km, name_my, aliases,"
                    " address_en, address_km, address_my, email, website, destinations,"
                    " created_at, updated_at, version) VALUES (?, ?, 'Old', '', '', '[]', '', '',"
                    " '', '', '', '[]', '2026-01-01 00:00:00', '2026-01-02 00:00:00', 1)",
                    (i, f"AG-000000000{i}"))
            for i, agency, state, at in ((1, 1, "in_force", "2026-03-01 10:00:00"),
                                         (2, 1, "pending", "2026-05-01 00:00:00"),
                                         (3, 3, "overturned", "2026-02-01 00:00:00")):
                conn.exec_driver_sql(
                    "INSERT INTO sanction (id, public_id, agency_id, kind, decided_on,"
                    " effective_from, currency, reason_en, reason_km, reason_my, decision_ref,"
                    " state, drafted_by, editors, created_at, updated_at, version) VALUES"
                    " (?, ?, ?, 'warning', '2026-01-01', '2026-01-01', '', '', '', '', ?, ?,"
                    " 'a@b.c', '[]', '2026-01-01', ?, 1)",
                    (i, f"SN-000000000{i}", agency, f"P {i}", state, at))
            conn.exec_driver_sql("INSERT INTO index_outbox (agency_id, created_at) VALUES"
                                 " (3, '2026-04-01 00:00:00'), (9, '2026-06-01 00:00:00')")
        upgrade()
        with db.engine.connect() as conn:
            stamped = dict(conn.exec_driver_sql("SELECT id, changed_at FROM agency").all())
        assert {i: datetime.fromisoformat(str(at)) for i, at in stamped.items()} == {
            1: datetime(2026, 3, 1, 10), 2: datetime(2026, 1, 2), 3: datetime(2026, 4, 1)}
        downgrade(revision="7d41c2a9e5b3")
        with db.engine.connect() as conn:
            columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(agency)")]
        db.engine.dispose()
    assert "changed_at" not in columns and "public_id" in columns


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
