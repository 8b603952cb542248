"""services.verification: every check of a licence or phone number is stored under a reference,
signed, with the licence or sanction behind its status."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Verification
from registry.services import agency_edits, sanctions, signing, verification
from registry.status import LicenceTerm, SanctionTerm, licence_status

DAY = date(2026, 6, 1)
CURRENT = LicenceTerm("KH-S-0001", date(2025, 1, 1), date(2030, 1, 1))
LAPSED = LicenceTerm("KH-S-0000", date(2022, 1, 1), date(2024, 12, 31))
UPCOMING = LicenceTerm("KH-S-0002", date(2026, 9, 1), date(2028, 8, 31))
SUSPENSION = SanctionTerm("suspension", "in_force", date(2026, 5, 1), date(2026, 7, 31),
                          decision_ref="ប្រកាស ៣/២០២៦")
REVOCATION = SanctionTerm("revocation", "in_force", date(2026, 3, 1),
                          decision_ref="ပြန်လည်ရုပ်သိမ်း ၁/၂၀၂၆")


@pytest.mark.parametrize("licences, sanctions, code, reason", [
    ([CURRENT], [], "licensed",
     {"since": "2025-01-01", "until": "2030-01-01", "kind": "licence",
      "licence_number": "KH-S-0001"}),
    ([LAPSED], [], "expired",
     {"since": "2025-01-01", "until": None, "kind": "licence", "licence_number": "KH-S-0000"}),
    ([UPCOMING], [], "not_licensed",
     {"since": None, "until": "2026-08-31", "kind": "licence", "licence_number": "KH-S-0002"}),
    ([CURRENT], [SUSPENSION], "suspended",
     {"since": "2026-05-01", "until": "2026-07-31", "kind": "suspension",
      "decision_ref": "ប្រកាស ៣/២០២៦"}),
    ([CURRENT], [REVOCATION], "revoked",
     {"since": "2026-03-01", "until": None, "kind": "revocation",
      "decision_ref": "ပြန်လည်ရုပ်သိမ်း ၁/၂၀၂၆"}),
    # No licence at all, ever: nothing to name but the fact.
    ([], [], "not_licensed", {"since": None, "until": None, "kind": "no_licence"}),
    # An overturned sanction binds nothing, so it is not the reason either.
    ([], [SanctionTerm("suspension", "overturned", date(2026, 5, 1), decision_ref="ប្រកាស ៤")],
     "not_licensed", {"since": None, "until": None, "kind": "no_licence"}),
])
def test_the_reason_names_the_licence_or_sanction_behind_the_status(licences, sanctions, code,
                                                                    reason):
    status = licence_status(licences, sanctions, DAY)
    assert status.code == code
    assert verification.status_reason(status) == reason


REFERENCE = re.compile(r"V-\d{8}-[0-9A-HJKMNP-TV-Z]{6}")


def test_a_licence_check_is_stored_signed_and_found_again(ctx, agency):
    record = verification.verify(licence=" kh s\u200b 0001 ")
    assert REFERENCE.fullmatch(record.reference)
    assert (record.query_kind, record.query_text, record.status, record.verified,
            record.agency_id) == ("licence", "kh s 0001", "licensed", True, agency.id)
    answer = record.answer
    assert answer["agency"] == {
        "licence_number": "KH-S-0001",
        "name": {"en": "Mekong Service Agency", "km": "ភ្នាក់ងារ មេគង្គ", "my": ""},
        "status_reason": {"since": "2025-01-01", "until": "2030-01-01", "kind": "licence",
                          "licence_number": "KH-S-0001"}}
    assert answer["url"] == f"http://registry.test/verify/{record.reference}"
    assert answer["reference"] == record.reference and answer["also_matches"] == []
    # Read back from the database, the answer still checks against its signature.
    db.session.expire_all()
    again = verification.by_reference(f"  {record.reference.lower()} ")
    assert again.id == record.id
    assert signing.check(again.answer, again.signature)
    assert not signing.check({**again.answer, "status": "revoked"}, again.signature)


def test_each_check_gets_its_own_reference_and_the_answer_follows_the_record(
        ctx, agency, officers):
    first = verification.verify(licence="KH-S-0001")
    first.answer["agency"]["name"]["en"] = "Changed by a caller"  # a kept answer is only copied
    second = verification.verify(licence="KH-S-0001")
    assert second.reference != first.reference and second.answer["reference"] == second.reference
    assert second.answer["agency"]["name"]["en"] == "Mekong Service Agency"
    assert signing.check(second.answer, second.signature)
    suspension = sanctions.draft(agency, {
        "kind": "suspension", "decided_on": date(2026, 1, 5), "effective_from": date(2026, 1, 10),
        "effective_to": None, "amount": None, "currency": "", "paid": None,
        "reason_en": "Sub-licensing", "reason_km": "", "reason_my": "",
        "decision_ref": "Prakas 7/2026"}, officers["clerk"])
    sanctions.approve(suspension, suspension.version, officers["approver"])
    third = verification.verify(licence="KH-S-0001")
    assert (third.status, third.verified, third.answer["status"]) == ("suspended", False,
                                                                       "suspended")


def test_a_worker_keeps_a_bounded_number_of_answers(ctx, agency, monkeypatch):
    monkeypatch.setattr(verification, "KEPT_ANSWERS", 1)
    for typed in ("KH-S-0001", "KH-X-4040", "KH-S-0001"):
        record = verification.verify(licence=typed)
        assert record.status == ("licensed" if typed == "KH-S-0001" else "not_licensed")
        kept = ctx.extensions["registry_answers"][1]
        assert list(kept) == [("licence", typed, record.checked_at.date())]


def test_a_reference_minted_twice_is_replaced_and_signed_again(ctx, agency, monkeypatch):
    taken = verification.verify(licence="KH-S-0001")
    minted = iter([taken.reference, "V-20260601-AAAAAA", "V-20260601-BBBBBB",
                   "V-20260601-BBBBBB", "V-20260601-CCCCCC", "V-20260601-AAAAAA",
                   "V-20260601-DDDDDD"])
    monkeypatch.setattr(verification, "new_reference", lambda now: next(minted))
    record = verification.verify(licence="KH-S-0001")
    assert record.reference == record.answer["reference"] == "V-20260601-AAAAAA"
    assert record.answer["url"].endswith("/verify/V-20260601-AAAAAA")
    assert signing.check(record.answer, record.signature)
    # Two items of one batch minted the same reference: the second gets another.
    batch = verification.verify_many(["KH-S-0001", "KH-X-4040"])
    references = [item["reference"] for item in batch.answer["items"]]
    assert references == ["V-20260601-BBBBBB", "V-20260601-CCCCCC"]
    assert batch.reference == "V-20260601-DDDDDD"  # AAAAAA was stored before
    db.session.expire_all()
    for reference, query in ((taken.reference, "KH-S-0001"), ("V-20260601-AAAAAA", "KH-S-0001"),
                             ("V-20260601-CCCCCC", "KH-X-4040")):
        stored = verification.by_reference(reference)
        assert stored.answer["query"] == {"licence": query}
        assert signing.check(stored.answer, stored.signature), reference
    assert verification.by_reference(taken.reference).id == taken.id


#: KH-S-0001 with its digits in each block a Cambodian or Myanmar phone may type (issue 15).
DIGIT_BLOCKS = {"ascii": "0123456789", "khmer": "០១២៣៤៥៦៧៨៩", "myanmar": "၀၁၂၃၄၅၆၇၈၉",
                "shan": "႐႑႒႓႔႕႖႗႘႙", "thai": "๐๑๒๓๔๕๖๗๘๙", "fullwidth": "０１２３４５６７８９",
                "lao": "໐໑໒໓໔໕໖໗໘໙", "mathematical": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"}


@pytest.mark.parametrize("block", sorted(DIGIT_BLOCKS))
def test_a_licence_in_any_digits_finds_its_agency_not_a_signed_no(ctx, agency, block):
    digits = str.maketrans("0123456789", DIGIT_BLOCKS[block])
    for typed in ("KH-S-0001".translate(digits), "ＫＨ－Ｓ－0001".translate(digits)):
        record = verification.verify(licence=typed)
        assert (record.status, record.agency_id) == ("licensed", agency.id), typed
    phone = verification.verify(phone="012 345 678".translate(digits))
    assert (phone.status, phone.agency_id) == ("licensed", agency.id)


def test_an_unknown_licence_is_not_licensed(ctx, agency):
    record = verification.verify(licence="KH-X-4040")
    assert (record.status, record.verified, record.agency_id) == ("not_licensed", False, None)
    assert record.answer["agency"] is None and record.answer["query"] == {"licence": "KH-X-4040"}
    assert signing.check(record.answer, record.signature)


def test_a_phone_shared_by_two_agencies_answers_with_the_first_and_names_the_other(
        ctx, agency, officers):
    agency_edits.create_agency(
        {"name_en": "Tonle Sap Manpower", "name_km": "", "name_my": "တုန်လေဆပ် လုပ်သား",
         "aliases": [], "province": None, "address_en": "", "address_km": "", "address_my": "",
         "email": "", "website": "", "destinations": ["MY"]},
        [("phone", "+855 12 345 678")], ("KH-S-0002", date(2025, 1, 1), date(2030, 1, 1)),
        officers["clerk"])
    record = verification.verify(phone="០១២ ៣៤៥ ៦៧៨")   # typed in Khmer digits
    assert (record.query_kind, record.query_text) == ("phone", "012 345 678")
    assert (record.agency_id, record.status) == (agency.id, "licensed")
    assert record.answer["also_matches"] == ["KH-S-0002"]


def test_a_query_is_cut_to_its_limit(ctx):
    record = verification.verify(licence="KH" + "9" * 300)
    assert len(record.query_text) == verification.MAX_QUERY
    assert record.answer["query"]["licence"] == record.query_text


@pytest.mark.parametrize("reference", ["", "V-20260101-ZZZZZZ", "nothing", "V-" + "A" * 100])
def test_an_unknown_reference_finds_nothing(ctx, reference):
    assert verification.by_reference(reference) is None


def test_a_batch_is_written_whole_or_not_at_all(ctx, agency, monkeypatch):
    counted = select(func.count()).select_from(Verification)
    before = db.session.scalar(counted)
    sign = signing.sign

    def fails_on_the_batch(answer, known=None):
        if "items" in answer:
            raise RuntimeError("the disk is full")
        return sign(answer, known)

    monkeypatch.setattr(signing, "sign", fails_on_the_batch)
    with pytest.raises(RuntimeError):
        verification.verify_many(["KH-S-0001", "KH-X-4040"])
    db.session.rollback()
    assert db.session.scalar(counted) == before  # its two items were not kept either
    monkeypatch.setattr(signing, "sign", sign)
    batch = verification.verify_many(["KH-S-0001", "KH-X-4040"])
    assert db.session.scalar(counted) == before + 3
    assert verification.by_reference(batch.reference).answer["verified_count"] == 1
