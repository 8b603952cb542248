"""Append-only audit log with a hash chain: each entry hashes its content and the previous hash.

Changing, inserting or deleting a row by hand breaks the chain at that row; `verify()` finds it.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEntry, utcnow

GENESIS = "0" * 64


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


def head_hash():
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    return last.hash if last else GENESIS


HEAD = "audit_head"


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction):
    # The head read under this transaction's lock is only trusted inside it.
    if transaction.parent is None:
        session.info.pop(HEAD, None)


def record(actor, action, entity, entity_key, before=None, after=None):
    """Append one entry in the caller's transaction."""
    session = db.session()
    prev = session.info.get(HEAD)
    if prev is None:
        if db.engine.dialect.name == "postgresql":
            # Serialise writers on the chain head; SQLite already has a single writer.
            session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        prev = head_hash()
    at = utcnow()
    before, after = jsonable(before), jsonable(after)
    entry = AuditEntry(
        at=at, actor=actor, action=action, entity=entity, entity_key=str(entity_key),
        before=before, after=after, prev_hash=prev,
        hash=entry_hash(prev, at, actor, action, entity, str(entity_key), before, after),
    )
    session.add(entry)
    session.info[HEAD] = entry.hash
    return entry


@dataclass
class ChainReport:
    entries: int
    head: str
    broken_at: int | None = None
    problem: str = ""


def verify():
    """Walk the chain from the start; report the first entry that does not fit."""
    prev = GENESIS
    count = 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(count, prev, entry.id,
                               "does not follow the entry before it (one was inserted or deleted)")
        expected = entry_hash(prev, entry.at, entry.actor, entry.action, entry.entity,
                              entry.entity_key, entry.before, entry.after)
        if entry.hash != expected:
            return ChainReport(count, prev, entry.id, "content was altered after it was written")
        prev = entry.hash
    return ChainReport(count, prev)
