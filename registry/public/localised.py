"""Blueprints whose routes live under a language prefix (/en/, /km/, /my/)."""
from flask import Blueprint, abort, current_app, g, request, url_for

from ..config import LANGUAGES
from ..i18n import preferred_language


def localised_blueprint(name, import_name):
    bp = Blueprint(name, import_name)
    bp.url_value_preprocessor(take_language)
    bp.url_defaults(add_language)
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
    change the minute a sanction is approved."""
    if request.method == "GET" and response.status_code == 200 and not response.direct_passthrough:
        response.headers.setdefault("Cache-Control", "no-cache")
        if "Set-Cookie" not in response.headers:
            response.add_etag()
            response.make_conditional(request)
    return response
