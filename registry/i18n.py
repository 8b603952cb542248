"""Locale selection and the language of each page: the URL prefix decides (/km/..., /my/...)."""
import logging
import os
import tempfile
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_date, get_timezone, get_timezone_name
from babel.messages.mofile import write_mo
from babel.numbers import format_currency as babel_currency
from babel.units import format_unit
from babel.messages.pofile import read_po
from flask import current_app, g, request
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from flask_babel import format_date, format_time, get_locale, get_translations

from . import countries, wording
from .urls import absolute
from .config import LANGUAGES, TRANSLATIONS

LANGUAGE_NAMES = {"en": "English", "km": "ខ្មែរ", "my": "မြန်မာ"}
COOKIE = "lang"


log = logging.getLogger(__name__)


def compile_catalogs(source, target):
    """Compile every catalog under `source` into `target` whose compiled form is missing or
    older than it. Done at start, so every way of installing the registry (make, pip install,
    a wheel) serves translated pages, and a changed catalog takes effect at the next start."""
    for po in sorted(Path(source).glob("*/LC_MESSAGES/messages.po")):
        mo = Path(target) / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        temporary = mo.with_name(f".{mo.name}.{os.getpid()}")
        with open(temporary, "wb") as f:
            write_mo(f, catalog)
        os.replace(temporary, mo)  # workers starting together never read half a file
    return Path(target)


def catalogs_folder(app):
    """Compiled catalogs in the instance folder, or a temporary one if that is read-only."""
    try:
        return compile_catalogs(TRANSLATIONS, Path(app.instance_path) / "translations")
    except OSError:
        log.warning("instance folder not writable: catalogs compiled into a temporary folder")
        return compile_catalogs(TRANSLATIONS, tempfile.mkdtemp(prefix="registry-catalogs-"))


def init_app(app, babel):
    # Flask-Babel resolves relative paths against the package, so this one is absolute.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(catalogs_folder(app))
    # Times are stored in UTC and shown in the ministry's time zone, named.
    app.config["BABEL_DEFAULT_TIMEZONE"] = countries.for_config(app.config).timezone
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, current_lang=current_lang,
        country_name=country_name, text_in=text_in, wording=wording,
        format_day=format_day, format_moment=format_moment, format_money=format_money,
        format_size=format_size, absolute_url=absolute,
    )
    app.jinja_env.filters["nobreak"] = nobreak
    app.jinja_env.filters["digits"] = in_digits
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(s), ngettext=ngettext_in_digits,
        newstyle=True)


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
        return asked_language(request.headers.get("Accept-Language")) or "en"
    if request:
        cookie = request.cookies.get(COOKIE)
        if cookie in LANGUAGES:
            return cookie
        best = asked_language(request.headers.get("Accept-Language"))
        if best:
            return best
    return countries.for_config(current_app.config).default_language


@lru_cache(maxsize=256)
def asked_language(header):
    """The one of LANGUAGES an Accept-Language header prefers, or None. Kept per header:
    visitors send a few dozen different ones, and a kept API answer asks twice (its key, its
    Content-Language): 7 % of it under cProfile, issue 10."""
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


def negotiated(response):
    """Mark a response whose language was chosen from the request's cookie and
    Accept-Language (RFC 9110: Vary), so that caches keep one copy per language."""
    response.vary.update(("Accept-Language", "Cookie"))
    return response


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


DIGITS = {"km": str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"),
          "my": str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")}


def in_digits(text, lang=None):
    """`text` with the digits of the page's language, where the country profile says its
    readers use them (native_digits); else as it is."""
    lang = lang or current_lang()
    if lang in countries.for_config(current_app.config).native_digits:
        return str(text).translate(DIGITS[lang])
    return text


def ngettext_in_digits(singular, plural, num):
    """Flask-Babel's ngettext, with the count in the page's digits (Jinja formats the rest)."""
    text = get_translations().ungettext(singular, plural, num)
    return text.replace("%(num)d", in_digits(str(num)).replace("%", "%%"))


def format_day(value):
    """A date as people of the page's language write it: month names in full in Burmese,
    where the short forms (ဩ, နို) read badly. Takes ISO strings too (a stored receipt's)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    lang = current_lang()
    width = "long" if lang == "my" else "medium"
    # A moment (datetime) is shown in the ministry's time zone, through Flask-Babel.
    text = (_cldr_day(value, width, str(get_locale())) if type(value) is date
            else format_date(value, width))
    return in_digits(text, lang)


@lru_cache(maxsize=4096)
def _cldr_day(value, width, locale):
    # An agency page at 100,000 agencies writes some 27 dates (complaints, sanctions,
    # licences), most of them seen before: CLDR's formatting is done once per day and language.
    return babel_date(value, width, locale=locale)


def format_moment(value):
    """A time in the ministry's time zone, in the locale's own form, with the zone named:
    '28 Nov 2026, 14:06 (Indochina Time)'. Khmer pages use the 24-hour clock: CLDR's Khmer
    AM/PM markers are the English ones."""
    lang = current_lang()
    clock = "h:mm a" if lang == "en" else "HH:mm"
    zone = get_timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return f"{format_day(value)}, {in_digits(format_time(value, clock))} " \
           f"({get_timezone_name(zone, width='long', locale=lang)})"


def format_size(size):
    """A file's size in decimal kilobytes or megabytes, as CLDR writes them in the page's
    language: '1.2 MB'."""
    unit, value = ("digital-megabyte", size / 1e6) if size >= 1e6 else (
        "digital-kilobyte", size / 1e3)
    return in_digits(format_unit(value, unit, length="short", format="#,##0.#",
                                 locale=current_lang()))


def format_money(amount, currency):
    """An amount with the digits the country uses for its currency (no decimals for the riel,
    though ISO 4217 gives it two), in the page's language. Takes decimal strings too (a stored
    receipt's)."""
    amount = Decimal(str(amount))
    lang = current_lang()
    digits = countries.for_config(current_app.config).currency_digits.get(currency)
    if digits is None:
        return in_digits(babel_currency(amount, currency, locale=lang))
    pattern = Locale.parse(lang).currency_formats["standard"].pattern.split(";")[0]
    whole = pattern.replace(".00", "" if digits == 0 else "." + "0" * digits)
    return in_digits(babel_currency(round(amount, digits), currency, format=whole, locale=lang,
                                    currency_digits=False))


def nobreak(value):
    """A number, reference or phone kept on one line (it reads wrong split at a hyphen)."""
    return Markup('<span class="nobreak">%s</span>') % value
