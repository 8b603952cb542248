"""The service layer owns every write: audit entries and search-index work happen here, in the
same transaction as the change, so no screen or command can skip them."""
import logging

from ..extensions import db
from ..models import IndexOutbox

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A refusal to show the user: its message is already translated (or lazily translatable)."""


def reindex_later(agency_id):
    db.session.add(IndexOutbox(agency_id=agency_id))


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
