"""services.complaints: recording and updating complaints; the audit says that a complainant's
details changed, never what they are."""
import json
from datetime import date
from decimal import Decimal

import pytest

from registry.services import StaleEdit, complaints

from .conftest import last_entry

PRIVATE = {"complainant_name": "សុខ ចាន់ Private", "complainant_phone": "012 999 888",
           "details": "asked for 900 dollars"}


def values(**extra):
    return {"received_on": date(2026, 2, 1), "category": "excessive_fees", "destination": "TH",
            "workers_affected": 3, "status": "received", "compensation_amount": None,
            "compensation_currency": "", "closed_on": None, **extra}


def test_record_keeps_the_complainant_private_and_audits_without_them(agency, officers):
    complaint = complaints.record(agency, values(), PRIVATE, officers["clerk"])
    assert complaint.case_ref.startswith("C-2026-")
    assert complaints.private_part(complaint).complainant_name == PRIVATE["complainant_name"]
    entry = last_entry()
    assert (entry.action, entry.after["private"]) == ("record_complaint", "recorded")
    dumped = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert not any(secret in dumped for secret in PRIVATE.values())


def test_update_audits_public_changes_and_only_that_private_ones_happened(agency, officers):
    complaint = complaints.record(agency, values(), PRIVATE, officers["clerk"])
    complaints.update(complaint, values(status="resolved", compensation_amount=Decimal("150"),
                                        compensation_currency="USD",
                                        closed_on=date(2026, 3, 1)),
                      {**PRIVATE, "details": "new secret"}, complaint.version,
                      officers["approver"])
    entry = last_entry()
    assert (entry.action, entry.before["status"], entry.after["status"]) == (
        "update_complaint", "received", "resolved")
    assert entry.after["private"] == "changed" and "new secret" not in json.dumps(entry.after)
    assert complaints.private_part(complaint).details == "new secret"
    complaints.update(complaint, values(status="resolved"), {**PRIVATE, "details": "new secret"},
                      complaint.version, officers["approver"])
    assert "private" not in last_entry().after


def test_update_refuses_a_stale_version(agency, officers):
    complaint = complaints.record(agency, values(), PRIVATE, officers["clerk"])
    with pytest.raises(StaleEdit):
        complaints.update(complaint, values(status="resolved"), PRIVATE, complaint.version + 1,
                          officers["clerk"])


def test_private_part_of_a_complaint_without_one(agency, officers):
    complaint = complaints.record(agency, values(), PRIVATE, officers["clerk"])
    from registry.extensions import db
    from registry.models import ComplaintPrivate
    db.session.delete(db.session.get(ComplaintPrivate, complaint.id))
    db.session.commit()
    assert complaints.private_part(complaint).complainant_name in ("", None)


def test_latest_lists_the_newest_first(agency, officers):
    old = complaints.record(agency, values(received_on=date(2025, 1, 1)), PRIVATE,
                            officers["clerk"])
    new = complaints.record(agency, values(received_on=date(2026, 1, 1)), PRIVATE,
                            officers["clerk"])
    assert complaints.latest() == [new, old] and complaints.latest(1) == [new]
