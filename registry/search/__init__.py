"""Search behind a small API: `query(text, ...)` returns agency ids in rank order, and
`lookalikes(text, ...)` licensed agencies whose names look like the text.

The database is the truth; the index is derived from it through the outbox.
"""
import logging

from flask import current_app

from .. import countries
from . import fallback
from .index import WRITER_TIMEOUT, IndexNotReady, SearchIndex
from .query import Results, identifier_keys, lookalikes as _lookalikes, run, typed_query
from .sounds import conventional_names

__all__ = ["Results", "catch_up", "generation", "init_app", "lag", "lookalikes", "query",
           "rebuild", "typed_query"]
log = logging.getLogger(__name__)


def init_app(app):
    profile = countries.for_config(app.config)
    app.extensions["registry_search"] = SearchIndex(
        app.config["REGISTRY_INDEX_DIR"], profile.phone_region,
        app.config["REGISTRY_OUTBOX_POLL_SECONDS"],
        app.config.get("REGISTRY_INDEX_WRITER_TIMEOUT", WRITER_TIMEOUT),
        conventional_names(profile))

    @app.before_request
    def keep_index_current():
        try:
            app.extensions["registry_search"].maybe_catch_up()
        except Exception:  # noqa: BLE001 - a request is served from the index as it is
            log.exception("search index catch-up failed; will retry at the next poll")


def _index():
    return current_app.extensions["registry_search"]


def generation():
    """Which index this process searches, at which commit (raises while it cannot search)."""
    return _index().generation()


def query(text, limit=20, offset=0, status=None, province=None, destination=None):
    """Results(total, agency_ids best first, exact, degraded): `exact` is False when nothing
    matched as typed and the ids are other spellings or typos; `degraded` is True when the
    index is damaged and being rebuilt, and only identifiers were looked up (in the
    database)."""
    index = _index()
    text = text or ""
    filters = {"status": status, "province": province, "destination": destination}
    try:
        results = run(index.snapshot(), text, index.region, limit, offset, **filters)
    except IndexNotReady:
        return _from_database(text, index.region, limit, offset, degraded=True)
    except Exception as error:  # noqa: BLE001 - damaged: see index.py
        index.report(error)
        return _from_database(text, index.region, limit, offset, degraded=True)
    if not results.total and not offset and not any(filters.values()):
        keys = identifier_keys(typed_query(text)[0], index.region)
        if fallback.worth_checking(text, keys):
            found = _found(fallback.identifier_agencies(keys, tails=False), limit, offset)
            if found.total:
                log.warning("search index missed an identifier the database holds; "
                            "answering from the database")
                return found
    return results


def _from_database(text, region, limit, offset, degraded):
    keys = identifier_keys(typed_query(text)[0], region)
    return _found(fallback.identifier_agencies(keys) if keys else [], limit, offset, degraded)


def _found(ids, limit, offset, degraded=False):
    return Results(len(ids), ids[offset:offset + limit], degraded=degraded)


def lookalikes(text, limit=5):
    """Ids of licensed agencies whose names look like `text`, most alike first."""
    index = _index()
    try:
        return _lookalikes(index.snapshot(), text or "", index.region, limit)
    except IndexNotReady:
        return []
    except Exception as error:  # noqa: BLE001 - damaged: see index.py
        index.report(error)
        return []


def catch_up():
    return _index().catch_up()


def rebuild(progress=None):
    return _index().rebuild(progress)


def lag():
    """Outbox rows this process's index has not applied yet; None before its first build."""
    return _index().lag()
