"""services.sanctions: drafting, editing, approving (alone or in a batch), appeal, overturn.
Four eyes: nobody who drafted or changed a sanction approves it."""
from datetime import date
from decimal import Decimal

import pytest

from registry.extensions import db
from registry.services import ServiceError, StaleEdit, sanctions

from .conftest import last_entry


def values(**extra):
    return {"kind": "suspension", "decided_on": date(2026, 1, 5),
            "effective_from": date(2026, 1, 10), "effective_to": None, "amount": None,
            "currency": "", "paid": None, "reason_en": "Sub-licensing", "reason_km": "",
            "reason_my": "", "decision_ref": "Prakas 7/2026", **extra}


def test_draft_is_pending_and_audited(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    assert (sanction.state, sanction.drafted_by, sanction.editors) == (
        "pending", "clerk@ministry.example", ["clerk@ministry.example"])
    entry = last_entry()
    assert (entry.action, entry.actor, entry.after["state"]) == (
        "draft_sanction", "clerk@ministry.example", "pending")


@pytest.mark.parametrize("extra, message", [
    ({"kind": "fine"}, "a fine needs an amount"),
    ({"effective_to": date(2026, 1, 1)}, "ends before it starts"),
])
def test_draft_refuses_what_breaks_the_rules(agency, officers, extra, message):
    with pytest.raises(ServiceError, match=message):
        sanctions.draft(agency, values(**extra), officers["clerk"])


def test_a_decision_reference_names_one_sanction(agency, officers):
    """Two sanctions under one prakas number would make the import's key (the decision
    reference) ambiguous: refused with a message, never the database's error."""
    first = sanctions.draft(agency, values(), officers["clerk"])
    seq = last_entry().seq
    with pytest.raises(ServiceError, match="Prakas 7/2026 is already recorded"):
        sanctions.draft(agency, values(kind="warning"), officers["clerk"])
    db.session.rollback()
    other = sanctions.draft(agency, values(decision_ref="Prakas 8/2026"), officers["clerk"])
    with pytest.raises(ServiceError, match="Prakas 7/2026 is already recorded"):
        sanctions.update_draft(other, values(), other.version, officers["clerk"])
    db.session.rollback()
    assert last_entry().seq == seq + 1  # only the second draft was written
    # Its own reference is no conflict when a draft is saved again.
    assert sanctions.update_draft(first, values(reason_en="Sub-licensing in Takeo"),
                                  first.version, officers["clerk"])


def test_draft_keeps_only_the_fields_of_its_kind(agency, officers):
    warning = sanctions.draft(agency, values(kind="warning", amount=Decimal("5"),
                                             currency="USD", effective_to=date(2026, 2, 1)),
                              officers["clerk"])
    assert (warning.amount, warning.currency, warning.effective_to) == (None, "", None)


def test_update_draft_adds_the_editor_and_is_audited(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    assert sanctions.update_draft(sanction, values(reason_en="Sub-licensing in Takeo"),
                                  sanction.version, officers["approver"])
    assert sanction.editors == ["clerk@ministry.example", "approver@ministry.example"]
    entry = last_entry()
    assert (entry.action, entry.before["reason_en"], entry.after["reason_en"]) == (
        "edit_sanction", "Sub-licensing", "Sub-licensing in Takeo")


def test_update_draft_without_a_change_writes_nothing(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    seq = last_entry().seq
    assert not sanctions.update_draft(sanction, values(), sanction.version, officers["approver"])
    assert sanction.editors == ["clerk@ministry.example"] and last_entry().seq == seq


def test_update_draft_refuses_a_stale_version_and_a_published_sanction(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    with pytest.raises(StaleEdit):
        sanctions.update_draft(sanction, values(reason_en="x"), sanction.version - 1,
                               officers["clerk"])
    db.session.rollback()
    sanctions.approve(sanction, sanction.version, officers["approver"])
    with pytest.raises(ServiceError, match="awaiting approval can be edited"):
        sanctions.update_draft(sanction, values(reason_en="x"), sanction.version,
                               officers["clerk"])


def test_approve_publishes_and_records_the_approver(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    sanctions.approve(sanction, sanction.version, officers["approver"])
    assert (sanction.state, sanction.approved_by) == ("in_force", "approver@ministry.example")
    assert sanction.approved_at is not None
    entry = last_entry()
    assert (entry.action, entry.before, entry.after["state"]) == (
        "approve_sanction", {"state": "pending"}, "in_force")


def test_an_approver_who_edited_a_draft_cannot_approve_it(agency, officers):
    """The attack: a clerk drafts a warning, an approver turns it into a USD 99,999 fine and
    approves it himself."""
    sanction = sanctions.draft(agency, values(kind="warning"), officers["clerk"])
    sanctions.update_draft(sanction, values(kind="fine", amount=Decimal("99999"),
                                            currency="USD"), sanction.version,
                           officers["approver"])
    with pytest.raises(ServiceError, match="another approver must approve it"):
        sanctions.approve(sanction, sanction.version, officers["approver"])
    db.session.rollback()
    assert sanction.state == "pending"
    sanctions.approve(sanction, sanction.version, officers["second"])
    assert sanction.approved_by == "second@ministry.example"


@pytest.mark.parametrize("who, message", [
    ("clerk", "Only an approver"), ("admin", "Only an approver"),
])
def test_only_approvers_approve(agency, officers, who, message):
    sanction = sanctions.draft(agency, values(), officers["approver"])
    with pytest.raises(ServiceError, match=message):
        sanctions.approve(sanction, sanction.version, officers[who])


def test_approve_refuses_a_stale_version_and_a_second_approval(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    with pytest.raises(StaleEdit):
        sanctions.approve(sanction, sanction.version + 1, officers["approver"])
    db.session.rollback()
    sanctions.approve(sanction, sanction.version, officers["approver"])
    with pytest.raises(ServiceError, match="that step is not possible"):
        sanctions.approve(sanction, sanction.version, officers["second"])


def test_approve_many_is_all_or_nothing(agency, officers):
    mine = sanctions.draft(agency, values(decision_ref="A/1"), officers["approver"])
    theirs = sanctions.draft(agency, values(decision_ref="A/2"), officers["clerk"])
    with pytest.raises(ServiceError, match="Nothing was approved. A/1"):
        sanctions.approve_many([(theirs, theirs.version), (mine, mine.version)],
                               officers["approver"])
    db.session.expire_all()
    assert {mine.state, theirs.state} == {"pending"}
    assert sanctions.approve_many([(theirs, theirs.version)], officers["approver"]) == 1
    assert theirs.state == "in_force"
    with pytest.raises(ServiceError, match="Tick at least one"):
        sanctions.approve_many([], officers["approver"])


def test_appeal_then_overturn_keeps_the_sanction(agency, officers):
    sanction = sanctions.draft(agency, values(), officers["clerk"])
    sanctions.approve(sanction, sanction.version, officers["approver"])
    sanctions.mark_under_appeal(sanction, sanction.version, officers["second"])
    assert (sanction.state, last_entry().action) == ("under_appeal", "appeal_sanction")
    with pytest.raises(ServiceError, match="Say why"):
        sanctions.overturn(sanction, sanction.version, "  ", officers["second"])
    sanctions.overturn(sanction, sanction.version, " Court ruling 3/2026 ", officers["second"])
    assert (sanction.state, sanction.overturn_reason) == ("overturned", "Court ruling 3/2026")
    assert last_entry().after == {"state": "overturned",
                                  "overturn_reason": "Court ruling 3/2026"}
    with pytest.raises(ServiceError, match="that step is not possible"):
        sanctions.mark_under_appeal(sanction, sanction.version, officers["second"])


def test_listing_by_state_and_batch(agency, officers):
    draft = sanctions.draft(agency, values(decision_ref="L/1"), officers["clerk"])
    published = sanctions.draft(agency, values(decision_ref="L/2"), officers["clerk"])
    sanctions.approve(published, published.version, officers["approver"])
    draft.import_batch = "I-20261128-AAAAAA"
    db.session.commit()
    assert sanctions.listing("pending") == [draft]
    assert sanctions.listing("in_force") == [published]
    assert sanctions.listing("pending", "I-20261128-AAAAAA") == [draft]
    assert sanctions.listing("pending", "I-20261128-ZZZZZZ") == []
    assert set(sanctions.listing("nonsense")) == {draft, published}


def test_may_approve_names_drafters_and_editors():
    class Draft:
        drafted_by, editors = "a@m", ["a@m", "b@m"]
    assert not sanctions.may_approve(Draft, "a@m")
    assert not sanctions.may_approve(Draft, "b@m")
    assert sanctions.may_approve(Draft, "c@m")
