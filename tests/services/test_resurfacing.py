"""Agencies that resurface (issue 11, third part): address keys, links_of and all_pairs."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from registry.extensions import db
from registry.models import Agency, Licence
from registry.normalise import address_key
from registry.services import agencies, resurfacing
from tests.conftest import agency_row

ON = date(2026, 6, 1)


@pytest.mark.parametrize("text, key, reason", [
    ("No. 12, Street 271, Phnom Penh", "no 12 street 271 phnom penh", "Latin punctuation"),
    ("NO 12 STREET 271 - PHNOM PENH", "no 12 street 271 phnom penh", "case and dashes"),
    ("  No.12,\tStreet  271 ", "no 12 street 271", "whitespace collapsed"),
    ("ផ្ទះ\u200bលេខ ១២ ផ្លូវ\u200c ២៧១", "ផ្ទះលេខ ១២ ផ្លូវ ២៧១", "Khmer zero-width spaces"),
    ("ផ្ទះលេខ ១២ ផ្លូវ ២៧១", "ផ្ទះលេខ ១២ ផ្លូវ ២៧១", "Khmer marks are letters"),
    ("အမှတ် ၁၂၊ ဗိုလ်ချုပ်လမ်း", "အမှတ် ၁၂ ဗိုလ်ချုပ်လမ်း", "Burmese section mark"),
    ("\ufeffအမှတ် ၁၂ ဗိုလ်ချုပ်လမ်း\u200d", "အမှတ် ၁၂ ဗိုလ်ချုပ်လမ်း", "BOM and ZWJ"),
    ("Phnom Penh", "", "too short to mean one place"),
    ("ភ្នំពេញ", "", "too short in Khmer"),
    ("", "", "empty"),
    (None, "", "none"),
])
def test_address_key(text, key, reason):
    assert address_key(text) == key, reason


def sanction(number, kind, effective_from, state="in_force", effective_to="", ref=None):
    return {"licence_number": number, "kind": kind, "decided_on": effective_from,
            "effective_from": effective_from, "effective_to": effective_to, "state": state,
            "decision_ref": ref or f"D-{number}-{kind}-{effective_from}"}


def agency_of(number):
    lic = db.session.scalars(select(Licence).where(Licence.number == number)).one()
    return agencies.get_many([lic.agency_id])[0]


OLD = agency_row("KH-R-0001", "Old Revoked Agency", "2020-01-01", "2027-12-31",
                 phones="012 345 678", channels="facebook:fb.com/oldjobs; telegram:@oldjobs",
                 address_en="No. 12, Street 271, Phnom Penh",
                 address_km="ផ្ទះលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ")
NEW = agency_row("KH-N-0002", "New Name Agency", "2026-01-01", "2028-12-31",
                 phones="+855 12 345 678")
PAGE = agency_row("KH-N-0003", "Page Agency", "2026-01-01", "2028-12-31",
                  channels="facebook:https://www.fb.com/OldJobs/")
ADDRESS = agency_row("KH-N-0004", "Address Agency", "2026-01-01", "2028-12-31",
                     address_km="ផ្ទះ\u200bលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ")
HANDLE = agency_row("KH-N-0005", "Handle Agency", "2026-01-01", "2028-12-31",
                    channels="viber:oldjobs")
NOTHING = agency_row("KH-N-0006", "Unrelated Agency", "2026-01-01", "2028-12-31",
                     phones="097 111 2222", address_en="No. 99, Street 2004, Phnom Penh")


@pytest.mark.parametrize("sanctions, flagged, reason", [
    ([sanction("KH-R-0001", "revocation", "2025-03-03")], True, "revoked last year"),
    ([sanction("KH-R-0001", "revocation", "2025-03-03", "under_appeal")], True,
     "under appeal still binds"),
    ([sanction("KH-R-0001", "revocation", "2025-03-03", "pending")], False, "pending"),
    ([sanction("KH-R-0001", "revocation", "2025-03-03", "overturned")], False, "overturned"),
    ([sanction("KH-R-0001", "fine", "2025-03-03") | {"amount": "4000000", "currency": "KHR"}],
     False, "a fine flags nothing"),
    ([sanction("KH-R-0001", "suspension", "2024-01-01", effective_to="2024-03-01")], True,
     "suspension ended but within five years"),
    ([sanction("KH-R-0001", "suspension", "2019-01-01", effective_to="2019-03-01")], False,
     "suspension older than five years, over"),
    ([sanction("KH-R-0001", "suspension", "2019-01-01")], True,
     "open suspension from long ago: suspended today"),
    ([sanction("KH-R-0001", "revocation", "2019-01-01")], False,
     "revoked long ago, licensed afresh in 2020: not revoked today"),
    ([sanction("KH-R-0001", "revocation", "2026-09-01")], False, "takes effect later"),
])
def test_who_is_flagged(ctx, load, sanctions, flagged, reason):
    load(agencies=[OLD, NEW], sanctions=sanctions)
    links = resurfacing.links_of(agency_of("KH-N-0002"), ON)
    assert bool(links) == flagged, reason
    assert bool(resurfacing.all_pairs(ON)) == flagged, reason


def test_old_revocation_still_in_force_flags(ctx, load):
    """Revoked more than five years ago and never licensed again: revoked today, flagged."""
    old = agency_row("KH-R-0001", "Old Revoked Agency", "2015-01-01", "2019-12-31",
                     phones="012 345 678")
    load(agencies=[old, NEW], sanctions=[sanction("KH-R-0001", "revocation", "2018-01-01")])
    [link] = resurfacing.links_of(agency_of("KH-N-0002"), ON)
    assert (link.kind, link.sanction.effective_from) == ("phone", date(2018, 1, 1))


def test_links_of_lists_what_is_shared(ctx, load):
    load(agencies=[OLD, NEW, PAGE, ADDRESS, HANDLE, NOTHING],
         sanctions=[sanction("KH-R-0001", "suspension", "2025-01-01", effective_to="2025-06-30"),
                    sanction("KH-R-0001", "revocation", "2025-03-03")])
    rows = {code: [(link.kind, link.value, link.other.licence_number, link.sanction.kind,
                    link.sanction.effective_from)
                   for link in resurfacing.links_of(agency_of(code), ON)]
            for code in ("KH-N-0002", "KH-N-0003", "KH-N-0004", "KH-N-0005", "KH-N-0006",
                         "KH-R-0001")}
    revoked = ("KH-R-0001", "revocation", date(2025, 3, 3))  # the latest sanction is named
    assert rows["KH-N-0002"] == [("phone", "+855 12 345 678", *revoked)]
    assert rows["KH-N-0003"] == [("facebook", "https://www.fb.com/OldJobs/", *revoked)]
    assert rows["KH-N-0004"] == [("address", "ផ្ទះ\u200bលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ", *revoked)]
    assert rows["KH-N-0005"] == [], "a Viber handle is not the Telegram account @oldjobs"
    assert rows["KH-N-0006"] == [], "shares nothing"
    assert rows["KH-R-0001"] == [], "the flagged agency's page lists only flagged others"

    pairs = {(a.licence_number, link.kind, link.other.licence_number)
             for a, link in resurfacing.all_pairs(ON)}
    assert pairs == {("KH-N-0002", "phone", "KH-R-0001"), ("KH-N-0003", "facebook", "KH-R-0001"),
                     ("KH-N-0004", "address", "KH-R-0001")}


def test_two_flagged_agencies_list_each_other(ctx, load):
    twin = agency_row("KH-R-0009", "Twin Revoked Agency", "2020-01-01", "2027-12-31",
                      phones="012 345 678")
    load(agencies=[OLD, twin], sanctions=[sanction("KH-R-0001", "revocation", "2025-03-03"),
                                          sanction("KH-R-0009", "suspension", "2026-01-01")])
    [link] = resurfacing.links_of(agency_of("KH-R-0001"), ON)
    assert (link.other.licence_number, link.sanction.kind) == ("KH-R-0009", "suspension")
    assert {(a.licence_number, link.other.licence_number)
            for a, link in resurfacing.all_pairs(ON)} == {("KH-R-0001", "KH-R-0009"),
                                                         ("KH-R-0009", "KH-R-0001")}


def test_nothing_flagged(ctx, load):
    load(agencies=[OLD, NEW])
    assert resurfacing.links_of(agency_of("KH-N-0002")) == []
    assert resurfacing.all_pairs() == []


def queries_of(call):
    """What `call` returns, and the SQL statements it ran."""
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        return call(), statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


@pytest.mark.parametrize("size", [2, 12])
def test_links_of_takes_a_fixed_number_of_queries(ctx, load, size):
    many = [agency_row(f"KH-M-{i:04d}", f"Revoked {i}", "2020-01-01", "2027-12-31",
                       phones="012 345 678", address_en="No. 12, Street 271, Phnom Penh")
            for i in range(size)]
    load(agencies=[NEW, *many],
         sanctions=[sanction(f"KH-M-{i:04d}", "revocation", "2025-03-03") for i in range(size)])
    agency = agency_of("KH-N-0002")
    links, statements = queries_of(lambda: resurfacing.links_of(agency, ON))
    assert len(links) == size
    assert len(statements) <= 6, statements
    pairs, statements = queries_of(lambda: resurfacing.all_pairs(ON))
    # NEW shares a phone with each; each revoked one a phone and an address with the others.
    assert len(pairs) == size + 2 * size * (size - 1)
    assert len(statements) <= 7, statements


def test_agency_without_channels_or_address(ctx, load):
    bare = agency_row("KH-N-0007", "Bare Agency", "2026-01-01", "2028-12-31")
    load(agencies=[OLD, bare], sanctions=[sanction("KH-R-0001", "revocation", "2025-03-03")])
    assert resurfacing.links_of(agency_of("KH-N-0007"), ON) == []
    assert db.session.scalar(select(db.func.count(Agency.id))) == 2
    assert resurfacing.FLAG_DAYS == 5 * 365
    assert ON - timedelta(days=resurfacing.FLAG_DAYS) == date(2021, 6, 2)
