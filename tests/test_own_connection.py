"""own_connection: the record's version read on the process's own connection; a check's
receipt never waits for the disk, and is put on it within FLUSH_EVERY seconds; every other
write still waits for it."""
import os
import sqlite3
import threading
import time

import pytest

from registry import create_app, own_connection
from registry.extensions import db
from registry.services import audit, users, verification


def waits_for_the_disk(cursor):
    """Whether a commit on this driver cursor's connection waits until it is on disk."""
    if db.engine.dialect.name == "sqlite":
        cursor.execute("PRAGMA synchronous")
        return {2: True, 1: False}[cursor.fetchone()[0]]
    cursor.execute("SHOW synchronous_commit")
    return {"on": True, "off": False}[cursor.fetchone()[0]]


def every_pooled_connection_waits():
    connections = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin() + 1)]
    try:
        return all(waits_for_the_disk(c.cursor()) for c in connections)
    finally:
        for connection in connections:
            connection.close()


def test_a_receipt_does_not_wait_for_the_disk_and_no_other_write_changes(app):
    with app.app_context():
        with own_connection.receipts() as cursor:
            assert not waits_for_the_disk(cursor)
        # The session and every regulator's save use the pool's connections: they still wait.
        assert every_pooled_connection_waits()


@pytest.fixture
def sqlite_app(tmp_path):
    """The embedded default whatever database the suite runs on: this is SQLite's path."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/r.db",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
                      "REGISTRY_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
                      "SERVER_NAME": "registry.test"})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_version_is_read_as_committed_and_the_read_holds_no_snapshot(sqlite_app):
    assert audit.version() == (0, audit.GENESIS)
    users.create_user("first@ministry.example", "admin", "a long enough pass phrase", "test")
    first = audit.version()
    assert first[0] >= 1 and first == audit.head()
    users.create_user("second@ministry.example", "clerk", "a long enough pass phrase", "test")
    assert audit.version()[0] > first[0]
    # Had the read kept its snapshot, the checkpoint could not copy what was written after it.
    with db.engine.connect() as connection:
        busy, frames, copied = connection.exec_driver_sql(
            "PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and copied == frames


def flushed(own):
    """Wait for the flush a receipt scheduled."""
    due = own.flush_due
    assert due is not None, "a receipt schedules a flush"
    due.join(5)
    assert not due.is_alive() and own.flush_due is None


def test_sqlite_receipts_leave_the_checkpoint_to_the_flush(sqlite_app):
    with own_connection.receipts() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000  # SQLite's own, as a backstop
    finally:
        connection.close()


def spy_on_fsync(monkeypatch):
    """The files the registry itself fsyncs (SQLite's own fsyncs are not seen)."""
    synced, fsync = [], os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}"))
                        or fsync(fd))
    return synced


def test_a_sqlite_receipt_is_written_to_disk_within_flush_every(sqlite_app, monkeypatch):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 0.05)
    synced = spy_on_fsync(monkeypatch)
    own = own_connection._sqlite(db.engine)
    verification.verify(licence="KH-0001")
    flushed(own)
    assert synced == [os.path.realpath(own.wal)]


def test_a_flush_checkpoints_the_wal_so_it_stops_growing(sqlite_app, monkeypatch):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 60)
    own = own_connection._sqlite(db.engine)

    def checks():
        for number in range(40):
            verification.verify(licence=f"KH-{number:04d}")
        db.session.remove()

    checks()
    grown = os.path.getsize(own.wal)
    own.flush_due.cancel()
    own.flush()
    checks()
    assert os.path.getsize(own.wal) == grown  # written over the WAL from its start
    own.flush_due.cancel()


def test_one_flush_at_a_time_for_the_receipts_of_a_second(sqlite_app, monkeypatch):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 60)
    own = own_connection._sqlite(db.engine)
    verification.verify(licence="KH-0001")
    due = own.flush_due
    verification.verify(licence="KH-0002")
    assert own.flush_due is due
    due.cancel()


def test_a_forked_worker_writes_on_a_connection_of_its_own(sqlite_app, monkeypatch):
    parents = own_connection._sqlite(db.engine)
    assert own_connection._sqlite(db.engine) is parents
    pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: pid + 1)
    child = own_connection._sqlite(db.engine)
    assert child is not parents and child.connection is not parents.connection
    assert parents in own_connection._inherited and not parents.closed  # left alone
    assert verification.verify(licence="KH-0001").id
    child.close()
    monkeypatch.undo()
    own_connection._inherited.remove(parents)
    parents.close()


def test_disposing_of_the_engine_writes_the_wal_to_disk_and_closes_the_connection(
        sqlite_app, monkeypatch):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 60)
    verification.verify(licence="KH-0001")
    own = own_connection._sqlite(db.engine)
    due = own.flush_due
    synced = spy_on_fsync(monkeypatch)
    db.engine.dispose()
    assert own.closed and not due.is_alive()
    assert db.engine not in own_connection._own
    # The WAL was written to disk, by the close or, as the last connection, by SQLite itself.
    assert synced or not os.path.exists(own.wal)
    assert verification.verify(licence="KH-0002").id  # a new connection


def test_a_process_ending_writes_its_last_receipts_to_disk(sqlite_app, monkeypatch):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 60)
    verification.verify(licence="KH-0001")
    own = own_connection._sqlite(db.engine)
    synced = spy_on_fsync(monkeypatch)
    own_connection._at_exit()
    assert own.closed and own.flush_due is None
    assert synced == [os.path.realpath(own.wal)]  # the pool's connections keep the WAL


def test_a_flush_that_fails_is_logged_and_the_next_receipt_schedules_another(
        sqlite_app, monkeypatch, caplog):
    monkeypatch.setattr(own_connection, "FLUSH_EVERY", 60)
    verification.verify(licence="KH-0001")
    own = own_connection._sqlite(db.engine)
    own.flush_due.cancel()

    def disk_gone():
        raise OSError("Input/output error")

    monkeypatch.setattr(own, "sync_wal", disk_gone)
    own.flush()
    assert "could not write the receipts' WAL to disk" in caplog.text
    verification.verify(licence="KH-0002")
    assert own.flush_due is not None
    own.flush_due.cancel()


def test_under_a_steady_stream_of_receipts_flushes_keep_the_wal_from_growing(sqlite_app):
    """A passive checkpoint alone never catches up with the last commit, and SQLite starts the
    WAL over only when one has: without the flush's restart this WAL grows with every row."""
    own = own_connection._sqlite(db.engine)
    own.flush_due = threading.Timer(60, lambda: None)  # no flush of its own meanwhile
    writing, written, path = threading.Event(), [0], db.engine.url.database

    def stream():  # another worker's checks
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("CREATE TABLE IF NOT EXISTS stream (id INTEGER PRIMARY KEY, body)")
        while writing.is_set():
            connection.execute("INSERT INTO stream (body) VALUES (randomblob(3000))")
            written[0] += 1
            time.sleep(0.0005)  # a worker's check does more than write its receipt
        connection.close()

    writing.set()
    thread = threading.Thread(target=stream)
    thread.start()
    try:
        for _ in range(15):
            time.sleep(0.1)
            own.flush()
    finally:
        writing.clear()
        thread.join()
    assert written[0] > 200
    # Each row writes about three pages of 4 KiB into the WAL; less than one a row is left.
    assert os.path.getsize(own.wal) < written[0] * 4096
