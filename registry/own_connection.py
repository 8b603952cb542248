"""A connection of each process's own, outside the pool, for the two things nearly every answer
does: read the record's version (audit.version: every kept page, kept answer and 304) and
write a check's receipt (docs/decisions.md, "No check waits for the disk").

SQLite:
- Both go to one connection per process, taken out of the pool when first needed: a pooled
  connection's checkout and return cost more than the version's read itself (10 against 25 µs
  a read), and pooled connections take turns, each with a page cache of its own.
- Its commits use synchronous=NORMAL (a commit appends to the WAL without fsync) and it never
  checkpoints. The first receipt after a flush starts a one-off thread that, FLUSH_EVERY
  seconds later, writes the WAL to disk (fsync), checkpoints it into the database file and
  has it written over from its start (see flush). A check used to pay for both whenever it
  fell on them: an fsync once a second per worker, holding the write lock the other worker
  waited on, and every thousandth page a checkpoint with two more.
PostgreSQL: pooled connections; a receipt's transaction sets synchronous_commit off, and the
server's WAL writer flushes it within 3 x wal_writer_delay (600 ms by default).

Every other connection (the session's, every regulator's save) still waits for the disk."""
import atexit
import logging
import os
import threading
import weakref
from contextlib import contextmanager

from sqlalchemy import event

from .extensions import db

log = logging.getLogger(__name__)

#: The longest a committed receipt stays off the disk, in seconds (SQLite; see above).
FLUSH_EVERY = 1.0
#: How long a flush waits for the commit and readers under way before it has the WAL written
#: over from its start, in milliseconds; the next flush tries again.
RESTART_WAIT_MS = 20

#: {engine: _OwnSQLite} of this process.
_own = weakref.WeakKeyDictionary()
#: Connections a forked process inherited: kept open, unused (SQLite: a connection is never
#: carried across a fork, and closing it in the child could disturb the parent's locks).
_inherited = []


def read(sql):
    """The rows of a short query, as the database holds them now (no transaction kept)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        own = _sqlite(engine)
        with own.lock:
            return own.connection.execute(sql).fetchall()
    with _pooled(engine) as connection:  # pragma: no cover - the PostgreSQL run
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall()


@contextmanager
def receipts():
    """A driver cursor to write receipts on, in a transaction committed when the block ends
    and rolled back if it fails. Outside the request's session, in the driver's own
    statements: the transaction holds SQLite's write lock only from the first insert to the
    commit, and a check pays for its answer and signature, not for the ORM's bookkeeping."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with _sqlite(engine).transaction() as cursor:
            yield cursor
        return
    with _pooled(engine) as connection:  # pragma: no cover - the PostgreSQL run
        cursor = connection.cursor()
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield cursor
        connection.commit()


@contextmanager
def _pooled(engine):
    connection = engine.raw_connection()
    try:
        yield connection
    finally:
        connection.close()  # back to the pool, its transaction rolled back if not committed


def _sqlite(engine):
    own = _own.get(engine)
    if own is None or own.pid != os.getpid():
        if own is not None:  # the parent's, before a fork: never closed here (SQLite's rule)
            _inherited.append(own)
        own = _own[engine] = _OwnSQLite(engine)
        if not event.contains(engine, "engine_disposed", _forget):
            event.listen(engine, "engine_disposed", _forget)
    return own


def _forget(engine):
    own = _own.pop(engine, None)
    if own is not None and own.pid == os.getpid():
        own.close()


@atexit.register
def _at_exit():
    """A worker stopping (or a command ending) puts its last receipts on disk: a pending flush
    is a daemon thread, which does not outlive the process."""
    for engine in list(_own):
        _forget(engine)


class _OwnSQLite:
    """One process's own connection to one SQLite database, and its pending flush."""

    def __init__(self, engine):
        self.pid = os.getpid()
        self.engine = weakref.ref(engine)
        self.wal = os.path.abspath(engine.url.database) + "-wal"
        proxied = engine.raw_connection()  # opened by the engine: WAL, busy_timeout, keys
        proxied.detach()  # this process's own from now on, not the pool's
        self.connection = proxied.dbapi_connection
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA wal_autocheckpoint=0")
        # One statement or transaction at a time (threads of a development server); reentrant,
        # so a read inside a receipt's transaction cannot deadlock.
        self.lock = threading.RLock()
        self.flush_due = None
        self.flushing = threading.Lock()  # a flush slower than FLUSH_EVERY is not overtaken
        self.closed = False

    @contextmanager
    def transaction(self):
        with self.lock:
            cursor = self.connection.cursor()
            try:
                yield cursor
                self.connection.commit()
            except BaseException:
                self.connection.rollback()
                raise
            finally:
                cursor.close()
            if self.flush_due is None:
                self.flush_due = threading.Timer(FLUSH_EVERY, self.flush)
                self.flush_due.daemon = True
                self.flush_due.start()

    def flush(self):
        """Write the WAL to disk; copy it into the database file (a passive checkpoint: it
        waits for no reader or writer, and every check goes on); then have the WAL written
        over from its start (RESTART, tried for RESTART_WAIT_MS only). Under a steady stream
        of checks a passive checkpoint never catches up with the last commit, and SQLite
        starts the WAL over only when it has: it would grow by megabytes a second. The
        restart copies only what the checks wrote meanwhile, holding their commits back that
        long."""
        with self.lock:
            self.flush_due = None  # a receipt committed from now on is flushed next time
            if self.closed:
                return  # close() wrote the WAL to disk
        engine = self.engine()
        try:
            with self.flushing:
                if engine is None or not self.sync_wal():
                    return  # the app is gone, or its last connection checkpointed the WAL away
                with _pooled(engine) as connection:
                    cursor = connection.cursor()
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    waits, = cursor.execute("PRAGMA busy_timeout").fetchone()
                    cursor.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
                    try:
                        cursor.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                    finally:
                        cursor.execute(f"PRAGMA busy_timeout={waits}")  # the pool's again
        except Exception:  # noqa: BLE001 - the next flush, or any durable commit, writes them
            log.exception("could not write the receipts' WAL to disk")

    def sync_wal(self):
        """fsync the WAL, if there is one. Done here, not left to the checkpoint: a checkpoint
        held back by a long reader skips it."""
        try:
            descriptor = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return True

    def close(self):
        with self.lock:
            if self.flush_due is not None:
                self.flush_due.cancel()
                self.flush_due = None
            self.closed = True
            self.connection.close()
            self.sync_wal()
