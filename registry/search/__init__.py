"""Search behind a small API: `query(text, ...)` returns agency ids in rank order.

The database is the truth; the index is derived from it through the outbox.
"""
from flask import current_app

from .. import countries
from .index import SearchIndex
from .query import Results, run

__all__ = ["Results", "catch_up", "init_app", "query", "rebuild"]


def init_app(app):
    region = countries.for_config(app.config).phone_region
    app.extensions["registry_search"] = SearchIndex(
        app.config["REGISTRY_INDEX_DIR"], region, app.config["REGISTRY_OUTBOX_POLL_SECONDS"])

    @app.before_request
    def keep_index_current():
        app.extensions["registry_search"].maybe_catch_up()


def _index():
    return current_app.extensions["registry_search"]


def query(text, limit=20, offset=0, status=None, province=None, destination=None):
    index = _index()
    return run(index.searcher(), text or "", index.region, limit, offset,
               status=status, province=province, destination=destination)


def catch_up():
    return _index().catch_up()


def rebuild(progress=None):
    return _index().rebuild(progress)
