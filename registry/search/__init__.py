"""Search behind a small API: `query(text, ...)` returns agency ids in rank order, and
`lookalikes(text, ...)` licensed agencies whose names look like the text.

The database is the truth; the index is derived from it through the outbox.
"""
import logging

from flask import current_app

from .. import countries
from .index import WRITER_TIMEOUT, SearchIndex
from .query import Results, lookalikes as _lookalikes, run, typed_query

__all__ = ["Results", "catch_up", "init_app", "lag", "lookalikes", "query", "rebuild",
           "typed_query"]
log = logging.getLogger(__name__)


def init_app(app):
    region = countries.for_config(app.config).phone_region
    app.extensions["registry_search"] = SearchIndex(
        app.config["REGISTRY_INDEX_DIR"], region, app.config["REGISTRY_OUTBOX_POLL_SECONDS"],
        app.config.get("REGISTRY_INDEX_WRITER_TIMEOUT", WRITER_TIMEOUT))

    @app.before_request
    def keep_index_current():
        try:
            app.extensions["registry_search"].maybe_catch_up()
        except Exception:  # noqa: BLE001 - a request is served from the index as it is
            log.exception("search index catch-up failed; will retry at the next poll")


def _index():
    return current_app.extensions["registry_search"]


def query(text, limit=20, offset=0, status=None, province=None, destination=None):
    """Results(total, agency_ids best first, exact): `exact` is False when nothing matched as
    typed and the ids are other spellings or typos."""
    index = _index()
    return run(index.snapshot(), text or "", index.region, limit, offset,
               status=status, province=province, destination=destination)


def lookalikes(text, limit=5):
    """Ids of licensed agencies whose names look like `text`, most alike first."""
    index = _index()
    return _lookalikes(index.snapshot(), text or "", index.region, limit)


def catch_up():
    return _index().catch_up()


def rebuild(progress=None):
    return _index().rebuild(progress)


def lag():
    """Outbox rows this process's index has not applied yet; None before its first build."""
    return _index().lag()
