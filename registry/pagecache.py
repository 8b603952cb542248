"""Public answers kept rendered, and revalidated before anything renders (issue 10).

A public page or API answer is a function of a few things, and the key names all of them: the
code and its settings (`build`), the public record's version (services.audit.version: the
audit chain's head), the search index's generation (search answers only), the date (statuses
turn at midnight), the language, and the address with its query. The same key always gives the
same bytes, so

- the ETag is the key's digest: `If-None-Match` is answered 304 before any template runs,
  and every worker (on the same index) gives the same tag;
- a rendered answer is kept per worker (LRU within REGISTRY_PAGE_CACHE_BYTES) and sent again
  while its key holds.

A view that shows something else (a search that found nothing records a lead for regulators
each time; a degraded search is being repaired) calls `do_not_keep()`: its answer is neither
kept nor tagged by key. A visitor with a message waiting (flash) gets a fresh page.
"""
import hashlib
import threading
from functools import cache, wraps
from pathlib import Path

from cachetools import LRUCache
from flask import current_app, g, make_response, request, session

from . import search
from .config import LANGUAGES
from .i18n import preferred_language
from .services import agencies, audit
from .web import session_cookie_sent

PACKAGE = Path(__file__).resolve().parent


def build_id(config):
    """A digest of the code, templates, catalogs, country profiles and static files, and of the
    settings that show on pages (never the secrets): a deployment changes every key."""
    digest = hashlib.sha256(package_digest().encode())
    settings = sorted((k, repr(v)) for k, v in config.items() if k.startswith("REGISTRY_")
                      and "SECRET" not in k and "TOKEN" not in k
                      and not k.endswith("_DIR"))
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:16]


@cache
def package_digest():
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".mo":
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: No answer takes more than this share of the budget: a few big pages (a province's poster at
#: national scale) would otherwise push out the many agency pages.
LARGEST_SHARE = 20


def answer_size(answer):
    """Its body and headers, in bytes. A budget of bytes, not of answers: pages range from a
    few KB to hundreds, and made-up addresses must not be able to fill a worker's memory."""
    body, headers = answer
    return len(body) + sum(len(name) + len(value) for name, value in headers)


class PageCache:
    def __init__(self, app):
        self.build = build_id(app.config)
        budget = app.config["REGISTRY_PAGE_CACHE_BYTES"]
        self.answers = LRUCache(budget, getsizeof=answer_size) if budget else None
        self.largest = budget // LARGEST_SHARE
        self.lock = threading.Lock()

    def get(self, key):
        if self.answers is None:
            return None
        with self.lock:
            return self.answers.get(key)

    def put(self, key, answer):
        if self.answers is not None and answer_size(answer) <= self.largest:
            with self.lock:
                self.answers[key] = answer


def init_app(app):
    """After search.init_app: its catch-up runs before answer_early."""
    app.extensions["registry_pages"] = PageCache(app)
    app.before_request(answer_early)
    app.wsgi_app = Revalidate(app, app.wsgi_app)


class Revalidate:
    """WSGI middleware: a visitor without a session who holds the answer (If-None-Match) gets
    its 304 here, before Flask's request hooks and responses are built: a 304 is the evening a
    TV programme sends a million viewers to check their agency. What it answers is what
    answer_early would (the same key and tag); the rest goes to the app, and so does a request
    whose tag cannot be read (a database down)."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.cookie = app.config["SESSION_COOKIE_NAME"] + "="

    def __call__(self, environ, start_response):
        if ("HTTP_IF_NONE_MATCH" in environ and environ["REQUEST_METHOD"] in ("GET", "HEAD")
                and self.cookie not in environ.get("HTTP_COOKIE", "")):
            with self.app.request_context(environ):
                try:
                    tag = self.tag_held()
                except Exception:  # noqa: BLE001 - e.g. the database is down: the app answers
                    # as it answers any failure (its error page, JSON for the API) and logs it;
                    # out here it would be a bare 500, or the server's stack trace.
                    tag = None
                if tag:
                    headers = [("ETag", f'"{tag}"'), ("Cache-Control", "no-cache")]
                    if request.path.startswith("/api/"):
                        headers.append(("Vary", "Accept-Language"))
                    start_response("304 NOT MODIFIED", headers)
                    return []
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def tag_held():
        searches = kept_view()
        lang = (request.view_args or {}).get("lang")
        if searches is None or (lang is not None and lang not in LANGUAGES):
            return None
        page_key = key(searches, lang)
        tag = page_key and tag_of(page_key)
        return tag if tag and holds(tag) else None


def key(searches, lang=None):
    """The key of this request's answer, or None when it cannot be known (an index being
    built or repaired: answered afresh). `lang`: the address's, else negotiated (the API)."""
    parts = [current_app.extensions["registry_pages"].build, audit.version(),
             agencies.today().isoformat(), lang or getattr(g, "lang", None) or preferred_language(),
             request.path, request.query_string]
    if searches:
        try:
            parts.append(search.generation())
        except Exception:  # noqa: BLE001 - not ready or damaged: the view says so, uncached
            return None
    return repr(parts)


def holds(tag):
    """The visitor holds this answer: its tag is named (never `*`, which would answer 304 for
    an address that is now a 404, a redirect or a lead to count), weak or not: If-None-Match
    compares weakly (RFC 9110 §13.1.2), and nginx makes the tags of what it compresses weak."""
    wanted = request.if_none_match
    return not wanted.star_tag and wanted.contains_weak(tag)


def tag_of(page_key):
    return hashlib.sha256(page_key.encode()).hexdigest()[:32]


def waiting_message():
    """A message (flash) waits in the visitor's session (web.session_cookie_sent)."""
    return session_cookie_sent() and "_flashes" in session


def do_not_keep():
    g.page_not_kept = True


def kept(searches=False, reads=()):
    """Decorate a public GET view whose answer depends only on the key's parts: its 200
    answers are tagged by key, and kept. `searches`: the answer comes from the search index.
    `reads`: the query parameters the view reads; an address with any other is answered and
    tagged, not kept (see reads_only)."""
    reads = frozenset(name.encode() for name in reads)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            page_key = g.get("page_key")
            if page_key and response.status_code == 200 and not g.get("page_not_kept"):
                if reads_only(reads):
                    current_app.extensions["registry_pages"].put(
                        page_key, (response.get_data(), list(response.headers)))
                response.set_etag(tag_of(page_key))
            return response
        wrapper.page_kept = searches
        return wrapper
    return decorator


def reads_only(reads):
    """Each parameter of the address, as sent, is one the view reads, given once. The key holds
    the query as sent (pages link to their own address), so `?x=1`, `?x=2` … or `?&` would
    otherwise each keep an answer of their own: a crawler's way to fill a worker's memory."""
    if not request.query_string:
        return True
    names = [piece.partition(b"=")[0] for piece in request.query_string.split(b"&")]
    return len(set(names)) == len(names) and reads.issuperset(names)


def kept_view():
    """For this request's view: None if it is not `kept`, else whether it searches."""
    return getattr(current_app.view_functions.get(request.endpoint), "page_kept", None)


def answer_early():
    """Before the rest of the request's work (sign-in, address checks, the view): a 304 when
    the visitor holds this answer, or the kept answer. Runs after the rate limits and the
    index's catch-up (init_app), so both still hold for kept answers."""
    searches = kept_view()
    if searches is None or request.method not in ("GET", "HEAD") or waiting_message():
        return None
    page_key = g.page_key = key(searches)
    if page_key is None:
        return None
    tag = tag_of(page_key)
    if holds(tag):
        response = current_app.response_class(status=304)
    else:
        answer = current_app.extensions["registry_pages"].get(page_key)
        if answer is None:
            return None
        body, headers = answer
        response = current_app.response_class(body, 200, headers)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response
