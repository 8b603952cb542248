"""Blueprints whose routes live under a language prefix (/en/, /km/, /my/)."""
from flask import Blueprint, abort, current_app, g, request, url_for

from ..config import LANGUAGES
from ..i18n import COOKIE, preferred_language


def localised_blueprint(name, import_name):
    bp = Blueprint(name, import_name)
    bp.url_value_preprocessor(take_language)
    bp.url_defaults(add_language)
    # Flask runs these last-registered first: the ETag is computed before the cookie is set.
    bp.after_request(remember_language)
    bp.after_request(revalidate)
    return bp


def take_language(endpoint, values):
    if values and "lang" in values:
        g.lang = values.pop("lang")
        if g.lang not in LANGUAGES:
            g.lang = None
            abort(404)


def add_language(endpoint, values):
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = getattr(g, "lang", None) or preferred_language()


def switch_language(lang):
    """The same page and query in another language, through the cookie-setting route."""
    return url_for("public.language", code=lang, next=request.full_path.rstrip("?"))


def revalidate(response):
    """Public pages may be cached, but a cache asks again each time (ETag): a status can
    change the minute a sanction is approved. The address names the page's language."""
    if getattr(g, "lang", None):
        response.headers.setdefault("Content-Language", g.lang)
    if request.method == "GET" and response.status_code == 200 and not response.direct_passthrough:
        response.headers.setdefault("Cache-Control", "no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response


def remember_language(response):
    """A page read in a language sets that language for the addresses that have none
    (/verify/<reference>, /): someone who asked in Khmer reads the answer in Khmer."""
    lang = getattr(g, "lang", None)
    if lang and request.cookies.get(COOKIE) != lang and response.status_code < 400 \
            and response.status_code != 304:  # a 304 only confirms what the visitor has
        set_language_cookie(response, lang)
    return response


def set_language_cookie(response, lang):
    response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
