"""JSON API v1 (read-only), documented by openapi.json beside this file."""
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import MethodNotAllowed

from .. import limits, pagecache, search
from ..i18n import preferred_language
from ..urls import absolute
from ..public.pages import FILTERS, nothing_found, nothing_kind, search_filters
from ..services import agencies, signing, verification
from ..web import error_response
from ..wording import NOTHING_FOUND
from . import serialize

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: CORS (the Fetch standard's CORS protocol): what any origin's scripts may read of an answer,
#: besides the body: the headers that page and revalidate.
CROSS_ORIGIN = [("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "Link, ETag, Content-Language, Location")]


@bp.after_request
def cross_origin(response):
    """Any page elsewhere may call the API: GET, and POST for a bulk check. The record is
    public and no request carries credentials, so `*` answers every origin, and an answer is
    the same for all of them (no Vary: Origin). A preflight (OPTIONS) is told the method the
    address takes and that any header it asks for may be sent."""
    response.headers.extend(CROSS_ORIGIN)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = (
            "POST" if request.path == "/api/v1/verify/batch" else "GET")
        asked = request.headers.get("Access-Control-Request-Headers")
        if asked:
            response.headers["Access-Control-Allow-Headers"] = asked
    return response


#: Results are reachable up to this offset: a ranking's far pages say little and cost much.
#: Going through everything is the listing's work (changes.py: by cursor, no end).
MAX_OFFSET = 10000


class BadRequest(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


#: The request headers that make an answer conditional (RFC 9110 section 13, and Range): the
#: others are answered as they are (gunicorn or nginx adds the Date).
CONDITIONAL = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE",
                         "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE"})


@bp.after_request
def caching(response):
    """Answers change when the registry does, and at midnight: a cache keeps them but asks
    again each time (ETag, If-None-Match -> 304). A check mints a receipt: never cached.
    Messages (errors, 'nothing found') follow Accept-Language."""
    if request.path == "/api/v1/verify/batch" and "Allow" in response.headers:
        response.headers["Allow"] = "OPTIONS, POST"  # not the catch-all route's GET
    response.vary.add("Accept-Language")
    if "Content-Language" not in response.headers:
        response.headers["Content-Language"] = preferred_language()
    if request.endpoint in ("api.verify", "api.verify_batch"):
        response.headers["Cache-Control"] = "no-store"
    elif request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers.setdefault("Cache-Control", "no-cache")
        response.add_etag()
        if not CONDITIONAL.isdisjoint(request.environ):
            response.make_conditional(request)
    return response


@bp.errorhandler(BadRequest)
def bad_request(error):
    return error_response(400, error.message)


def bounded_int(name, default, low, high):
    raw = request.args.get(name)
    if raw is None:  # left out; given empty is refused like any other non-number
        return default
    if not (len(raw) <= 6 and raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(_l("%(name)s must be a whole number from %(low)d to %(high)d",
                            name=name, low=low, high=high))
    return int(raw)


@bp.get("/search")
@limits.search
@pagecache.kept(searches=True, reads=("q", "limit", "offset", *FILTERS))
def search_agencies():
    q, converted = search.typed_query(request.args.get("q", ""))
    limit = bounded_int("limit", 20, 1, 100)
    offset = bounded_int("offset", 0, 0, MAX_OFFSET)
    filters, rejected = search_filters(request.args)
    if rejected:
        raise BadRequest(_l("%(name)s: this value is not known", name=rejected[0]))
    results = search.query(q, limit=limit, offset=offset, **filters)
    found = agencies.get_many(results.agency_ids, agencies.LISTED)
    body = {"query": q, "zawgyi_converted": converted, "total": results.total,
            "results": [serialize.search_result(a) for a in found]}
    nothing = nothing_kind(q, results)  # and whether the answer may be kept
    if nothing and q and not offset:
        body["nothing_found"] = {"kind": nothing, "message": str(NOTHING_FOUND[nothing])}
        if nothing in ("identifier", "name"):
            body["lookalikes"] = [serialize.search_result(a)
                                  for a, _ in nothing_found(q, filters)]
    response = jsonify(body)
    links = page_links(offset, limit, results.total)
    if links:
        response.headers["Link"] = links
    return response


def page_links(offset, limit, total):
    """RFC 8288 links to the previous and next pages of results, as far as offsets reach."""
    pages = {"prev": max(0, offset - limit) if offset else None,
             "next": offset + limit if offset + limit < min(total, MAX_OFFSET + 1) else None}
    return ", ".join(
        f'<{absolute("api.search_agencies", **(request.args.to_dict() | {"offset": at}))}>; '
        f'rel="{rel}"' for rel, at in pages.items() if at is not None)


@bp.get("/agencies/<path:licence_number>")
@pagecache.kept()
def agency(licence_number):
    record, _ = agencies.find(licence_number[:100])
    if record is None:
        return error_response(404, _l("No licence on record: do not pay fees to this agency."))
    return jsonify(serialize.agency_record(agencies.get_many([record.id])[0]))


@bp.get("/verify")
@limits.verify
def verify():
    # The spec's rule (openapi.json): licence, phone or clearance, and each one given holds a
    # letter or digit (verification.MEANINGFUL); anything else is refused, never answered
    # with a receipt of nothing.
    given = {name: request.args[name] for name in verification.KINDS if name in request.args}
    if not given or not all(map(verification.meaningful, given.values())):
        raise BadRequest(_l("Give licence=…, phone=… or clearance=…"))
    if request.method == "HEAD":  # looking at the address mints no receipt (issue 15)
        return Response(status=200, content_type="application/json")
    return signed(verification.verify(**given))


def signed(record):
    """The answer is the signed payload; the signature and how to check it come beside it."""
    return jsonify({**record.answer, "signature": record.signature, "alg": signing.ALG,
                    "key_id": signing.key_id()})


@bp.post("/verify/batch")
@limits.bulk
def verify_batch():
    """A bulk check: {"items": ["KH-MLVT-2024-0012", "+855 12 345 678", …]}, at most
    MAX_BATCH, each a licence, phone or clearance number (told apart by the registry)."""
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= verification.MAX_BATCH \
            or not all(map(batch_item, items)):
        raise BadRequest(_l("Send a JSON object {\"items\": [...]} with 1 to %(most)d numbers, "
                            "each a text of up to %(longest)d characters with a letter or "
                            "digit.", most=verification.MAX_BATCH,
                            longest=verification.MAX_QUERY))
    record = verification.verify_many(items)
    return signed(record), 201, {"Location": record.answer["url"]}


def batch_item(text):
    """The spec's rule for one number of a bulk check (a JSON string may also hold half of a
    surrogate pair, which no database stores: refused too)."""
    if not (verification.meaningful(text) and len(text) <= verification.MAX_QUERY):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def openapi_document():
    return _document(agencies.profile().code)


@cache
def _document(country):
    """openapi.json with the province filter's codes: the deployment's own (the file says
    only their shape, and a code of another country is refused)."""
    document = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))
    codes = [p.code for p in agencies.profile().provinces]
    for parameter in document["paths"]["/api/v1/search"]["get"]["parameters"]:
        if parameter["name"] == "province":
            parameter["schema"] = {"type": "string", "enum": ["", *codes]}
    return document


@bp.route("/<path:anything>")
def unknown(anything):
    if anything == "verify/batch":  # the catch-all's GET, for the POST-only address
        raise MethodNotAllowed(valid_methods=["POST"])
    abort(404)
