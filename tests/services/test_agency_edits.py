"""services.agency_edits: agencies, licences and representatives from the admin screens."""
from datetime import date

import pytest

from registry.services import ServiceError, StaleEdit, agency_edits

from .conftest import last_entry

FIELDS = {"name_en": "Mekong Service Agency", "name_km": "ភ្នាក់ងារ មេគង្គ", "name_my": "",
          "aliases": [], "province": None, "address_en": "", "address_km": "", "address_my": "",
          "email": "", "website": "", "destinations": ["TH"]}


def test_create_agency_with_its_licence_and_channels(agency):
    assert agency.licence_number == "KH-S-0001"
    assert [(c.kind, c.lookup_key) for c in agency.channels] == [("phone", "+85512345678")]
    entry = last_entry()
    assert (entry.action, entry.entity_key, entry.after["channels"]) == (
        "create_agency", "KH-S-0001", ["phone:012 345 678"])


@pytest.mark.parametrize("licence, message", [
    (("KH-S-0001", date(2025, 1, 1), date(2030, 1, 1)), "already in the registry"),
    (("--", date(2025, 1, 1), date(2030, 1, 1)), "needs letters or digits"),
    (("KH-S-0002", date(2025, 1, 1), date(2024, 1, 1)), "expires before it is issued"),
])
def test_create_agency_refuses_a_bad_licence(agency, officers, licence, message):
    with pytest.raises(ServiceError, match=message):
        agency_edits.create_agency(FIELDS, [], licence, officers["clerk"])


def test_update_agency_audits_the_change_and_refuses_stale_versions(agency, officers):
    changed = {**FIELDS, "name_en": "Mekong Service Agency Co., Ltd."}
    assert agency_edits.update_agency(agency, changed, [("telegram", "@mekong")],
                                      agency.version, officers["approver"])
    entry = last_entry()
    assert (entry.action, entry.after["name_en"], entry.after["channels"]) == (
        "update_agency", "Mekong Service Agency Co., Ltd.", ["telegram:@mekong"])
    with pytest.raises(StaleEdit):
        agency_edits.update_agency(agency, FIELDS, [], agency.version - 1, officers["clerk"])


def test_update_agency_without_a_change_writes_nothing(agency, officers):
    seq = last_entry().seq
    assert not agency_edits.update_agency(agency, FIELDS, [("phone", "012 345 678")],
                                          agency.version, officers["clerk"])
    assert last_entry().seq == seq


def test_add_licence_renews_the_agency(agency, officers):
    agency_edits.add_licence(agency, "KH-S-0002", date(2030, 1, 2), date(2032, 1, 1),
                             officers["clerk"])
    assert agency.licence_number == "KH-S-0002"
    entry = last_entry()
    assert (entry.action, entry.after["agency"]) == ("issue_licence", "KH-S-0002")
    with pytest.raises(ServiceError, match="already in the registry"):
        agency_edits.add_licence(agency, "kh s 0002", date(2030, 1, 2), date(2032, 1, 1),
                                 officers["clerk"])


def test_add_representative_and_refuse_a_repeated_badge(agency, officers):
    rep = agency_edits.add_representative(agency, {"name": "Chan Dara", "id_number": "B-1",
                                                   "phone": "097 111 2222"}, officers["clerk"])
    assert rep.phone_key == "+855971112222"
    assert (last_entry().action, last_entry().entity_key) == ("add_representative", "B-1")
    with pytest.raises(ServiceError, match="already registered"):
        agency_edits.add_representative(agency, {"name": "Other", "id_number": "B-1"},
                                        officers["clerk"])
    nameless_badge = agency_edits.add_representative(agency, {"name": "Sok"}, officers["clerk"])
    assert nameless_badge.id_number is None and last_entry().entity_key == "Sok"


def test_an_address_moved_to_another_language_keeps_its_key_row(ctx, agency, officers):
    """The same text under another language is the same place: one key row, relabelled."""
    street = "No. 12, Street 271, Phnom Penh"

    def save(**addresses):
        values = {**{f: getattr(agency, f) for f in agency_edits.FIELDS}, **addresses}
        agency_edits.update_agency(agency, values, [(c.kind, c.value) for c in agency.channels],
                                   agency.version, officers["clerk"])
        return [(row.id, row.lang) for row in agency.address_keys]

    [(row_id, lang)] = save(address_en=street)
    assert lang == "en"
    assert save(address_en="", address_km=street) == [(row_id, "km")]
