"""Public searches that found nothing, kept as leads on unlicensed recruiters (DESIGN section 7).

A name, licence number or phone number that people look up and the registry does not know is
often a broker working without a licence. Regulators see what was searched for and how many
times a day: the normalised text, what kind of thing it looked like, and a count. Nothing
about who searched (no address, no session, no time of day) is ever written.

A reader counts once a day for a text, and for at most CLIENT_LEADS_A_DAY texts (issue 15): a
crawler or a fuzzer repeating or varying queries is one reader, not a wave of leads. What
tells readers apart is a keyed hash of the address and the day, kept for a day in the rate
limiter's store (memory, or Redis shared by workers and nodes), never in the database.
"""
import hashlib
import hmac
import logging
import re
from datetime import date

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..limits import counter
from ..models import UnmatchedSearch
from ..normalise import clean_text, licence_key, looks_like_phone, phone_key

log = logging.getLogger(__name__)
MAX_TEXT = 200
#: How many different texts one reader's searches count as leads in a day.
CLIENT_LEADS_A_DAY = 30
DAY_SECONDS = 24 * 3600


def classify(text, region):
    """('phone' | 'licence' | 'name', the text normalised so that one lead is one row)."""
    text = clean_text(text)
    if looks_like_phone(text):
        return "phone", phone_key(text, region) or re.sub(r"\D", "", text)
    key = licence_key(text)
    digits = sum(c.isdigit() for c in key)
    # Licence numbers are mostly digits with a few letters; names carry a digit at most.
    if digits >= 3 and digits >= 0.3 * len(key) and len(text.split()) <= 4:
        return "licence", key[:MAX_TEXT]
    return "name", " ".join(text.casefold().split())[:MAX_TEXT]


def first_sighting(client, kind, text, day):
    """Whether this reader's search counts: the first of this text today, and within the
    reader's daily allowance of texts."""
    secret = current_app.config["SECRET_KEY"].encode()

    def key(*parts):
        message = "|".join(map(str, (day, client, *parts))).encode()
        return "lead:" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
    store = counter().storage
    if store.incr(key(kind, text), DAY_SECONDS) > 1:
        return False
    return store.incr(key(), DAY_SECONDS) <= CLIENT_LEADS_A_DAY


def record_unmatched(text, region, on=None, client=None):
    """Count one more search for `text` today, unless `client` (the reader's address) already
    counted for it today or has used up its allowance. Safe when many workers record the same
    text at once (one atomic insert-or-increment); a failure is logged, never raised, because
    a migrant's search matters more than a lead."""
    kind, normalised = classify(text, region)
    if not normalised:
        return
    if client is not None and not first_sighting(client, kind, normalised, on or date.today()):
        return
    table = UnmatchedSearch.__table__
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(db.engine.dialect.name)
    if dialect is None:  # pragma: no cover - the registry runs on SQLite or PostgreSQL
        log.warning("unmatched searches are not recorded on %s", db.engine.dialect.name)
        return
    statement = dialect.insert(table).values(
        day=on or date.today(), kind=kind, text=normalised, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "kind", "text"], set_={"count": table.c.count + 1})
    try:
        # Its own short transaction: the request's session may hold a read transaction, and
        # nothing else of the request should be committed with it.
        with db.engine.begin() as connection:
            connection.execute(statement)
    except Exception as error:  # noqa: BLE001 - see the docstring
        # The error's text would carry the searched text into the log: name the error only.
        log.warning("could not record an unmatched search: %s", type(error).__name__)
