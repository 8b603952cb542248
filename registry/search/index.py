"""The index on disk, kept in step with the database through the outbox (DESIGN section 7).

Each process (and machine) keeps a watermark beside its index: the last outbox row it applied.
Catching up applies every newer row; a crash before the watermark is saved only means the same
rows are applied again, which is harmless because documents are replaced by agency id.
"""
import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.query import TermRange
from whoosh.writing import CLEAR

from ..extensions import db
from ..models import Agency, IndexOutbox, utcnow
from .analysis import VERSION as ANALYSIS_VERSION
from .documents import agency_document
from .schema import make_schema, signature
from .snapshot import SegmentSets, Snapshot

log = logging.getLogger(__name__)
STATE_FILE = "outbox-state.json"
#: Outbox rows this recent are read again: on PostgreSQL a lower id can commit after a higher one.
RESCAN = timedelta(seconds=60)
#: Whoosh allows one writer per index. A catch-up waits this long for the lock, retrying every
#: WRITER_RETRY seconds, then leaves the rows to the next poll: a request is never held longer.
WRITER_TIMEOUT = 3.0
WRITER_RETRY = 0.05
#: A rebuild waits longer: it runs at start or from the command line, not inside a request.
REBUILD_TIMEOUT = 60.0
#: How long a starting worker waits for another one to finish checking the index.
OPEN_TIMEOUT = 30.0
BATCH = 500
#: What a document needs (complaints are not indexed: loading them would only slow indexing).
INDEXED = (selectinload(Agency.licences), selectinload(Agency.sanctions),
           selectinload(Agency.representatives), selectinload(Agency.channels))


class SearchIndex:
    def __init__(self, directory, region, poll_seconds, writer_timeout=WRITER_TIMEOUT):
        self.dir = Path(directory)
        self.region = region
        self.poll_seconds = poll_seconds
        self.writer_timeout = writer_timeout
        self._ix = None
        self._snapshot = None
        self._sets = SegmentSets()
        self._lock = threading.Lock()
        self._last_poll = 0.0

    # -- opening -------------------------------------------------------------------------------
    @property
    def ix(self):
        if self._ix is None:
            self._ix = self._open()
        return self._ix

    def _open(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        # Workers start together: one of them checks (and if need be replaces) the index while
        # the others wait, or two would clear the folder under each other.
        with _exclusive(self.dir.with_name(self.dir.name + ".lock"), OPEN_TIMEOUT):
            problem = "is missing"
            try:
                if whoosh_index.exists_in(self.dir):
                    ix = whoosh_index.open_dir(self.dir)
                    with ix.searcher() as searcher:
                        searcher.doc_count()
                    state = self._load_state()
                    # An incomplete index is being (or about to be) rebuilt: leave it be.
                    if signature(ix.schema) == signature(make_schema()) and (
                            not state.get("complete") or state.get("analysis") == ANALYSIS_VERSION):
                        return ix
                    problem = "was built by another version of the registry"
            except Exception as error:  # noqa: BLE001 - any damage means: rebuild
                problem = f"is unreadable ({error})"
            log.warning("search index at %s %s; rebuilding it from the database",
                        self.dir, problem)
            # The folder belongs to the index: clear it, or a damaged newer generation would win.
            for path in self.dir.iterdir():
                if path.is_file():
                    path.unlink()
            ix = whoosh_index.create_in(self.dir, make_schema())
            self._save_state({"last_id": 0, "status_day": None, "complete": False})
            return ix

    def snapshot(self):
        """One searcher per process, replaced when the index changed, rather than one per
        request (2.6 ms against 0.5 ms a query at 10k agencies). Whoosh's own refresh() fails
        on an empty index; a snapshot still in use by another thread is closed with its last
        reference."""
        with self._lock:
            if self._snapshot is None or not self._snapshot.searcher.up_to_date():
                self._snapshot = Snapshot(self.ix.searcher(), self._sets)
            return self._snapshot

    # -- watermark -----------------------------------------------------------------------------
    def _load_state(self):
        try:
            return json.loads((self.dir / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {"last_id": 0, "status_day": None, "complete": False}

    def _save_state(self, state):
        tmp = self.dir / f".{STATE_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.dir / STATE_FILE)

    def lag(self):
        """How many outbox rows this index has not applied yet (None: not built yet)."""
        state = self._load_state()
        if not state.get("complete"):
            return None
        with Session(db.engine) as session:
            return session.scalar(select(func.count(IndexOutbox.id)).where(
                IndexOutbox.id > state["last_id"])) or 0

    # -- keeping up ----------------------------------------------------------------------------
    def maybe_catch_up(self):
        """Called on requests: at most every poll interval, look for other processes' work."""
        now = time.monotonic()
        if now - self._last_poll < self.poll_seconds:
            return
        self._last_poll = now
        self.ix  # noqa: B018 - open first: a damaged index is replaced, and its watermark reset, right here
        state = self._load_state()
        with Session(db.engine) as session:
            newest = session.scalar(select(func.max(IndexOutbox.id))) or 0
        if (not state.get("complete") or newest > state["last_id"]
                or state.get("status_day") != date.today().isoformat()):
            self.catch_up()

    def catch_up(self):
        """Apply outbox rows after the watermark, and statuses that went stale at midnight."""
        ix = self.ix
        if not self._load_state().get("complete"):
            try:
                return self.rebuild(timeout=self.writer_timeout)
            except LockError:
                log.info("search index is being rebuilt by another process")
                return 0
        try:
            writer = ix.writer(timeout=self.writer_timeout, delay=WRITER_RETRY)
        except LockError:
            log.info("search index busy in another process; will catch up later")
            return 0
        state = self._load_state()
        session = Session(db.engine)
        rows = session.execute(
            select(IndexOutbox.id, IndexOutbox.agency_id).where(or_(
                IndexOutbox.id > state["last_id"], IndexOutbox.created_at > utcnow() - RESCAN))
        ).all()
        ids = {agency_id for _, agency_id in rows}
        today = date.today()
        if state.get("status_day") != today.isoformat():
            with ix.searcher() as searcher:
                stale = searcher.search(TermRange("status_until", None, f"{today:%Y%m%d}"),
                                        limit=None)
                ids.update(hit["agency_id"] for hit in stale)
        try:
            self._write(session, writer, sorted(ids), today)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            session.close()
        state["last_id"] = max([state["last_id"], *(row_id for row_id, _ in rows)])
        state["status_day"] = today.isoformat()
        self._save_state(state)
        return len(ids)

    def _write(self, session, writer, agency_ids, today):
        for start in range(0, len(agency_ids), BATCH):
            chunk = agency_ids[start:start + BATCH]
            found = session.scalars(
                select(Agency).where(Agency.id.in_(chunk)).options(*INDEXED)).all()
            for agency_id in set(chunk) - {a.id for a in found}:
                writer.delete_by_term("agency_id", agency_id)
            for agency in found:
                writer.update_document(**agency_document(agency, today))
            session.expunge_all()

    def rebuild(self, progress=None, timeout=REBUILD_TIMEOUT):
        """Index every agency afresh; readers see the old index until the new one commits."""
        started = datetime.now()
        session = Session(db.engine)
        newest = session.scalar(select(func.max(IndexOutbox.id))) or 0
        writer = self.ix.writer(timeout=timeout, delay=WRITER_RETRY, limitmb=256)
        today = date.today()
        count = 0
        try:
            # Shortest names first: within a tier, results come in index order, and a short
            # name holding the words typed is the likelier one (what BM25 would say).
            order = session.scalars(select(Agency.id).order_by(
                func.length(Agency.name_en), Agency.name_en, Agency.id)).all()
            for start in range(0, len(order), BATCH):
                wanted = order[start:start + BATCH]
                chunk = {a.id: a for a in session.scalars(
                    select(Agency).where(Agency.id.in_(wanted)).options(*INDEXED))}
                for agency_id in wanted:
                    if agency_id in chunk:
                        writer.add_document(**agency_document(chunk[agency_id], today))
                count += len(chunk)
                if progress:
                    progress(len(chunk))
                session.expunge_all()
            writer.commit(mergetype=CLEAR)
        except BaseException:
            writer.cancel()
            raise
        finally:
            session.close()
        self._save_state({"last_id": newest, "status_day": today.isoformat(), "complete": True,
                          "analysis": ANALYSIS_VERSION})
        log.info("search index rebuilt: %d agencies in %.1f s", count,
                 (datetime.now() - started).total_seconds())
        return count

    def close(self):
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.searcher.close()
                self._snapshot = None
            self._ix = None


@contextmanager
def _exclusive(path, timeout):
    """An advisory lock on `path` held by one process at a time; waits at most `timeout`."""
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockError(f"{path} held for more than {timeout} s") from None
                time.sleep(WRITER_RETRY)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
