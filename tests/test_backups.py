"""flask backup / restore: a backup restored into a fresh database gives the same registry,
checked by row counts, the audit chain and the search index (SQLite and PostgreSQL)."""
import json
import uuid

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.extensions import db

from .conftest import POSTGRES_URL, agency_row


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the kind the suite runs on."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path}/restored.sqlite3"
        return
    name = f"registry_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def other_app(url, tmp_path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "REGISTRY_INDEX_DIR": str(tmp_path / "restored-index"),
                       "REGISTRY_CHECKPOINT_LOG": str(tmp_path / "restored-checkpoints.log"),
                       "REGISTRY_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
                       "SERVER_NAME": "registry.test", "RATELIMIT_ENABLED": False})


def test_a_backup_restores_into_a_fresh_database(app, runner, client, load, tmp_path,
                                                 fresh_database):
    load(agencies=[agency_row("KH-B-1", "Backed Up Agency", name_km="ភ្នាក់ងារ បម្រុង"),
                   agency_row("KH-B-2", "Second Agency")],
         sanctions=[{"licence_number": "KH-B-1", "kind": "suspension",
                     "decided_on": "2026-01-01", "decision_ref": "Prakas 8/2026",
                     "state": "in_force"}],
         complaints=[{"licence_number": "KH-B-1", "received_on": "2026-02-01",
                      "complainant_name": "Private Person"}])
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "the copy reads back" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"]["agency"] == 2 and manifest["tables"]["complaint_private"] == 1
    again = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert again.exit_code != 0 and "already exists" in again.output

    original = client.get("/api/v1/agencies/KH-B-1").json
    restored_app = other_app(fresh_database, tmp_path)
    restored = restored_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert "Audit chain intact" in restored.output and "Search index rebuilt: 2" in \
        restored.output
    other = restored_app.test_client()
    assert other.get("/api/v1/agencies/KH-B-1").json == original
    assert other.get("/api/v1/search?q=backed").json["total"] == 1
    with restored_app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM complaint_private")).scalar() == 1
        refused = restored_app.test_cli_runner().invoke(args=["restore",
                                                              str(tmp_path / "backup")])
        assert refused.exit_code != 0 and "not empty" in refused.output
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path):
    (tmp_path / "junk").mkdir()
    result = runner.invoke(args=["restore", str(tmp_path / "junk")])
    assert result.exit_code != 0 and "not a registry backup" in result.output


@pytest.fixture
def backed_up(app, runner, load, tmp_path, fresh_database):
    load(agencies=[agency_row("KH-B-1", "Backed Up Agency")])
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    restored_app = other_app(fresh_database, tmp_path)
    yield tmp_path / "backup", restored_app
    with restored_app.app_context():
        db.session.remove()
        db.engine.dispose()


def restore(restored_app, folder):
    return restored_app.test_cli_runner().invoke(args=["restore", str(folder)])


def test_a_restore_that_does_not_match_the_manifest_is_reported(backed_up):
    folder, restored_app = backed_up
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["agency"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = restore(restored_app, folder)
    assert result.exit_code != 0 and "does not match the backup's manifest (agency)" in \
        result.output


def test_a_backup_of_another_kind_of_database_is_refused(backed_up):
    folder, restored_app = backed_up
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["dialect"] = "oracle"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = restore(restored_app, folder)
    assert result.exit_code != 0 and "This backup is of a oracle database" in result.output


def test_a_restored_chain_that_its_checkpoints_contradict_is_reported(backed_up):
    folder, restored_app = backed_up
    log = folder / "audit-checkpoints.log"
    lines = log.read_text().split("\n")
    lines[1] = str(int(lines[1]) - 1)  # a size the signature does not cover
    log.write_text("\n".join(lines))
    result = restore(restored_app, folder)
    assert result.exit_code != 0 and "audit log does not verify" in result.output
