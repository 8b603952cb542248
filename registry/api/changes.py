"""GET /api/v1/agencies: every agency, page by page, and what changed since a moment (issue 15).

For re-users who keep a copy: walk it all once, then ask for what changed since the `as_of` of
that walk. Search (views.search_agencies) ranks and stops at offset 10,000; this lists, with
no end (services.listing says how).

The cursor is readable on purpose, `<as_of, Unix seconds>.<last permanent id seen>`, and every
value of that form is a valid one: it only says where to go on, and anyone may start anywhere
(the registry is public), so there is nothing to protect by signing it; a signed one would also
be refused after a change of REGISTRY_SECRET_KEY, and would make the OpenAPI document's
pattern, which the contract test holds the code to, a lie."""
import re
from datetime import UTC, date, datetime, time, timedelta

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from .. import limits
from ..models import AGENCY_ID, utcnow
from ..services import agencies, listing
from ..urls import absolute
from . import serialize
from .views import BadRequest, bounded_int, bp

#: A day (YYYY-MM-DD) that exists, then optionally a time of day with its offset from UTC
#: (RFC 3339 without leap seconds). The same text is the pattern in openapi.json: any value
#: it allows is answered, any other refused.
DAY = ("(?:(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:(?:0[1-9]|1[0-2])-"
       "(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|"
       "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
       "-02-29)")
TIME = ("T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
        "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])")
CHANGED_SINCE = re.compile(f"^{DAY}(?:{TIME})?$")
CURSOR = re.compile(f"^([0-9]{{1,10}})\\.({AGENCY_ID.pattern})$")
#: The ends of time a moment is held to, a day inside what a datetime holds in any time zone.
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 29, tzinfo=UTC)
#: How long before a walk's first page its `as_of` is: a write is stamped a moment before its
#: transaction commits (a large import, minutes), and the next walk from `as_of` must not miss
#: one that was still being committed. Listed twice is harmless; missed is not.
AS_OF_MARGIN = timedelta(minutes=10)


def utc_text(naive):
    return naive.isoformat() + "Z"


def moment(text):
    """The moment a changed_since value names (aware). A day alone is its first moment, in
    the registry's days (which turn at midnight, services.listing.day_start)."""
    day = date.fromisoformat(text[:10])
    try:
        given = datetime.fromisoformat(text) if len(text) > 10 else (
            datetime.combine(day, time()).astimezone())
        given = given.astimezone(UTC)
    except (OverflowError, ValueError):  # near the first or last day a datetime holds
        given = EARLIEST if day.year == 1 else LATEST
    return min(max(given, EARLIEST), LATEST)


@bp.get("/agencies")
@limits.search
def list_agencies():
    limit = bounded_int("limit", 100, 1, 1000)
    since = request.args.get("changed_since")
    if since is not None and not CHANGED_SINCE.fullmatch(since):
        raise BadRequest(_l("changed_since must be a date (2026-01-31) or a date and time "
                            "with its offset from UTC (2026-01-31T08:00:00Z)"))
    since = moment(since) if since is not None else None
    cursor = request.args.get("cursor")
    position = CURSOR.fullmatch(cursor) if cursor is not None else None
    if cursor is not None and not position:
        raise BadRequest(_l("cursor: this is not a cursor that this list gave. Start again "
                            "from the first page."))
    if position:
        as_of, after = datetime.fromtimestamp(int(position[1]), UTC), position[2]
    else:
        # To the minute: the first page's answer (and its ETag) stays the same for a minute.
        as_of, after = (utcnow() - AS_OF_MARGIN).replace(second=0, microsecond=0,
                                                          tzinfo=UTC), None
    found, more = listing.page(after, limit, since)
    today = agencies.today()
    turns = listing.flag_turns([a.id for a in found], today)
    following = None
    if more:
        following = absolute("api.list_agencies", **(request.args.to_dict() | {
            "cursor": f"{int(as_of.timestamp())}.{found[-1].public_id}"}))
    response = jsonify({
        "changed_since": utc_text(since.replace(tzinfo=None)) if since else None,
        "as_of": utc_text(as_of.replace(tzinfo=None)),
        "results": [{**serialize.search_result(a),
                     "changed_at": utc_text(listing.changed_at(a, today, turns[a.id]))}
                    for a in found],
        "next": following,
    })
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response
