"""The dashboard's whole-record figures and resurfacing pairs, kept and caught up on each change
from the audit entries it appended (audit.kept_until_changed with catch_up): after every kind
of change, what was caught up equals what a fresh count gives, and nothing was counted
afresh."""
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select, text

from registry.extensions import db
from registry.models import Licence, Sanction
from registry.services import (agencies, agency_edits, audit, complaints, dashboard,
                               resurfacing, sanctions, users)
from tests.conftest import agency_row

from .test_resurfacing import ADDRESS, NEW, NOTHING, OLD, PAGE, agency_of, sanction

KEPT = ("registry_dashboard", "registry_pairs")
SUSPENSION = {"kind": "suspension", "decided_on": date(2026, 1, 5),
              "effective_from": date(2026, 1, 10), "effective_to": None, "amount": None,
              "currency": "", "paid": None, "reason_en": "Sub-licensing", "reason_km": "",
              "reason_my": "", "decision_ref": "Prakas 7/2026"}


def agency_values(agency, **changes):
    return {**{f: getattr(agency, f) for f in agency_edits.FIELDS}, **changes}


def suspend_new(officers):
    draft = sanctions.draft(agency_of("KH-N-0002"), SUSPENSION, officers["clerk"])
    sanctions.approve(draft, draft.version, officers["approver"])


def overturn_old(officers):
    revocation = db.session.scalars(select(Sanction).where(Sanction.kind == "revocation")).one()
    sanctions.overturn(revocation, revocation.version, "Court ruling", officers["approver"])


def give_nothing_the_old_phone(officers):
    nothing = agency_of("KH-N-0006")
    agency_edits.update_agency(nothing, agency_values(nothing),
                               [("phone", "097 111 2222"), ("phone", "012 345 678")],
                               nothing.version, officers["clerk"])


def move_address_agency_away(officers):
    moved = agency_of("KH-N-0004")
    agency_edits.update_agency(moved, agency_values(moved, address_km="ផ្ទះលេខ ៩៩ ផ្លូវ ២០០៤"),
                               [], moved.version, officers["clerk"])


def open_under_the_old_page(officers):
    agency_edits.create_agency(
        agency_values(agency_of("KH-N-0006"), name_en="Fresh Start Manpower", address_en=""),
        [("facebook", "fb.com/oldjobs")], ("KH-N-0010", date(2026, 2, 1), date(2028, 1, 31)),
        officers["clerk"])


def relicense_old(officers):
    agency_edits.add_licence(agency_of("KH-R-0001"), "KH-R-0011", date(2026, 3, 1),
                             date(2029, 2, 28), officers["approver"])


def complain(officers):
    complaints.record(agency_of("KH-N-0003"), {
        "received_on": date(2026, 4, 2), "category": "excessive_fees", "destination": "TH",
        "workers_affected": 3, "status": "received", "compensation_amount": None,
        "compensation_currency": "", "closed_on": None},
        {"complainant_name": "", "complainant_phone": "", "details": ""}, officers["clerk"])


def add_a_user(officers):
    users.create_user("another@ministry.example", "clerk", "a long test passphrase", "test")


def draft_only(officers):
    sanctions.draft(agency_of("KH-N-0003"), SUSPENSION | {"decision_ref": "Prakas 8/2026"},
                    officers["clerk"])


def import_a_shared_phone(officers, load):
    load(agencies=[NOTHING | {"phones": "097 111 2222; +855 12 345 678"}])


CHANGES = [suspend_new, overturn_old, give_nothing_the_old_phone, move_address_agency_away,
           open_under_the_old_page, relicense_old, complain, add_a_user, draft_only]


def counted():
    """The figures and pairs as the dashboard reads them now."""
    figures = dashboard.figures()
    return ({k: v for k, v in figures.items() if k not in ("leads", "pending")},
            resurfacing.pair_keys(dashboard.today()),
            resurfacing.pair_count(dashboard.today()))


def afresh():
    for name in KEPT:
        current_app.extensions.pop(name, None)
    return counted()


@pytest.fixture
def registry(ctx, load, officers, monkeypatch):
    load(agencies=[OLD, NEW, PAGE, ADDRESS, NOTHING,
                   agency_row("KH-E-0007", "Lapsed Agency", "2020-01-01", "2022-12-31")],
         sanctions=[sanction("KH-R-0001", "revocation", "2025-03-03")])
    counted()  # kept
    computed = []
    for module, name in ((dashboard, "record_figures"), (resurfacing, "_all_found")):
        monkeypatch.setattr(module, name, lambda *a, f=getattr(module, name), n=name: (
            computed.append(n), f(*a))[1])
    return computed


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_change_is_caught_up_to_what_a_fresh_count_says(registry, officers, change):
    before = counted()
    change(officers)
    caught_up = counted()
    assert registry == []  # nothing was counted afresh
    assert caught_up == afresh()
    if change not in (add_a_user, draft_only):
        assert caught_up != before, "the change should show on the dashboard"


def test_an_import_is_caught_up_too(registry, officers, load):
    before = counted()
    import_a_shared_phone(officers, load)
    caught_up = counted()
    assert registry == [] and caught_up == afresh() and caught_up[1] != before[1]


def test_changes_one_after_another_stay_caught_up(registry, officers):
    for change in CHANGES:
        change(officers)
        counted()
    assert registry == []
    assert counted() == afresh()


def test_counted_afresh_when_the_day_turns_or_the_chain_goes_back(registry, officers,
                                                                  monkeypatch):
    today = audit.today
    monkeypatch.setattr(audit, "today", lambda: date(2030, 1, 1))
    counted()
    assert sorted(registry) == ["_all_found", "record_figures"]
    monkeypatch.setattr(audit, "today", today)
    registry.clear()
    counted()  # kept again for today
    registry.clear()
    newest = audit.version()[0]
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = :seq"), {"seq": newest})
    db.session.commit()  # as a restored backup would
    suspend_new(officers)  # the chain grows again past the kept version, with other entries
    counted()
    assert sorted(registry) == ["_all_found", "record_figures"]


def test_more_entries_than_it_catches_up_on_are_counted_afresh(registry, officers,
                                                               monkeypatch):
    monkeypatch.setattr(audit, "CATCH_UP_MOST", 1)
    complain(officers)
    counted()
    assert registry == []
    registry.clear()
    complain(officers)
    complain(officers)
    counted()
    assert sorted(registry) == ["_all_found", "record_figures"]


def test_touched_by_names_agencies_by_licence_number_and_sanctions_by_id(registry):
    old = agency_of("KH-R-0001")
    revocation = db.session.scalars(select(Sanction.id)).one()
    lic = db.session.scalars(select(Licence.number).where(Licence.agency_id == old.id)).one()
    assert agencies.touched_by([("agencies", "kh r 0001"), ("users", "a@b.example"),
                                ("complaints", "C-1")]) == {old.id}
    assert agencies.touched_by([("sanctions", str(revocation)), ("licences", lic)]) == {old.id}
    assert agencies.touched_by([("agencies", "KH-X-404")]) == set()
