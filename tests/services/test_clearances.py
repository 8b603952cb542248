"""services.clearances: drafting, editing, approving and withdrawing ad clearances, with the
four-eyes rule; and what the public (verify, agency) sees of them."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.services import ServiceError, StaleEdit, clearances, sanctions, verification

from .conftest import last_entry

TODAY = date.today()


def values(**extra):
    return {"number": "KH-AD-2026-0042", "job_title": "Factory workers, electronics",
            "destination": "TH", "workers": 40, "worker_fee": Decimal("0"),
            "fee_currency": "", "valid_from": TODAY - timedelta(days=10),
            "valid_to": TODAY + timedelta(days=50), "media": ["tv", "radio"], **extra}


@pytest.fixture
def approved(agency, officers):
    clearance = clearances.draft(agency, values(), officers["clerk"])
    clearances.approve(clearance, clearance.version, officers["approver"])
    return clearance


def test_draft_is_pending_private_and_audited(agency, officers):
    clearance = clearances.draft(agency, values(number=" kh-ad 2026\u200b-0042 "),
                                 officers["clerk"])
    assert (clearance.state, clearance.number, clearance.number_key, clearance.media) == (
        "pending", "kh-ad 2026-0042", "KHAD20260042", ["radio", "tv"])
    entry = last_entry()
    assert (entry.action, entry.entity, entry.after["state"]) == (
        "draft_clearance", "clearances", "pending")
    # A draft is nobody's answer: the verify check does not know it.
    assert clearances.by_number("KH-AD-2026-0042") is None
    assert verification.verify(clearance="KH-AD-2026-0042").answer["clearance"] is None


@pytest.mark.parametrize("extra, message", [
    ({"number": " - "}, "needs a number"),
    ({"number": "kh-s 0001"}, "is a licence number"),
    ({"valid_to": TODAY - timedelta(days=20)}, "ends before it starts"),
    ({"media": []}, "at least one medium"),
    ({"media": ["billboard"]}, "at least one medium"),
    ({"worker_fee": None}, "fee the worker pays"),
])
def test_draft_refuses_what_breaks_the_rules(agency, officers, extra, message):
    with pytest.raises(ServiceError, match=message):
        clearances.draft(agency, values(**extra), officers["clerk"])


def test_a_number_is_on_record_once(agency, officers):
    clearances.draft(agency, values(), officers["clerk"])
    with pytest.raises(ServiceError, match="already on record"):
        clearances.draft(agency, values(number="khad20260042"), officers["clerk"])


def test_fee_currency_only_with_a_fee(agency, officers):
    free = clearances.draft(agency, values(fee_currency="USD"), officers["clerk"])
    paid = clearances.draft(agency, values(number="KH-AD-2", worker_fee=Decimal("350"),
                                           fee_currency="USD"), officers["clerk"])
    assert (free.fee_currency, paid.fee_currency) == ("", "USD")


def test_update_draft_adds_the_editor_and_refuses_a_stale_version(agency, officers):
    clearance = clearances.draft(agency, values(), officers["clerk"])
    version = clearance.version
    assert clearances.update_draft(clearance, values(workers=60), version, officers["approver"])
    assert clearance.editors == ["clerk@ministry.example", "approver@ministry.example"]
    assert last_entry().action == "edit_clearance"
    with pytest.raises(StaleEdit):
        clearances.update_draft(clearance, values(workers=70), version, officers["clerk"])
    assert not clearances.update_draft(clearance, values(workers=60), clearance.version,
                                       officers["clerk"])


def test_four_eyes(agency, officers):
    clearance = clearances.draft(agency, values(), officers["clerk"])
    clearances.update_draft(clearance, values(workers=60), clearance.version,
                            officers["approver"])
    with pytest.raises(ServiceError, match="Only an approver"):
        clearances.approve(clearance, clearance.version, officers["clerk"])
    with pytest.raises(ServiceError, match="another approver"):
        clearances.approve(clearance, clearance.version, officers["approver"])
    clearances.approve(clearance, clearance.version, officers["second"])
    assert (clearance.state, clearance.approved_by) == ("approved", "second@ministry.example")
    assert last_entry().action == "approve_clearance"
    assert sanctions.may_approve(clearance, "admin@ministry.example")


def test_an_approved_clearance_is_public_and_not_editable(approved, officers):
    assert clearances.by_number("kh ad 2026 0042").id == approved.id
    assert clearances.public_of(approved.agency) == [approved]
    with pytest.raises(ServiceError, match="Withdraw it instead"):
        clearances.update_draft(approved, values(workers=1), approved.version, officers["clerk"])
    with pytest.raises(ServiceError, match="not possible"):
        clearances.approve(approved, approved.version, officers["second"])


def test_withdraw_needs_a_reason_and_keeps_the_clearance(approved, officers):
    with pytest.raises(ServiceError, match="Say why"):
        clearances.withdraw(approved, approved.version, "  ", officers["second"])
    clearances.withdraw(approved, approved.version, "Advert promised visas it cannot give",
                        officers["second"])
    assert last_entry().action == "withdraw_clearance"
    assert clearances.by_number("KH-AD-2026-0042").state == "withdrawn"
    assert clearances.airing_of(approved).reason == "withdrawn"


def test_a_clearance_verifies_with_the_advertisement_and_its_airing(approved):
    record = verification.verify(clearance="KH-AD-2026-0042")
    answer = record.answer
    assert (record.query_kind, answer["verified"], answer["status"]) == (
        "clearance", True, "licensed")
    assert answer["clearance"] | {"valid_from": None, "valid_to": None} == {
        "number": "KH-AD-2026-0042", "job_title": "Factory workers, electronics",
        "destination": "TH", "workers": 40, "worker_fee": {"amount": "0.00", "currency": None},
        "valid_from": None, "valid_to": None, "media": ["radio", "tv"], "state": "approved",
        "airable": True, "airable_reason": "airable"}
    assert answer["agency"]["licence_number"] == "KH-S-0001"


def test_a_clearance_of_an_agency_suspended_since_yesterday_is_not_airable(approved, officers):
    suspension = sanctions.draft(approved.agency, {
        "kind": "suspension", "decided_on": TODAY - timedelta(days=2),
        "effective_from": TODAY - timedelta(days=1), "effective_to": None, "amount": None,
        "currency": "", "paid": None, "reason_en": "Sub-licensing", "reason_km": "",
        "reason_my": "", "decision_ref": "Prakas 9/2026"}, officers["clerk"])
    sanctions.approve(suspension, suspension.version, officers["approver"])
    answer = verification.verify(clearance="KH-AD-2026-0042").answer
    assert (answer["verified"], answer["status"], answer["clearance"]["airable"],
            answer["clearance"]["airable_reason"]) == (
        False, "suspended", False, "agency_suspended")


def test_a_number_of_no_letters_or_digits_names_no_clearance(approved):
    assert clearances.by_number(" - / ") is None


def test_an_unknown_clearance_is_a_signed_no(ctx):
    answer = verification.verify(clearance="KH-AD-9999").answer
    assert (answer["verified"], answer["status"], answer["clearance"], answer["agency"]) == (
        False, "not_licensed", None, None)


def test_listing_by_state(agency, approved, officers):
    draft = clearances.draft(agency, values(number="KH-AD-7"), officers["clerk"])
    assert clearances.listing("pending") == [draft]
    assert clearances.listing("approved") == [approved]
    db.session.expire_all()
