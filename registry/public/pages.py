"""Home, search results and the agency page."""
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from .. import limits, pagecache, search
from ..config import LANGUAGES
from ..i18n import negotiated, preferred_language
from ..normalise import clean_text
from ..services import agencies, clearances, leads, published, resurfacing
from ..status import STATUSES
from .localised import localised_blueprint, set_language_cookie, switch_language

bp = localised_blueprint("public", __name__)
MAX_PAGE = 500


@bp.app_context_processor
def page_helpers():
    return {"switch_language": switch_language, "profile": agencies.profile()}


@bp.route("/")
def root():
    return negotiated(redirect(url_for("public.home", lang=preferred_language())))


@bp.route("/language/<code>")
def language(code):
    """Remember the choice in a cookie, then show the same page in that language."""
    if code not in LANGUAGES:
        abort(404)
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    else:
        segments = parts.path.split("/")
        if len(segments) > 1 and segments[1] in LANGUAGES:
            segments[1] = code
        target = "/".join(segments) + (f"?{parts.query}" if parts.query else "")
    response = redirect(target)
    set_language_cookie(response, code)
    return response


@bp.route("/<lang>/")
@pagecache.kept()
def home():
    return render_template("public/home.html", total=agencies.counts())


FILTER_NOTICES = {
    "status": _l("The status filter was not understood and was ignored."),
    "province": _l("The province filter was not understood and was ignored."),
    "destination": _l("The destination filter was not understood and was ignored."),
}
#: The query parameters search_filters reads.
FILTERS = tuple(FILTER_NOTICES)


def search_filters(args):
    """Filters from the query string, and the names of those whose values make no sense."""
    profile = agencies.profile()
    chosen, rejected = {}, []
    status = args.get("status", "")
    province = args.get("province", "")  # as listed: KH-12, the codes the filter offers
    destination = args.get("destination", "").upper()
    for name, value, valid in (
        ("status", status, status in STATUSES),
        ("province", province, profile.province(province) is not None),
        ("destination", destination, len(destination) == 2 and destination.isascii()
         and destination.isalpha()),
    ):
        if valid:
            chosen[name] = value
        elif value:
            rejected.append(name)
    return chosen, rejected


def page_number(args):
    value = args.get("page", "1")
    if len(value) <= 6 and value.isascii() and value.isdigit() and int(value) > 0:
        return min(int(value), MAX_PAGE)
    return 1


@bp.route("/<lang>/search")
@limits.search
@pagecache.kept(searches=True, reads=("q", "page", *FILTERS))
def search_page():
    q, converted = search.typed_query(request.args.get("q", ""))
    filters, rejected = search_filters(request.args)
    notices = [FILTER_NOTICES[name] for name in rejected]
    if converted:
        notices.append(_l("Your search was typed in Zawgyi. We changed it to Unicode Burmese "
                          "to search."))
    page = page_number(request.args)
    per_page = current_app.config["RESULTS_PER_PAGE"]
    results = search.query(q, limit=per_page, offset=(page - 1) * per_page, **filters)
    rows = [(a, agencies.status_of(a)) for a in agencies.get_many(results.agency_ids,
                                                                      agencies.LISTED)]
    pages = max(1, -(-results.total // per_page))
    if page > pages:
        return redirect(url_for("public.search_page", q=q, page=pages, **filters))
    if rows and not results.exact:
        notices.append(NOT_EXACT)
    nothing = nothing_kind(q, results)
    lookalikes = nothing_found(q, filters) if nothing in ("identifier", "name") else []
    return render_template("public/search.html", q=q, filters=filters, notices=notices,
                           rows=rows, total=results.total, page=page, pages=pages,
                           searched=bool(q or filters), lookalikes=lookalikes,
                           nothing=nothing)


# i18n: shown above search results that only resemble what was typed
NOT_EXACT = _l("No agency has exactly this name. These names are close to it: check the licence "
               "number before you pay anyone.")


def nothing_kind(q, results):
    """What a search that found nothing may honestly say (wording.NOTHING_FOUND), or None.
    "No licence on record" only for a licence or phone number that the registry (index and
    database) does not hold; a name may be spelt another way."""
    if results.degraded or not results.total:
        # A search that found nothing counts as a lead each time (nothing_found); answers of
        # an index under repair are temporary: neither is kept (pagecache.py).
        pagecache.do_not_keep()
    if results.total:
        return None
    if not q:
        return "filters"
    if leads.classify(q, agencies.profile().phone_region)[0] != "name":
        return "identifier"
    return "repairing" if results.degraded else "name"


def nothing_found(q, filters, limit=5):
    """A search that found nothing: count it as a lead for regulators (the text and a daily
    count only), and return the licensed agencies whose names look like it, with their status
    as of today, because a broker often borrows a licensed agency's name."""
    # HEAD: a link checker or crawler looking, not a person searching.
    if request.method != "HEAD" and (not filters or not search.query(q, limit=1).total):
        leads.record_unmatched(q, agencies.profile().phone_region, client=request.remote_addr)
    found = agencies.get_many(search.lookalikes(q, limit), agencies.LISTED)
    return [(a, status) for a, status in ((a, agencies.status_of(a)) for a in found)
            if status.code == "licensed"]


@bp.route("/<lang>/agencies/<path:licence_number>")
@pagecache.kept()
def agency(licence_number):
    record, licence = agencies.find(licence_number[:100])
    if record is None:
        return render_template("public/not_found.html", query=clean_text(licence_number)[:100]), 404
    if record.licence_number != licence_number:
        # One address per agency: older licence numbers and other spellings lead to it for
        # good; its permanent id to wherever its newest licence is today.
        return redirect(url_for("public.agency", licence_number=record.licence_number),
                        301 if licence else 302)
    record = agencies.get_many([record.id])[0]
    today = agencies.today()
    return render_template(
        "public/agency.html", agency=record, status=agencies.status_of(record, today),
        sanctions=published.sanctions_of(record),
        ads=[(c, clearances.airing_of(c, today)) for c in clearances.public_of(record)],
        summary=agencies.complaint_summary(record), today=today, lang=g.lang,
        shared=resurfacing.links_of(record, today))
