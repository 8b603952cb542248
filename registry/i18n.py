"""Locale selection and the language of each page: the URL prefix decides (/km/..., /my/...)."""
from babel import Locale
from flask import current_app, g, request
from flask_babel import format_currency, format_date, format_datetime, get_locale

from . import countries, wording
from .config import LANGUAGES, ROOT_TRANSLATIONS

LANGUAGE_NAMES = {"en": "English", "km": "ខ្មែរ", "my": "မြန်မာ"}
COOKIE = "lang"


def init_app(app, babel):
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT_TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, current_lang=current_lang,
        country_name=country_name, text_in=text_in, wording=wording,
        format_date=format_date, format_datetime=format_datetime,
        format_currency=format_currency,
    )


def select_locale():
    if not request:
        return "en"  # the command line speaks to the operator, in English
    lang = getattr(g, "lang", None)
    if lang in LANGUAGES:
        return lang
    return preferred_language()


def preferred_language():
    """Cookie, then Accept-Language, then the country profile's default.

    The API speaks to programs: Accept-Language, else English."""
    if request and request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES) or "en"
    if request:
        cookie = request.cookies.get(COOKIE)
        if cookie in LANGUAGES:
            return cookie
        best = request.accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return countries.for_config(current_app.config).default_language


def current_lang():
    return str(get_locale() or "en")


def country_name(code, lang=None):
    """Destination names from CLDR, in the page's language."""
    lang = lang or current_lang()
    return Locale.parse(lang).territories.get(code, code)


def text_in(values, lang=None):
    """(text, language) for a value in three scripts: the page's language, else English, else
    any; the caller marks text that is not in the page's language with its `lang`."""
    lang = lang or current_lang()
    for candidate in (lang, "en", "km", "my"):
        if values.get(candidate):
            return values[candidate], candidate
    return "", lang
