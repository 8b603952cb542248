"""The index on disk, kept in step with the database through the outbox (DESIGN section 7).

Each process (and machine) keeps a watermark beside its index: the last outbox row it applied.
Catching up applies every newer row; a crash before the watermark is saved only means the same
rows are applied again, which is harmless because documents are replaced by agency id.

An index damaged under running workers heals (issue 14; integrity.py finds the damage). Files
are read, not memory-mapped, so a truncated segment is an error, not a SIGBUS. A worker that
finds its index missing or changed answers identifiers from the database meanwhile
(search/__init__.py), builds a new generation beside the folder and swaps it in; the other
workers see the folder replaced and reopen it.
"""
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.query import TermRange
from whoosh.writing import CLEAR

from ..extensions import db
from ..models import Agency, IndexOutbox, utcnow
from .analysis import VERSION as ANALYSIS_VERSION
from . import integrity
from .documents import agency_document
from .integrity import IndexDamaged
from .schema import make_schema, signature
from .snapshot import SegmentSets, Snapshot

log = logging.getLogger(__name__)
STATE_FILE = "outbox-state.json"
#: After a heal, another one waits this long: a bug that looks like damage must not loop.
HEAL_PAUSE = 60.0
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
#: A folder's change time is trusted to show a commit once it is this old (nanoseconds): a
#: change within the filesystem's time granularity could leave it as it was.
SETTLED_NS = 2_000_000_000
BATCH = 500
#: What a document needs (complaints are not indexed: loading them would only slow indexing).
INDEXED = (selectinload(Agency.licences), selectinload(Agency.sanctions),
           selectinload(Agency.representatives), selectinload(Agency.channels))


class IndexNotReady(Exception):
    """The index is being built (first start, or a new version of the analysis)."""


def _storage(folder):
    # No memory maps: a segment truncated under a running worker must raise, not SIGBUS.
    return FileStorage(str(folder), supports_mmap=False)


class SearchIndex:
    def __init__(self, directory, region, poll_seconds, writer_timeout=WRITER_TIMEOUT,
                 conventional=None):
        self.dir = Path(directory)
        self.region = region
        self.poll_seconds = poll_seconds
        self.writer_timeout = writer_timeout
        #: Native place names -> Latin spellings (sounds.conventional_names).
        self.conventional = conventional or {}
        self._ix = None
        self._folder = None
        self._snapshot = None
        #: ((inode, change time) of the folder, generation), once settled: see generation().
        self._settled = None
        self._sets = SegmentSets()
        self._lock = threading.Lock()
        self._last_poll = 0.0
        self._verified = set()
        #: Why the index cannot be searched now (None: it can), and when a heal last began.
        self.damage = None
        self._healed_at = -HEAL_PAUSE

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
        with _exclusive(_lock_path(self.dir), OPEN_TIMEOUT):
            problem = "is missing"
            storage = _storage(self.dir)
            try:
                if storage.index_exists():
                    ix = storage.open_index()
                    with ix.searcher() as searcher:
                        self._check_files(searcher)
                    state = self._load_state()
                    # An incomplete index is being (or about to be) rebuilt: leave it be.
                    if signature(ix.schema) == signature(make_schema()) and (
                            not state.get("complete") or state.get("analysis") == ANALYSIS_VERSION):
                        self._folder = self.dir.stat().st_ino
                        return ix
                    problem = "was built by another version of the registry"
            except Exception as error:  # noqa: BLE001 - any damage means: rebuild
                integrity.close_files(self.dir)
                problem = f"is unreadable ({error})"
            log.warning("search index at %s %s; rebuilding it from the database",
                        self.dir, problem)
            # The folder belongs to the index: clear it, or a damaged newer generation would win.
            for path in self.dir.iterdir():
                if path.is_file():
                    path.unlink()
            ix = storage.create_index(make_schema())
            self._save_state({"last_id": 0, "status_day": None, "complete": False})
            self._folder = self.dir.stat().st_ino
            return ix

    def snapshot(self):
        """One searcher per process, replaced when the index changed, rather than one per
        request (2.6 ms against 0.5 ms a query at 10k agencies). Whoosh's own refresh() fails
        on an empty index; a snapshot still in use by another thread is closed with its last
        reference. Raises IndexDamaged when the files on disk are not those written, and
        IndexNotReady while the index is being built."""
        with self._lock:
            if self.damage:
                raise IndexDamaged(self.damage)
            try:
                folder = integrity.inode(self.dir)
                if self._folder is not None and folder != self._folder:
                    if folder is None:
                        raise IndexDamaged("the folder is gone")
                    self._reset()  # another worker swapped in a new generation
                if self._snapshot is not None and self._snapshot.searcher.up_to_date():
                    try:
                        integrity.unchanged(self.dir, self._snapshot.files)
                        return self._snapshot
                    except IndexDamaged:
                        pass  # or a commit merged its segments away just now: open afresh
                searcher = self.ix.searcher()
                try:
                    files = self._check_files(searcher)
                    if not self._load_state().get("complete"):
                        raise IndexNotReady("the index is being built")
                except BaseException:
                    searcher.close()
                    raise
                # Which index (its folder: a rebuild swaps in another) at which commit.
                generation = (self._folder, searcher.reader().generation())
                self._snapshot = Snapshot(searcher, self._sets, files, generation)
            except IndexNotReady:
                raise
            except Exception as error:  # noqa: BLE001 - any failure to open means: damaged
                integrity.close_files(self.dir)
                self.damage = str(error) or type(error).__name__
                raise IndexDamaged(self.damage) from error
            return self._snapshot

    def generation(self):
        """snapshot().generation, without looking at the index's files while its folder is as
        it was when last looked at, and settled (SETTLED_NS): a commit adds and removes files,
        which changes the folder. What every kept search page and its 304 asks (8 µs against
        50 µs a request). A file changed in place leaves the folder as it was: a search still
        checks every file (snapshot)."""
        try:
            folder = os.stat(self.dir)
        except OSError:
            folder = None
        seen = folder and (folder.st_ino, folder.st_mtime_ns)
        settled = self._settled
        if settled is not None and settled[0] == seen and not self.damage:
            return settled[1]
        generation = self.snapshot().generation
        if seen and time.time_ns() - folder.st_mtime_ns > SETTLED_NS:
            self._settled = (seen, generation)
        return generation

    def _reset(self):
        self._settled = None
        self._snapshot = None
        self._ix = None
        self._folder = None

    # -- damage ----------------------------------------------------------------------------------
    def _check_files(self, searcher):
        return integrity.check(self.dir, integrity.segments(searcher), self._verified)

    def report(self, error):
        """A search failed on the index: mark it damaged, and heal it in the background (at
        most once a minute)."""
        with self._lock:
            if not self.damage:
                self.damage = str(error) or type(error).__name__
                self._snapshot = None
                integrity.close_files(self.dir)
            if time.monotonic() - self._healed_at < HEAL_PAUSE:
                return None
            self._healed_at = time.monotonic()
        log.error("search index at %s is damaged (%s); answering from the database while "
                  "a new one is built", self.dir, self.damage)
        app = current_app._get_current_object()
        thread = threading.Thread(target=self._heal, args=(app,), daemon=True,
                                  name="search-index-heal")
        thread.start()
        return thread

    def _heal(self, app):
        try:
            with app.app_context(), _exclusive(_lock_path(self.dir), REBUILD_TIMEOUT):
                if not self._sound_on_disk():
                    self._build_generation()
            with self._lock:
                self._reset()
                self._verified.clear()
                self.damage = None
            log.warning("search index at %s healed", self.dir)
        except Exception:  # noqa: BLE001 - the next failed search tries again
            log.exception("could not heal the search index at %s", self.dir)
            with self._lock:
                self._healed_at = time.monotonic() - HEAL_PAUSE

    def _sound_on_disk(self):
        """Whether the folder holds a complete, intact index (another worker healed it)."""
        try:
            ix = _storage(self.dir).open_index()
            with ix.searcher() as searcher:
                self._verified.clear()
                self._check_files(searcher)
            return self._load_state().get("analysis") == ANALYSIS_VERSION
        except Exception:  # noqa: BLE001 - anything wrong means: build a new one
            integrity.close_files(self.dir)
            return False

    def _build_generation(self):
        """Build a new index beside the folder from the database, then swap it in."""
        fresh = self.dir.with_name(f"{self.dir.name}.new-{os.getpid()}")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        self._fill(_storage(fresh).create_index(make_schema()), fresh, REBUILD_TIMEOUT)
        old = self.dir.with_name(f"{self.dir.name}.old-{os.getpid()}")
        if self.dir.exists():
            os.rename(self.dir, old)
        os.rename(fresh, self.dir)
        shutil.rmtree(old, ignore_errors=True)

    # -- watermark -----------------------------------------------------------------------------
    def _load_state(self):
        try:
            return json.loads((self.dir / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {"last_id": 0, "status_day": None, "complete": False}

    def _save_state(self, state, folder=None):
        folder = folder or self.dir
        tmp = folder / f".{STATE_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(state))
        os.replace(tmp, folder / STATE_FILE)

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
        if now - self._last_poll < self.poll_seconds or self.damage:
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
            integrity.record_manifest(self.dir)
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
                writer.update_document(**agency_document(agency, today, self.conventional))
            session.expunge_all()

    def rebuild(self, progress=None, timeout=REBUILD_TIMEOUT):
        """Index every agency afresh; readers see the old index until the new one commits."""
        return self._fill(self.ix, self.dir, timeout, progress)

    def _fill(self, ix, folder, timeout, progress=None):
        started = datetime.now()
        session = Session(db.engine)
        newest = session.scalar(select(func.max(IndexOutbox.id))) or 0
        writer = ix.writer(timeout=timeout, delay=WRITER_RETRY, limitmb=256)
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
                        writer.add_document(**agency_document(chunk[agency_id], today,
                                                              self.conventional))
                count += len(chunk)
                if progress:
                    progress(len(chunk))
                session.expunge_all()
            writer.commit(mergetype=CLEAR)
            integrity.record_manifest(folder)
        except BaseException:
            writer.cancel()
            raise
        finally:
            session.close()
        self._save_state({"last_id": newest, "status_day": today.isoformat(), "complete": True,
                          "analysis": ANALYSIS_VERSION}, folder)
        log.info("search index rebuilt: %d agencies in %.1f s", count,
                 (datetime.now() - started).total_seconds())
        return count

    def close(self):
        with self._lock:
            self._reset()


def _lock_path(folder):
    return folder.with_name(folder.name + ".lock")


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
