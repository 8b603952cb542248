"""Backups that say what they hold, and restores that prove they worked.

A backup is a folder: the database (SQLite's online backup API, or `pg_dump --format=custom`
from one snapshot), a copy of the audit checkpoint log, and `manifest.json` with the row count
of every table and the audit chain's head, read from the same snapshot as the copy. A restore
loads it into an empty database, then checks the row counts against the manifest, walks the
audit chain against the backup's checkpoints and rebuilds this node's search index.
"""
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, func, inspect, select, text

from ..extensions import db
from ..models import AuditEntry
from . import ServiceError, audit, checkpoints

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
POSTGRES_DUMP = "database.dump"
CHECKPOINTS_COPY = "audit-checkpoints.log"


@dataclass
class Restored:
    tables: dict
    audit_entries: int
    checkpoints: int
    indexed: int


def _tables():
    return sorted(table.name for table in db.metadata.sorted_tables)


def _counts(connection):
    quote = connection.dialect.identifier_preparer.quote
    counts = {name: connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar()
              for name in _tables()}
    last = connection.execute(select(AuditEntry.seq, AuditEntry.hash)
                              .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return counts, {"entries": last.seq if last else 0,
                    "head": last.hash if last else audit.GENESIS}


def _libpq_url():  # pragma: no cover - run by the PostgreSQL pass of the suite
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command):  # pragma: no cover - run by the PostgreSQL pass of the suite
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise ServiceError(_l("%(command)s failed: %(error)s", command=command[0],
                              error=result.stderr.strip()[-500:]))
    return result


def backup(destination):
    """Write a backup folder (which must not exist yet); return its manifest."""
    destination = Path(destination)
    if destination.exists():
        raise ServiceError(_l("%(path)s already exists: give a new folder for the backup.",
                              path=str(destination)))
    destination.mkdir(parents=True)
    dialect = db.engine.dialect.name
    copy = _copy_sqlite if dialect == "sqlite" else _dump_postgresql
    counts, head = copy(destination)
    log = checkpoints.log_path()
    if log.is_file():
        shutil.copy2(log, destination / CHECKPOINTS_COPY)
    manifest = {"format": 1, "dialect": dialect,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tables": counts, "audit": head}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _copy_sqlite(destination):
    copy = destination / SQLITE_COPY
    with db.engine.connect() as source:
        target = sqlite3.connect(copy)
        source.connection.driver_connection.backup(target)  # a consistent online copy
        target.close()
    engine = create_engine(f"sqlite:///{copy}")
    with engine.connect() as connection:
        counts, head = _counts(connection)
        intact = connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    if not intact:  # pragma: no cover - a copy made by SQLite itself; checked all the same
        raise ServiceError(_l("The copy failed SQLite's integrity check."))
    return counts, head


def _dump_postgresql(destination):  # pragma: no cover - run by the PostgreSQL pass of the suite
    with db.engine.connect() as connection:
        # Count and dump from one snapshot, so the manifest describes the dump exactly.
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
        counts, head = _counts(connection)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}",
              f"--file={destination / POSTGRES_DUMP}", _libpq_url()])
        connection.rollback()
    _run(["pg_restore", "--list", str(destination / POSTGRES_DUMP)])  # readable
    return counts, head


def _load_sqlite(source):
    db.engine.dispose()
    backup_copy = sqlite3.connect(source / SQLITE_COPY)
    target = sqlite3.connect(db.engine.url.database)
    backup_copy.backup(target)
    target.close()
    backup_copy.close()


def _load_postgresql(source):  # pragma: no cover - run by the PostgreSQL pass of the suite
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          f"--dbname={_libpq_url()}", str(source / POSTGRES_DUMP)])


def _empty():
    with db.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        return "audit_entry" not in names or not connection.execute(
            select(func.count()).select_from(AuditEntry)).scalar()


def restore(source, progress=None):
    """Load a backup folder into this registry's database, which must be empty; check it."""
    from .. import search  # search builds on the services
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        raise ServiceError(_l("%(path)s is not a registry backup (no readable manifest.json).",
                              path=str(source))) from None
    dialect = db.engine.dialect.name
    if manifest.get("dialect") != dialect:
        raise ServiceError(_l("This backup is of a %(backup)s database; this registry uses "
                              "%(here)s.", backup=manifest.get("dialect"), here=dialect))
    if not _empty():
        raise ServiceError(_l("The database is not empty: restore into a new, empty "
                              "database (then point REGISTRY_DATABASE_URL at it)."))
    db.session.remove()
    (_load_sqlite if dialect == "sqlite" else _load_postgresql)(source)
    with db.engine.connect() as connection:
        counts, head = _counts(connection)
    if counts != manifest["tables"] or head != manifest["audit"]:
        differing = sorted(name for name in set(counts) | set(manifest["tables"])
                           if counts.get(name) != manifest["tables"].get(name))
        raise ServiceError(_l("The restored database does not match the backup's manifest "
                              "(%(tables)s).", tables=", ".join(differing) or "audit head"))
    kept = checkpoints.read_log(source / CHECKPOINTS_COPY)
    report = audit.verify(kept)
    if not report.intact:
        raise ServiceError(_l("The restored audit log does not verify: %(problem)s",
                              problem=report.problem or report.mismatches[0]))
    indexed = search.rebuild(progress)
    return Restored(tables=counts, audit_entries=report.entries, checkpoints=report.checked,
                    indexed=indexed)
