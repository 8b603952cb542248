"""Append-only audit log with a hash chain: each entry hashes its content and the previous hash.

Changing, inserting or deleting a row by hand breaks the chain at that row; `verify()` finds
it. Deleting the newest rows, or changing one and recomputing every later hash, leaves a chain
that fits together: the signed checkpoints written outside the database after each commit
(`checkpoints`) catch that.
"""
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEntry, utcnow
from ..own_connection import read
from . import checkpoints
from .agencies import today

GENESIS = "0" * 64
HEAD = "audit_head"
UNANCHORED = "audit_unanchored"
LIST_LIMIT = 100
log = logging.getLogger(__name__)


def jsonable(value):
    """Dates and amounts as strings, so what is hashed survives a round trip through JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def entry_hash(prev_hash, at, actor, action, entity, entity_key, before, after):
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, entity, entity_key,
         before, after],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: The newest entry, by the unique index on seq.
HEAD_QUERY = "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"


def head():
    """(entries in the chain, hash of the newest) as the database holds them now, in the
    session's transaction (a writer's, under its turn on the head)."""
    last = db.session.execute(text(HEAD_QUERY)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def version():
    """The public record's version: the committed chain's head, (entries, hash of the newest).
    Every write to the record appends to the chain in its own transaction, and writers take
    turns on the head, so no head is reused or committed out of order (what pagecache.py keys
    by). Not the length alone: a restored backup takes the chain back to an earlier length,
    and the next writes grow it again to lengths it had, with other contents; the newest hash
    covers every entry before it.
    Read by the driver itself, on SQLite on the process's own connection (own_connection.py):
    it is most of a 304 (10 µs, against 25 on a pooled connection, 57 through SQLAlchemy's
    Connection and more through the request's session)."""
    last = read(HEAD_QUERY)
    return (last[0][0], last[0][1]) if last else (0, GENESIS)


def kept_until_changed(name, compute, *args, catch_up=None):
    """`compute(*args)`, kept by the app until the record changes (its version) or the day
    turns: for figures read over the whole record (plain data only, never database objects,
    which belong to one request's session).

    With `catch_up`, a change to the record brings the kept value up to date rather than
    computing it again: `catch_up(kept, entries, *args)` from the (entity, entity_key) of the
    entries appended since, so that a change recounts what it touched, not the whole record
    (issue 10: the dashboard's first view after a change at 100,000 agencies took 2.3 s). It
    returns a new value and leaves `kept` as it was. Computed afresh all the same when the day
    turns, when `args` differ, when the chain no longer holds the kept version (a restored
    backup), or when more than CATCH_UP_MOST entries were appended (an import: recounting all
    is then as cheap)."""
    now, day = version(), today()
    kept = current_app.extensions.get(name)
    if kept is not None and kept[0][1:] == (day, args):
        if kept[0][0] == now:
            return kept[1]
        entries = appended_since(kept[0][0]) if catch_up is not None else None
        if entries is not None:
            value = catch_up(kept[1], entries, *args)
            current_app.extensions[name] = ((now, day, args), value)
            return value
    value = compute(*args)
    current_app.extensions[name] = ((now, day, args), value)
    return value


#: The most entries kept_until_changed catches up on, before it computes afresh.
CATCH_UP_MOST = 1000


def appended_since(kept):
    """(entity, entity_key) of each entry after the version `kept`, in order; None when the
    chain no longer holds that version or more than CATCH_UP_MOST entries follow it. The
    chain is appended in commit order (writers take turns on its head), so nothing committed
    after `kept` can sit before it."""
    seq, newest = kept
    if seq and db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq)) != newest:
        return None
    entries = db.session.execute(
        select(AuditEntry.entity, AuditEntry.entity_key).where(AuditEntry.seq > seq)
        .order_by(AuditEntry.seq).limit(CATCH_UP_MOST + 1)).all()
    return None if len(entries) > CATCH_UP_MOST else [tuple(e) for e in entries]


def head_hash():
    return head()[1]


@event.listens_for(Session, "after_commit")
def _anchor(session):
    # The entries are committed: sign a checkpoint of the new head outside the database.
    pending = session.info.pop(UNANCHORED, None)
    if pending is None or not has_app_context():
        return
    try:
        checkpoints.append(*pending)
    except OSError:
        # The chain itself is safe; the next commit's checkpoint covers these entries too.
        log.exception("could not write the audit checkpoint to %s", checkpoints.log_path())


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction):
    # The head read under this transaction's lock is only trusted inside it.
    if transaction.parent is None:
        session.info.pop(HEAD, None)
        session.info.pop(UNANCHORED, None)


def record(actor, action, entity, entity_key, before=None, after=None):
    """Append one entry in the caller's transaction."""
    session = db.session()
    prev = session.info.get(HEAD)
    if prev is None:
        if db.engine.dialect.name == "postgresql":  # pragma: no cover - the PostgreSQL run
            # Serialise writers on the chain head; SQLite already has a single writer.
            session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        prev = head()
    seq, prev_hash = prev
    at = utcnow()
    before, after = jsonable(before), jsonable(after)
    entry = AuditEntry(
        seq=seq + 1, at=at, actor=actor, action=action, entity=entity,
        entity_key=str(entity_key), before=before, after=after, prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, actor, action, entity, str(entity_key), before, after),
    )
    session.add(entry)
    session.info[HEAD] = session.info[UNANCHORED] = (entry.seq, entry.hash)
    return entry


def anchor_now():
    """Sign and append a checkpoint of the chain as it is (`flask audit checkpoint`)."""
    size, head_now = head()
    return checkpoints.append(size, head_now)


def entries(actor="", entity="", key="", limit=LIST_LIMIT):
    """The newest entries, filtered by who, what kind of record and which record."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if key:
        query = query.where(AuditEntry.entity_key == key)
    return db.session.scalars(query.limit(limit)).all()


@dataclass
class ChainReport:
    entries: int
    head: str
    broken_at: int | None = None
    problem: str = ""
    #: Checkpoints checked, and what did not match them (first failure first).
    checked: int = 0
    mismatches: list = field(default_factory=list)
    #: The newest checkpoint the chain matched, as (size, source).
    last_good: tuple | None = None

    @property
    def intact(self):
        return self.broken_at is None and not self.mismatches


def _describe(cp):
    where = f"checkpoint {cp.number} of {cp.source}" if cp.source else f"checkpoint {cp.number}"
    return f"{where} (signed {cp.time or 'at an unknown time'}, {cp.size} entries)"


def verify(against=()):
    """Walk the chain from the start; report the first entry that does not fit, then compare
    the chain with every checkpoint in `against` (the local log and copies kept by others)."""
    wanted = {cp.size for cp in against if cp.signed}
    seen = {0: GENESIS}
    prev, count = GENESIS, 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        count += 1
        if entry.prev_hash != prev or entry.seq != count:
            return ChainReport(count, prev, entry.id,
                               "does not follow the entry before it (one was inserted or deleted)")
        expected = entry_hash(prev, entry.at, entry.actor, entry.action, entry.entity,
                              entry.entity_key, entry.before, entry.after)
        if entry.hash != expected:
            return ChainReport(count, prev, entry.id, "content was altered after it was written")
        prev = entry.hash
        if count in wanted:
            seen[count] = prev
    report = ChainReport(count, prev)
    for cp in sorted(against, key=lambda cp: (cp.size, cp.source, cp.number)):
        report.checked += 1
        if not cp.signed:
            report.mismatches.append(f"{_describe(cp)} is not signed by this registry's key: "
                                     "it was not written by this registry, or was altered")
        elif cp.size > count:
            report.mismatches.append(
                f"{_describe(cp)}: the log now has only {count} entries, so entries "
                f"{count + 1} to {cp.size} (at least) were deleted")
        elif seen[cp.size] != cp.head:
            report.mismatches.append(
                f"{_describe(cp)}: entry {cp.size} now hashes to {seen[cp.size][:16]}…, the "
                f"checkpoint says {cp.head[:16]}…, so entries up to {cp.size} were changed "
                f"and the chain recomputed")
        elif not report.mismatches:
            report.last_good = (cp.size, cp.source)
    return report


def latest_checkpoint_problem():
    """A quick check for the public pages: does the database still hold the chain that the
    newest local checkpoint signed? Returns a message, or "" when it does (or none exists)."""
    newest = checkpoints.latest()
    if not newest or not newest[0].signed:
        return ""
    cp = newest[0]
    stored = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == cp.size)) \
        if cp.size else GENESIS
    if stored != cp.head:
        current_app.logger.error("audit log does not match its newest checkpoint (%d entries)",
                                 cp.size)
        return f"entry {cp.size} does not match the newest signed checkpoint"
    return ""
