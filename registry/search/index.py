"""The index on disk, kept in step with the database through the outbox (DESIGN section 7).

Each process (and machine) keeps a watermark beside its index: the last outbox row it applied.
Catching up applies every newer row; a crash before the watermark is saved only means the same
rows are applied again, which is harmless because documents are replaced by agency id.
"""
import json
import logging
import os
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.query import TermRange
from whoosh.writing import CLEAR

from ..extensions import db
from ..models import Agency, IndexOutbox, utcnow
from ..services.agencies import FULL_RECORD
from .documents import agency_document
from .schema import make_schema

log = logging.getLogger(__name__)
STATE_FILE = "outbox-state.json"
#: Outbox rows this recent are read again: on PostgreSQL a lower id can commit after a higher one.
RESCAN = timedelta(seconds=60)
WRITER_TIMEOUT = 10.0
BATCH = 500


class SearchIndex:
    def __init__(self, directory, region, poll_seconds):
        self.dir = Path(directory)
        self.region = region
        self.poll_seconds = poll_seconds
        self._ix = None
        self._searcher = None
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
        try:
            if whoosh_index.exists_in(self.dir):
                ix = whoosh_index.open_dir(self.dir)
                with ix.searcher() as searcher:
                    searcher.doc_count()
                return ix
            log.warning("search index at %s is missing; building it from the database",
                        self.dir)
        except Exception as error:  # noqa: BLE001 - any damage means: rebuild
            log.warning("search index at %s is unreadable (%s); rebuilding it from the database",
                        self.dir, error)
        # The folder belongs to the index: clear it, or a damaged newer generation would win.
        for path in self.dir.iterdir():
            if path.is_file():
                path.unlink()
        ix = whoosh_index.create_in(self.dir, make_schema())
        self._save_state({"last_id": 0, "status_day": None, "complete": False})
        return ix

    def searcher(self):
        """One searcher per process, replaced when the index changed. (Whoosh's own refresh()
        fails on an empty index; an old searcher still in use by another thread is left to be
        closed when its last reference goes.)"""
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                self._searcher = self.ix.searcher()
            return self._searcher

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
            return self.rebuild()
        try:
            writer = ix.writer(timeout=WRITER_TIMEOUT)
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
                select(Agency).where(Agency.id.in_(chunk)).options(*FULL_RECORD)).all()
            for agency_id in set(chunk) - {a.id for a in found}:
                writer.delete_by_term("agency_id", agency_id)
            for agency in found:
                writer.update_document(**agency_document(agency, self.region, today))
            session.expunge_all()

    def rebuild(self, progress=None):
        """Index every agency afresh; readers see the old index until the new one commits."""
        started = datetime.now()
        session = Session(db.engine)
        newest = session.scalar(select(func.max(IndexOutbox.id))) or 0
        writer = self.ix.writer(timeout=WRITER_TIMEOUT * 6)
        today = date.today()
        count = 0
        try:
            last = 0
            while True:
                chunk = session.scalars(
                    select(Agency).where(Agency.id > last).order_by(Agency.id).limit(BATCH)
                    .options(*FULL_RECORD)).all()
                if not chunk:
                    break
                for agency in chunk:
                    writer.add_document(**agency_document(agency, self.region, today))
                last = chunk[-1].id
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
        self._save_state({"last_id": newest, "status_day": today.isoformat(), "complete": True})
        log.info("search index rebuilt: %d agencies in %.1f s", count,
                 (datetime.now() - started).total_seconds())
        return count

    def close(self):
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix = None
