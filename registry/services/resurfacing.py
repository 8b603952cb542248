"""Agencies that resurface (issue 11, third part): a revoked or suspended agency often reopens
under a new name with the same phone, page or address. Reads only.

"Flagged": an agency revoked or suspended today, or with a binding revocation or suspension
that took effect in the last five years. `links_of(agency)` lists the flagged *other* agencies
that share a declared channel or a head-office address with it; `all_pairs()` every such pair,
for the regulators' dashboard. Both in a fixed number of queries, whatever the registry's size.
"""
import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, or_, select, union
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import AddressKey, Agency, Channel, Licence, Sanction
from ..status import BINDING_STATES
from . import agencies, audit

#: How far back a revocation or suspension makes an agency's phones and pages a lead.
FLAG_DAYS = 5 * 365
#: The sanctions that flag an agency.
FLAGGING = ("revocation", "suspension")
ADDRESS_LANGS = ("en", "km", "my")

# The second copies of tables the queries join to themselves, made once: SQLAlchemy keeps what
# it worked out for an alias (its columns, its statements' cache keys) on the alias, so a new
# one per query did all of it again (most of a dashboard's catch-up after a change, issue 10).
NEWER_LICENCE = aliased(Licence)
OTHER_CHANNEL = aliased(Channel)
PAIRED = {table: (aliased(table), aliased(table)) for table in (Channel, AddressKey)}


@dataclass(frozen=True)
class Link:
    """One thing an agency shares with a flagged agency."""
    #: A channel kind ("phone", "facebook"…) or "address".
    kind: str
    #: The shared value as the agency wrote it.
    value: str
    #: The flagged agency.
    other: Agency
    #: The revocation or suspension that flagged it (a Flag: kind, effective_from).
    sanction: "Flag"


@dataclass(frozen=True)
class Flag:
    """The revocation or suspension that flags an agency: what a page says of it."""
    kind: str
    effective_from: date
    sanction_id: int


def flagging_query(on):
    """Binding revocations and suspensions that flag their agency on `on`: in effect today (the
    status rule's revoked or suspended), or taken effect within FLAG_DAYS. Columns only: a
    registry holds thousands, and the dashboard's pairs read them all."""
    newer = NEWER_LICENCE
    # A licence issued after a revocation took effect is the agency licensed afresh (status.py).
    relicensed = exists().where(newer.agency_id == Sanction.agency_id,
                                newer.issued_on > Sanction.effective_from, newer.issued_on <= on)
    # Most sanctions are binding, so the state's index narrows nothing; written as an
    # expression, it cannot be chosen over the agency's (SQLite, without statistics, would
    # read every binding sanction for an agency page's few agencies: 40 ms against 0.1).
    binding = Sanction.state.concat("").in_(BINDING_STATES)
    return select(Sanction.agency_id, Sanction.kind, Sanction.effective_from, Sanction.id).where(
        Sanction.kind.in_(FLAGGING), binding,
        Sanction.effective_from <= on,
        or_(Sanction.effective_from >= on - timedelta(days=FLAG_DAYS),
            and_(Sanction.kind == "suspension",
                 or_(Sanction.effective_to.is_(None), Sanction.effective_to >= on)),
            and_(Sanction.kind == "revocation", ~relicensed)))


def flagged(on=None, among=None):
    """{agency id: the Flag}, the sanction that took effect last, of every agency or only of
    the ids `among`. One query."""
    query = flagging_query(on or agencies.today())
    if among is not None:
        query = query.where(Sanction.agency_id.in_(sorted(among)))
    by_agency = {}
    for agency_id, kind, effective_from, sanction_id in db.session.execute(query):
        kept = by_agency.get(agency_id)
        if kept is None or (effective_from, sanction_id) > (kept.effective_from,
                                                            kept.sanction_id):
            by_agency[agency_id] = Flag(kind, effective_from, sanction_id)
    return by_agency


def sharing(narrow, pairs=False):
    """SQL: two selects, by channel key and by head-office address key, of the agencies that
    share something with those `narrow(agency id column)` holds for (a value, or a column to
    correlate with): their ids, or with `pairs` (agency_id, other). Wider than links_of
    (families and flags aside): they say whose `shared_with` may change."""
    selects = []
    for table, key in ((Channel, "lookup_key"), (AddressKey, "key")):
        mine, theirs = PAIRED[table]
        columns = (mine.agency_id, theirs.agency_id.label("other")) if pairs else (
            theirs.agency_id,)
        selects.append(select(*columns).join(mine, getattr(mine, key) == getattr(theirs, key))
                       .where(narrow(mine.agency_id), getattr(mine, key) != "",
                              theirs.agency_id != mine.agency_id))
    return selects


def sharing_ids(agency_id):
    """The agencies whose `shared_with` a change to `agency_id` may change: those sharing
    something with it, if it has a revocation or suspension (in any state: one being approved
    or overturned is the change); else none, as it can flag nobody."""
    if db.session.scalar(select(Sanction.id).where(
            Sanction.agency_id == agency_id, Sanction.kind.in_(FLAGGING)).limit(1)) is None:
        return []
    return db.session.scalars(union(*sharing(lambda mine: mine == agency_id))).all()


def family(kind, key):
    """Which keys may be compared: a phone number is one whether declared as a phone or a Viber
    account; a handle only against the same kind (a Telegram '@joy' is not the page 'joy')."""
    return "phone" if key.startswith("+") or key.isdigit() else kind


def shared_addresses(narrow):
    """(agency id, its address as written, other agency id) for each head-office address two
    agencies share, by the stored keys' index (agency_edits.set_address_keys); `narrow(mine,
    theirs)` is the condition on the two keys' rows. Addresses too short to have a key have no
    row, so they are never compared."""
    mine, theirs = PAIRED[AddressKey]
    written = case({lang: getattr(Agency, f"address_{lang}") for lang in ADDRESS_LANGS},
                   value=mine.lang)
    return db.session.execute(
        select(mine.agency_id, written, theirs.agency_id)
        .join(theirs, theirs.key == mine.key).join(Agency, Agency.id == mine.agency_id)
        .where(theirs.agency_id != mine.agency_id, narrow(mine, theirs)))


def links_of(agency, on=None):
    """The flagged other agencies that share a channel or an address with `agency`, as Links
    ordered by the other's English name. A fixed number of queries by index, whatever the
    registry's size: only the agencies it shares something with are asked whether they are
    flagged."""
    shared = set()  # (other id, kind, value)
    mine = {c.lookup_key: c for c in agency.channels if c.lookup_key}
    if mine:
        for other_id, kind, key in db.session.execute(
                select(Channel.agency_id, Channel.kind, Channel.lookup_key)
                .where(Channel.lookup_key.in_(list(mine)), Channel.agency_id != agency.id)):
            own = mine[key]
            if family(own.kind, key) == family(kind, key):
                shared.add((other_id, own.kind, own.value))
    for _, text, other_id in shared_addresses(lambda own, _: own.agency_id == agency.id):
        shared.add((other_id, "address", text))
    flags = flagged(on, among={other_id for other_id, _, _ in shared}) if shared else {}
    return links(agency, {k: flags[k[0]] for k in shared if k[0] in flags})


def links(agency, found):
    others = {a.id: a for a in agencies.get_many(sorted({k[0] for k in found}), agencies.LISTED)}
    rows = [Link(kind, value, others[other_id], sanction)
            for (other_id, kind, value), sanction in found.items()]
    return sorted(rows, key=lambda link: (link.other.name_en.casefold(), link.other.id,
                                          link.kind, link.value))


def all_pairs(on=None, limit=None):
    """Every (agency, Link) in the registry, or the newest `limit`: each agency sharing a
    channel or an address with a flagged other agency, newest sanction first. The pairs are
    found by a few set-based queries (kept, and caught up on each change); only the agencies
    shown are loaded."""
    keys = pair_keys(on or agencies.today(), limit)
    loaded = {a.id: a for a in agencies.get_many(
        sorted({k[0] for k in keys} | {k[1] for k in keys}), agencies.LISTED)}
    return [(loaded[agency_id], Link(kind, value, loaded[other_id], sanction))
            for agency_id, other_id, kind, value, sanction in keys]


def pair_keys(on, limit=None):
    """[(agency id, flagged other id, kind, value, Flag)], newest sanction first, or the first
    `limit` of them."""
    _, found, ordered = _kept(on)
    return [(agency_id, other_id, kind, value, found[(agency_id, other_id, kind, value)])
            for _, other_id, agency_id, kind, value in ordered[:limit]]


def pair_count(on):
    return len(_kept(on)[1])


def _kept(on):
    """(flags, {(agency id, other id, kind, value): Flag}, their order), kept by the app and
    caught up on each change from the agencies it touched (audit.kept_until_changed with
    catch_up): at 100,000 agencies finding every pair afresh takes 1.5-2 s, a change's few
    agencies milliseconds."""
    return audit.kept_until_changed("registry_pairs", _all_found, on, catch_up=_caught_up)


def _order(key, flag):
    """A pair's place: newest sanction first, then by the other's and the agency's id."""
    agency_id, other_id, kind, value = key
    return (-flag.effective_from.toordinal(), other_id, agency_id, kind, value)


def _all_found(on):
    flags = flagged(on)
    found = _found(flags, theirs=list(flags)) if flags else {}
    return flags, found, sorted(_order(k, flag) for k, flag in found.items())


def _caught_up(kept, entries, on):
    """The pairs after `entries`: those of the agencies they touched are found again, as the
    agency (its channels and addresses) and as the flagged other (its flag too), and put in
    their places in the kept order."""
    touched = agencies.touched_by(entries)
    if not touched:
        return kept
    flags = {k: v for k, v in kept[0].items() if k not in touched} | flagged(on, among=touched)
    found = {k: v for k, v in kept[1].items() if k[0] not in touched and k[1] not in touched}
    new = _found(flags, mine=sorted(touched))
    theirs = sorted(touched & flags.keys())
    if theirs:
        new.update(_found(flags, theirs=theirs))
    ordered = [o for o in kept[2] if o[1] not in touched and o[2] not in touched]
    for key, flag in new.items():
        bisect.insort(ordered, _order(key, flag))
    found.update(new)
    return flags, found, ordered


def _found(flags, mine=None, theirs=None):
    """{(agency id, other id, kind, value): the other's Flag} of the pairs whose agency is
    among `mine` or whose flagged other is among `theirs` (ids, as the query narrows)."""
    found = {}
    other = OTHER_CHANNEL
    narrow = (Channel.agency_id.in_(mine) if mine is not None else other.agency_id.in_(theirs))
    for agency_id, kind, value, key, other_id, other_kind in db.session.execute(
            select(Channel.agency_id, Channel.kind, Channel.value, Channel.lookup_key,
                   other.agency_id, other.kind)
            .join(other, other.lookup_key == Channel.lookup_key)
            .where(narrow, other.agency_id != Channel.agency_id, Channel.lookup_key != "")):
        if other_id in flags and family(kind, key) == family(other_kind, key):
            found[(agency_id, other_id, kind, value)] = flags[other_id]
    for agency_id, text, other_id in shared_addresses(
            (lambda own, _: own.agency_id.in_(mine)) if mine is not None else
            (lambda _, their: their.agency_id.in_(theirs))):
        if other_id in flags:
            found[(agency_id, other_id, "address", text)] = flags[other_id]
    return found
