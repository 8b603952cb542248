"""GET /api/v1/agencies (issue 15): every agency by cursor, and what changed since a moment.

The real app, import, services and database (SQLite, and PostgreSQL in its run); "today" is
moved by replacing services.agencies.today, which status, the listing and the records all read.
Every answer is validated against the schema openapi.json documents for it."""
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from registry.api.changes import CHANGED_SINCE, CURSOR
from registry.extensions import db
from registry.models import Agency, Complaint, Sanction
from registry.services import (agencies, agency_edits, complaints, listing, sanctions,
                               users)

from .conftest import agency_row
from .test_api import DOC, assert_valid, documented_schema

URL, TEMPLATE = "/api/v1/agencies", "/api/v1/agencies"
TODAY = date.today()
DAY = timedelta(days=1)
PASSWORD = "a long enough pass phrase"


def answer(client, url=URL, status=200, **params):
    """(body, response) of one GET, checked against the documented schema."""
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert_valid(body, documented_schema(TEMPLATE, status))
    return body, response


def walk(client, between=None, **params):
    """Every page from the first along the `next` links: (results in order, pages).
    `between(n, page)` runs after page n is read."""
    body, response = answer(client, **params)
    pages = [body]
    while True:
        assert response.headers.get("Link") == (
            f'<{body["next"]}>; rel="next"' if body["next"] else None)
        if between:
            between(len(pages), body)
        if not body["next"]:
            break
        body, response = answer(client, body["next"])
        pages.append(body)
    return [r for page in pages for r in page["results"]], pages


def now_text():
    """The moment now, as changed_since takes it; later writes are stamped at or after it."""
    time.sleep(0.002)
    moment = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    time.sleep(0.002)
    return moment


def changed(client, since, **params):
    results, _ = walk(client, changed_since=since, limit=2, **params)
    for result in results:
        assert result["changed_at"] >= since.replace("Z", "") or len(since) == 10
    return {r["licence_number"]: r for r in results}


# -- walking everything ------------------------------------------------------------------------

def test_a_walk_gets_every_agency_once_in_id_order_while_records_change(app, client, load):
    load(agencies=[agency_row(f"KH-W-{i:03d}", f"Walked Agency {i}") for i in range(25)])
    with app.app_context():
        before = db.session.scalars(select(Agency.public_id)).all()
    results, _ = walk(client, limit=4)  # nothing changing: every agency, by id
    assert [r["id"] for r in results] == sorted(before)

    cursor_ids = []

    def meanwhile(n, page):  # renamed, and newly registered, while the walk goes on
        if n == 2:
            cursor_ids.append(page["results"][-1]["id"])
            load(agencies=[agency_row("KH-W-000", "Walked Agency Renamed"),
                           agency_row("KH-W-024", "Walked Agency Renamed Too"),
                           agency_row("KH-W-NEW", "Registered Meanwhile")])

    results, pages = walk(client, between=meanwhile, limit=4)
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids)), "an agency came twice"
    assert ids == sorted(ids)
    with app.app_context():
        new = db.session.scalars(select(Agency.public_id).join(Agency.licences)
                                 .where(Agency.name_en == "Registered Meanwhile")).one()
    # Every agency there at the start, once; the new one iff its id sorts after the cursor.
    assert set(ids) - {new} == set(before)
    assert (new in ids) == (new > cursor_ids[0])
    assert {p["as_of"] for p in pages} == {pages[0]["as_of"]}
    assert all(len(p["results"]) <= 4 for p in pages) and len(pages) >= 7


def test_pages_link_on_and_the_last_says_so(client, load):
    load(agencies=[agency_row(f"KH-L-{i}", f"Linked Agency {i}") for i in range(3)])
    first, response = answer(client, limit=2)
    assert first["changed_since"] is None and len(first["results"]) == 2
    assert response.headers["Link"] == f'<{first["next"]}>; rel="next"'
    assert first["next"].startswith("http://registry.test/api/v1/agencies?")
    assert "limit=2" in first["next"] and "cursor=" in first["next"]
    assert CURSOR.fullmatch(first["next"].split("cursor=")[1])
    last, response = answer(client, first["next"])
    assert len(last["results"]) == 1 and last["next"] is None and "Link" not in response.headers
    assert last["as_of"] == first["as_of"]
    everything, _ = answer(client)
    assert [r["licence_number"] for r in everything["results"]] == [
        r["licence_number"] for r in first["results"] + last["results"]]
    result = everything["results"][0]
    assert set(result) == {"id", "licence_number", "name", "status", "url", "changed_at"}
    assert result["status"] == "licensed"


def test_as_of_lies_before_the_walk_and_is_the_next_changed_since(client, load):
    load(agencies=[agency_row("KH-A-1", "As Of Agency")])
    started = datetime.now(UTC)
    body, _ = answer(client)
    as_of = datetime.fromisoformat(body["as_of"])
    assert started - timedelta(minutes=11) < as_of <= started - timedelta(minutes=10)
    # The agency was stamped just now, after as_of: the next walk from as_of lists it again.
    assert [r["licence_number"] for r in answer(client, changed_since=body["as_of"])[0][
        "results"]] == ["KH-A-1"]


def test_the_first_page_revalidates_by_etag(client, load):
    load(agencies=[agency_row("KH-E-1", "Etag Agency")])
    first = client.get(URL)
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# -- changed_since: writes --------------------------------------------------------------------

@pytest.fixture
def world(app, load):
    """A target agency, a bystander, officers, and public and pending sanctions to act on."""
    load(agencies=[agency_row("KH-T-1", "Target Agency"), agency_row("KH-B-1", "Bystander")],
         complaints=[{"licence_number": "KH-T-1", "received_on": "2025-02-01",
                      "category": "deception", "status": "received",
                      "complainant_name": "Private Person", "case_ref": "C-2025-T1"}])
    with app.app_context():
        for name, role in (("clerk", "clerk"), ("approver", "approver")):
            users.create_user(f"{name}@ministry.example", role, PASSWORD, "test")
    return app


def officer(name):
    return users.by_email(f"{name}@ministry.example")


def target():
    return db.session.scalars(select(Agency).where(Agency.name_en.like("Target%"))).one()


def sanction_values(ref, **extra):
    return {"kind": "warning", "decided_on": TODAY, "effective_from": TODAY,
            "effective_to": None, "amount": None, "currency": "", "paid": None,
            "reason_en": "Advertised abroad without approval", "reason_km": "",
            "reason_my": "", "decision_ref": ref, **extra}


def drafted():
    return sanctions.draft(target(), sanction_values("P-1"), officer("clerk"))


def approved():
    sanction = drafted()
    sanctions.approve(sanction, sanction.version, officer("approver"))
    return sanction


def complaint_values(complaint=None, **extra):
    fields = complaints.FIELDS
    base = {f: getattr(complaint, f) for f in fields} if complaint else {
        "received_on": TODAY, "category": "excessive_fees", "destination": "TH",
        "workers_affected": 2, "status": "received", "compensation_amount": None,
        "compensation_currency": "", "closed_on": None}
    return {**base, **extra}


def private(name="Private Person"):
    return {"complainant_name": name, "complainant_phone": "", "details": ""}


def the_complaint():
    return db.session.scalars(select(Complaint).where(Complaint.case_ref == "C-2025-T1")).one()


def edit_details(_):
    agency = target()
    agency_edits.update_agency(
        agency, {**{f: getattr(agency, f) for f in agency_edits.FIELDS},
                 "name_en": "Target Agency Renamed"},
        [(c.kind, c.value) for c in agency.channels], agency.version, officer("clerk"))


WRITES = {
    "details edited": (None, edit_details),
    "licence added": (None, lambda _: agency_edits.add_licence(
        target(), "KH-T-2", TODAY, TODAY + 700 * DAY, officer("clerk"))),
    "representative added": (None, lambda _: agency_edits.add_representative(target(), {
        "name": "Sok Broker", "id_number": "BADGE-T", "phone": "", "province": None,
        "authorised_from": None, "authorised_to": None}, officer("clerk"))),
    "complaint recorded": (None, lambda _: complaints.record(
        target(), complaint_values(), private(), officer("clerk"))),
    "complaint's status changed": (None, lambda _: complaints.update(
        the_complaint(), complaint_values(the_complaint(), status="investigating"),
        private(), the_complaint().version, officer("clerk"))),
    "sanction approved": (drafted, lambda s: sanctions.approve(
        s, s.version, officer("approver"))),
    "sanction appealed": (approved, lambda s: sanctions.mark_under_appeal(
        s, s.version, officer("approver"))),
    "sanction overturned": (approved, lambda s: sanctions.overturn(
        s, s.version, "Annulled on appeal", officer("approver"))),
}


@pytest.mark.parametrize("kind", WRITES)
def test_each_kind_of_public_write_is_a_change(world, client, kind):
    prepare, write = WRITES[kind]
    with world.app_context():
        prepared = prepare().id if prepare else None
        version = target().version
    since = now_text()
    assert changed(client, since) == {}
    with world.app_context():
        write(prepared and db.session.get(Sanction, prepared))
        # The stamp is no edit of the agency: its forms' optimistic lock still holds.
        if kind != "details edited":
            assert target().version == version
    found = changed(client, since)
    assert set(found) == {target_number(world)}
    assert found[target_number(world)]["changed_at"] >= since.replace("Z", "")


def target_number(app):
    with app.app_context():
        return target().licence_number


def test_an_import_is_a_change_where_it_changes_the_public_record(world, client, load):
    since = now_text()
    load(agencies=[agency_row("KH-T-1", "Target Agency"),  # as it was: no change
                   agency_row("KH-B-1", "Bystander", email="desk@bystander.example")])
    assert set(changed(client, since)) == {"KH-B-1"}


def test_what_the_public_never_sees_is_no_change(world, client, load):
    """Drafting and editing a sanction awaiting approval (form or import) and changing only a
    complainant's details (form or import) list nothing; approving the draft does."""
    since = now_text()
    with world.app_context():
        sanction = drafted()
        sanctions.update_draft(sanction, sanction_values("P-1", reason_en="Changed draft"),
                               sanction.version, officer("clerk"))
        complaint = the_complaint()
        complaints.update(complaint, complaint_values(complaint), private("Another Person"),
                          complaint.version, officer("clerk"))
    load(agencies=[agency_row("KH-T-1", "Target Agency"), agency_row("KH-B-1", "Bystander")],
         sanctions=[{"licence_number": "KH-B-1", "kind": "suspension",
                     "decided_on": TODAY.isoformat(), "decision_ref": "P-DRAFT-2"}],
         complaints=[{"licence_number": "KH-T-1", "received_on": "2025-02-01",
                      "category": "deception", "status": "received", "case_ref": "C-2025-T1",
                      "complainant_name": "Yet Another Person"}])
    assert changed(client, since) == {}
    with world.app_context():
        sanction = db.session.scalars(select(Sanction).where(
            Sanction.decision_ref == "P-1")).one()
        sanctions.approve(sanction, sanction.version, officer("approver"))
    assert set(changed(client, since)) == {"KH-T-1"}


# -- changed_since: the calendar -------------------------------------------------------------------

def iso(day):
    return day.isoformat()


@pytest.fixture
def calendar(load):
    """Agencies whose record changes by itself two days from now, and some whose does not."""
    far, past = "2099-12-31", "2024-01-01"
    load(agencies=[
        agency_row("KH-C-END", "Licence Runs Out", past, iso(TODAY + DAY)),
        agency_row("KH-C-START", "Licence Starts", iso(TODAY + 2 * DAY), far),
        agency_row("KH-C-SUSP", "Suspension Starts", past, far),
        agency_row("KH-C-LIFT", "Suspension Ends", past, far),
        agency_row("KH-C-REP", "Broker Authorisation Ends", past, far),
        agency_row("KH-C-NONE", "Nothing Happens", past, far),
        agency_row("KH-C-PEND", "Pending Suspension", past, far),
        agency_row("KH-C-OVER", "Overturned Suspension", past, far),
    ], sanctions=[
        {"licence_number": number, "kind": "suspension", "decided_on": iso(TODAY),
         "effective_from": start, "effective_to": end, "state": state, "decision_ref": ref}
        for number, start, end, state, ref in (
            ("KH-C-SUSP", iso(TODAY + 2 * DAY), "", "in_force", "S-1"),
            ("KH-C-LIFT", "2025-01-01", iso(TODAY + DAY), "in_force", "S-2"),
            ("KH-C-PEND", iso(TODAY + 2 * DAY), "", "pending", "S-3"),
            ("KH-C-OVER", iso(TODAY + 2 * DAY), "", "overturned", "S-4"))
    ], representatives=[
        {"licence_number": "KH-C-REP", "name": "Leaving Broker", "id_number": "BADGE-C",
         "authorised_from": "2025-01-01", "authorised_to": iso(TODAY + DAY)}])


TURNING = {"KH-C-END": "expired", "KH-C-START": "licensed", "KH-C-SUSP": "suspended",
           "KH-C-LIFT": "licensed", "KH-C-REP": "licensed"}


def test_status_changes_by_the_calendar_are_changes(calendar, client, monkeypatch):
    since = now_text()
    for days in (0, 1):
        monkeypatch.setattr(agencies, "today", lambda days=days: TODAY + days * DAY)
        assert changed(client, since) == {}, days
    monkeypatch.setattr(agencies, "today", lambda: TODAY + 2 * DAY)
    found = changed(client, since)
    assert {n: r["status"] for n, r in found.items()} == TURNING
    midnight = listing.day_start(TODAY + 2 * DAY).isoformat() + "Z"
    assert {r["changed_at"] for r in found.values()} == {midnight}
    # A day names its first moment: from that midnight on, the same; from the next, nothing.
    assert set(changed(client, iso(TODAY + 2 * DAY))) == set(TURNING)
    assert changed(client, iso(TODAY + 3 * DAY)) == {}
    monkeypatch.setattr(agencies, "today", lambda: TODAY + 30 * DAY)
    assert set(changed(client, since)) == set(TURNING)
    assert changed(client, iso(TODAY + 3 * DAY)) == {}


def test_a_day_turns_at_the_servers_midnight(calendar, client, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Phnom_Penh")
    time.tzset()
    try:
        body, _ = answer(client, changed_since="2026-01-31")
        assert body["changed_since"] == "2026-01-30T17:00:00Z"
        body, _ = answer(client, changed_since="2026-01-31T08:00+07:00")
        assert body["changed_since"] == "2026-01-31T01:00:00Z"
        assert listing.day_start(date(2026, 1, 31)) == datetime(2026, 1, 30, 17)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_everything_changed_since_long_ago(calendar, client):
    assert len(changed(client, "0001-01-01")) == 8
    assert changed(client, "9999-12-31T23:59:59.999999-23:59") == {}


def test_the_first_and_last_days_a_date_holds_are_no_error():
    assert listing.day_start(date.min) == datetime.min


# -- what is refused ---------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    *[{"changed_since": v} for v in (
        "", "yesterday", "2026-02-30", "2025-02-29", "1900-02-29", "0000-01-01", "2026-1-31",
        "2026-01-31T08:00:00", "2026-01-31T24:00Z", "2026-01-31T08:00:60Z",
        "2026-01-31T08:00:00.1234567Z", "2026-01-31 08:00Z", "2026-01-31t08:00z",
        "2026-01-31\n", "２０２６-01-31", "2026-01-31T08:00+24:00")],
    *[{"cursor": v} for v in (
        "", "abc", "1.AG-123", "1.ag-0000000000", "12345678901.AG-0000000000",
        "1.AG-0000000000x", "1.AG-000000000I", "-1.AG-0000000000", "1.AG-0000000000\n")],
    *[{"limit": v} for v in ("0", "1001", "", "ten")],
])
def test_bad_parameters_are_a_400_in_json(client, params):
    body, _ = answer(client, status=400, **params)
    assert body["error"]["code"] == "bad_request" and body["error"]["message"]
    assert list(params)[0] in body["error"]["message"]


@pytest.mark.parametrize("params", [
    {"changed_since": "2024-02-29"}, {"changed_since": "2000-02-29"},
    {"changed_since": "2026-01-31T15:00+07:00"}, {"changed_since": "2026-01-31T08:00:00.5Z"},
    {"cursor": "0.AG-0000000000"}, {"cursor": "9999999999.AG-ZZZZZZZZZZ"},
    {"limit": "1000"}, {"limit": "1"},
])
def test_edge_values_are_answered(client, params):
    answer(client, **params)


def test_the_document_holds_the_patterns_the_code_checks():
    parameters = {p["name"]: p["schema"] for p in DOC["paths"][URL]["get"]["parameters"]}
    assert parameters["changed_since"]["pattern"] == CHANGED_SINCE.pattern
    assert parameters["cursor"]["pattern"] == CURSOR.pattern
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 1000)


def test_a_clearance_starting_to_air_by_the_calendar_is_a_change(app, client):
    """An approved clearance whose days to be aired begin today changes the agency's record
    (its `clearances[].airable`) with no write today: changed_since lists it."""
    from registry.services import clearances
    today = date.today()
    with app.app_context():
        clerk = users.create_user("clerk@ads.example", "clerk", "a long enough pass phrase", "t")
        approver = users.create_user("ok@ads.example", "approver", "a long enough pass phrase",
                                     "t")
        agency = agency_edits.create_agency(
            {"name_en": "Calendar Ads", "name_km": "", "name_my": "", "aliases": [],
             "province": None, "address_en": "", "address_km": "", "address_my": "",
             "email": "", "website": "", "destinations": []}, [],
            ("KH-CAL-1", date(2020, 1, 1), date(2099, 1, 1)), clerk)
        ad = clearances.draft(agency, {
            "number": "KH-AD-CAL-1", "job_title": "Cooks", "destination": "TH", "workers": 2,
            "worker_fee": 0, "fee_currency": "", "valid_from": today,
            "valid_to": today + timedelta(days=30), "media": ["radio"]}, clerk)
        clearances.approve(ad, ad.version, approver)
        db.session.execute(Agency.__table__.update().values(
            changed_at=datetime(2001, 1, 1)))
        db.session.commit()
    since = (today - timedelta(days=1)).isoformat()
    listed = client.get("/api/v1/agencies", query_string={"changed_since": since}).json
    assert [a["licence_number"] for a in listed["results"]] == ["KH-CAL-1"]


# -- changed_since: what an agency shares with a flagged one (its shared_with) ----------------

SHARED_PHONE = "+855 12 606 707"
SHARED_ADDRESS = "No. 41, Street 271, Sangkat Tuol Tumpung, Phnom Penh"


@pytest.fixture
def neighbours(world, load):
    """KH-N-OLD and KH-N-NEW share a phone, KH-N-ADDR shares an address with KH-N-OLD,
    KH-N-FAR shares nothing. KH-N-OLD was suspended last year, for a month."""
    load(agencies=[
        agency_row("KH-N-OLD", "Old Name Recruitment", phones=SHARED_PHONE,
                   address_en=SHARED_ADDRESS),
        agency_row("KH-N-NEW", "New Name Recruitment", phones=SHARED_PHONE),
        agency_row("KH-N-ADDR", "Same Office Recruitment", address_en=SHARED_ADDRESS),
        agency_row("KH-N-FAR", "Far Away Recruitment", phones="+855 12 909 808"),
    ], sanctions=[
        {"licence_number": "KH-N-OLD", "kind": "suspension", "decided_on": iso(TODAY - 400 * DAY),
         "effective_from": iso(TODAY - 400 * DAY), "effective_to": iso(TODAY - 370 * DAY),
         "state": "in_force", "decision_ref": "S-OLD-1"}])
    return world


def shared_with(client, number):
    return [s["agency"]["licence_number"]
            for s in client.get(f"/api/v1/agencies/{number}").json["shared_with"]]


def old_agency():
    return db.session.scalars(select(Agency).where(Agency.name_en == "Old Name Recruitment")).one()


def test_a_sanction_on_an_agency_is_a_change_of_those_sharing_with_it(neighbours, client):
    assert shared_with(client, "KH-N-NEW") == ["KH-N-OLD"]
    since = now_text()
    with neighbours.app_context():
        sanction = sanctions.draft(old_agency(), sanction_values(
            "R-OLD-2", kind="revocation"), officer("clerk"))
        sanctions.approve(sanction, sanction.version, officer("approver"))
    found = changed(client, since)
    assert set(found) == {"KH-N-OLD", "KH-N-NEW", "KH-N-ADDR"}
    assert shared_with(client, "KH-N-ADDR") == ["KH-N-OLD"]


def test_a_link_that_an_edit_ends_is_a_change_of_the_other_agency(neighbours, client):
    since = now_text()
    with neighbours.app_context():
        agency = old_agency()
        agency_edits.update_agency(
            agency, {**{f: getattr(agency, f) for f in agency_edits.FIELDS}, "address_en": ""},
            [("phone", "+855 12 111 000")], agency.version, officer("clerk"))
    assert set(changed(client, since)) == {"KH-N-OLD", "KH-N-NEW", "KH-N-ADDR"}
    assert shared_with(client, "KH-N-NEW") == [] and shared_with(client, "KH-N-ADDR") == []


def test_a_link_that_an_import_ends_is_a_change_of_the_other_agency(neighbours, client, load):
    since = now_text()
    load(agencies=[agency_row("KH-N-OLD", "Old Name Recruitment", phones="+855 12 111 000",
                              address_en=SHARED_ADDRESS)])
    # Any public change of an agency that can flag names it anew to all it shares with.
    assert set(changed(client, since)) == {"KH-N-OLD", "KH-N-NEW", "KH-N-ADDR"}
    assert shared_with(client, "KH-N-NEW") == []
    assert shared_with(client, "KH-N-ADDR") == ["KH-N-OLD"]


def test_an_agency_that_can_flag_nobody_changes_nobody_else(neighbours, client):
    """KH-N-NEW has no revocation or suspension: its edits are no change of KH-N-OLD's."""
    since = now_text()
    with neighbours.app_context():
        agency = db.session.scalars(select(Agency).where(
            Agency.name_en == "New Name Recruitment")).one()
        agency_edits.update_agency(
            agency, {**{f: getattr(agency, f) for f in agency_edits.FIELDS},
                     "name_en": "Newer Name Recruitment"},
            [(c.kind, c.value) for c in agency.channels], agency.version, officer("clerk"))
    assert set(changed(client, since)) == {"KH-N-NEW"}


def test_a_flag_that_starts_or_lapses_by_the_calendar_changes_those_sharing_with_it(
        neighbours, client, load, monkeypatch):
    """A suspension starting in two days flags KH-N-OLD from then. KH-N-LAPSE's suspension
    took effect five years ago less two days: it flags KH-N-LAPSE for two more days, so
    KH-N-FAR, which shares its phone, names it until then."""
    start = TODAY + 2 * DAY
    load(agencies=[agency_row("KH-N-LAPSE", "Lapsing Recruitment", phones="+855 12 909 808")],
         sanctions=[
             {"licence_number": "KH-N-OLD", "kind": "suspension", "decided_on": iso(TODAY),
              "effective_from": iso(start), "effective_to": iso(start + 10 * DAY),
              "state": "in_force", "decision_ref": "S-OLD-3"},
             {"licence_number": "KH-N-LAPSE", "kind": "suspension",
              "decided_on": iso(TODAY - 5 * 365 * DAY),
              "effective_from": iso(TODAY - 5 * 365 * DAY + 2 * DAY),
              "effective_to": iso(TODAY - 5 * 365 * DAY + 30 * DAY), "state": "in_force",
              "decision_ref": "S-LAPSE-1"}])
    since = now_text()
    monkeypatch.setattr(agencies, "today", lambda: TODAY + DAY)
    assert changed(client, since) == {}
    assert shared_with(client, "KH-N-FAR") == ["KH-N-LAPSE"]
    monkeypatch.setattr(agencies, "today", lambda: start)
    found = changed(client, since)
    assert set(found) == {"KH-N-OLD", "KH-N-NEW", "KH-N-ADDR"}
    assert found["KH-N-NEW"]["changed_at"] == listing.day_start(start).isoformat() + "Z"
    assert shared_with(client, "KH-N-FAR") == ["KH-N-LAPSE"]
    monkeypatch.setattr(agencies, "today", lambda: TODAY + 3 * DAY)
    assert shared_with(client, "KH-N-FAR") == []
    found = changed(client, iso(TODAY + 3 * DAY))
    assert set(found) == {"KH-N-FAR"}
    assert found["KH-N-FAR"]["changed_at"] == \
        listing.day_start(TODAY + 3 * DAY).isoformat() + "Z"
