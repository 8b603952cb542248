"""The service layer owns every write: audit entries and search-index work happen here, in the
same transaction as the change, so no screen or command can skip them."""
import logging

from ..extensions import db
from ..models import Agency, IndexOutbox, utcnow

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A refusal to show the user: its message is already translated (or lazily translatable)."""


class StaleEdit(ServiceError):
    """The record changed since the form was opened; `current` holds what it says now."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


def check_version(record, version, fields):
    """Refuse a save based on an older version of `record`, never overwrite silently."""
    from flask_babel import lazy_gettext as _l
    if str(record.version) != str(version):
        raise StaleEdit(_l("Someone else saved this record while you were editing it. Your "
                           "changes were not saved: compare with the values below, then "
                           "edit again."), {f: getattr(record, f) for f in fields})


def snapshot(record, fields):
    return {f: getattr(record, f) for f in fields}


def may_approve(record, email):
    """Four eyes (sanctions, clearances): nobody who drafted or changed a record may approve
    it."""
    return email != record.drafted_by and email not in (record.editors or [])


#: session.info's key for {agency id: the agencies that shared a channel or an address with it
#: before they changed in this transaction} (note_links).
SHARED_BEFORE = "registry_shared_before"


def reindex_later(agency_id, public=True):
    """Queue the agency's search-index work, in the transaction of the change.

    Every service that changes an agency's record passes here, so this is also where the
    record is stamped as changed (Agency.changed_at, the API's changed_since) unless `public`
    is false: the change was only to a draft sanction or a complainant's details, which the
    public never sees. One UPDATE of that column alone, so the agency's version (the edit
    forms' optimistic lock) and updated_at (its own fields' last edit) stay as they were.

    The agencies whose `shared_with` names this one (services.resurfacing) change with it, and
    are stamped too: those that share something with it now, and those that did before its
    channels or addresses changed (note_links)."""
    from .resurfacing import sharing_ids  # resurfacing reads through this package
    db.session.add(IndexOutbox(agency_id=agency_id))
    before = db.session.info.get(SHARED_BEFORE, {}).pop(agency_id, set())
    if public:
        stamp({agency_id, *before, *sharing_ids(agency_id)})


def note_links(agency_id):
    """Before an agency's channels or addresses change: the agencies sharing something with it
    now, which its reindex_later stamps (a link that the change ends changes them too)."""
    from .resurfacing import sharing_ids
    db.session.info.setdefault(SHARED_BEFORE, {}).setdefault(agency_id, set()).update(
        sharing_ids(agency_id))


def stamp(agency_ids):
    table = Agency.__table__
    db.session.execute(table.update().where(table.c.id.in_(sorted(agency_ids))).values(
        changed_at=utcnow(), updated_at=table.c.updated_at))


def commit():
    """Commit, then bring this process's search index up to date.

    Index trouble is logged, never raised: the outbox rows are committed, so the next catch-up
    (this process or another) applies them.
    """
    db.session.commit()
    from .. import search  # search depends on services.agencies; import at call time
    try:
        search.catch_up()
    except Exception:  # noqa: BLE001 - the data is safe; the index will catch up later
        log.exception("search index catch-up failed; will retry")
