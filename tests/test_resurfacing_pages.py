"""Agencies that resurface on the agency page, in the API record and on the dashboard."""
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from .admin_helpers import Staff
from .conftest import agency_row

REVOKED_ON = date.today() - timedelta(days=200)
SUSPENDED_ON = date.today() - timedelta(days=30)


@pytest.fixture
def resurfaced(load):
    load(agencies=[
        agency_row("KH-R-0001", "Golden Bridge Manpower", "2020-01-01", "2030-12-31",
                   phones="012 345 678", address_km="ផ្ទះលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ"),
        agency_row("KH-S-0003", "Paused Recruitment", "2020-01-01", "2030-12-31",
                   channels="facebook:fb.com/pausedjobs"),
        agency_row("KH-N-0002", "Bright Future Jobs", "2025-01-01", "2030-12-31",
                   phones="+855 12 345 678", channels="facebook:https://fb.com/PausedJobs",
                   address_km="ផ្ទះ\u200bលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ"),
    ], sanctions=[
        {"licence_number": "KH-R-0001", "kind": "revocation", "decided_on": REVOKED_ON,
         "effective_from": REVOKED_ON, "state": "in_force", "decision_ref": "D-1",
         "reason_en": "Deceived workers"},
        {"licence_number": "KH-S-0003", "kind": "suspension", "decided_on": SUSPENDED_ON,
         "effective_from": SUSPENDED_ON, "state": "under_appeal", "decision_ref": "D-2"},
    ])


def test_agency_page_says_what_is_shared(app, client, resurfaced):
    page = client.get("/en/agencies/KH-N-0002").get_data(as_text=True)
    assert "Shared with a revoked or suspended agency" in page
    revoked, suspended = (format_date(d, "medium", locale="en")
                          for d in (REVOKED_ON, SUSPENDED_ON))
    assert "whose licence was revoked on " + revoked in page
    assert "whose licence was suspended on " + suspended in page
    assert "Phone <span lang=\"en\" class=\"nobreak\">+855 12 345 678</span> is also declared by" \
        in page
    assert "Head office <span class=\"address\">ផ្ទះ\u200bលេខ ១២" in page
    assert 'href="/en/agencies/KH-R-0001">Golden Bridge Manpower</a>' in page
    assert "This does not prove that the two are the same agency." in page
    # The revoked agency's own page lists no one: only flagged others are named.
    assert "Shared with a revoked" not in client.get("/en/agencies/KH-R-0001").get_data(
        as_text=True)


def test_agency_page_in_khmer(client, resurfaced):
    page = client.get("/km/agencies/KH-N-0002").get_data(as_text=True)
    assert "ក៏ត្រូវបានប្រកាសដោយ" in page


def test_api_record_lists_shared_with(client, resurfaced):
    record = client.get("/api/v1/agencies/KH-N-0002").get_json()
    shared = {(s["kind"], s["agency"]["licence_number"], s["sanction"]["kind"],
               s["sanction"]["effective_from"]) for s in record["shared_with"]}
    assert shared == {
        ("phone", "KH-R-0001", "revocation", REVOKED_ON.isoformat()),
        ("address", "KH-R-0001", "revocation", REVOKED_ON.isoformat()),
        ("facebook", "KH-S-0003", "suspension", SUSPENDED_ON.isoformat()),
    }
    phone = next(s for s in record["shared_with"] if s["kind"] == "phone")
    assert phone["value"] == "+855 12 345 678"
    assert phone["agency"]["name"]["en"] == "Golden Bridge Manpower"
    assert phone["agency"]["id"].startswith("AG-")
    assert phone["agency"]["url"].endswith("/en/agencies/KH-R-0001")
    assert client.get("/api/v1/agencies/KH-R-0001").get_json()["shared_with"] == []


def test_dashboard_lists_the_pairs(app, client, resurfaced):
    staff = Staff(app, client)
    staff.create("clerk@m.example", "clerk")
    assert staff.login("clerk@m.example").status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    section = page.split('id="resurfacing"')[1]
    assert "Agencies sharing a phone, page or address with a revoked or suspended agency" in page
    assert section.count("<tr>") == 1 + 3  # the head and three pairs
    assert "Bright Future Jobs" in section and "Golden Bridge Manpower" in section
    assert "Paused Recruitment" in section
    assert "/en/agencies/KH-N-0002" in section and "/en/agencies/KH-R-0001" in section


def test_dashboard_shows_the_newest_pairs_and_says_how_many_there_are(app, client, resurfaced,
                                                                      monkeypatch):
    import sys
    monkeypatch.setattr(sys.modules["registry.admin.dashboard"], "PAIRS_SHOWN", 2)
    staff = Staff(app, client)
    staff.create("clerk@m.example", "clerk")
    assert staff.login("clerk@m.example").status_code == 302
    section = client.get("/admin/").get_data(as_text=True).split('id="resurfacing"')[1]
    assert section.count("<tr>") == 1 + 2 and "The newest 2 of 3." in section
    # The newest sanction first: the suspension (30 days ago) before the revocation.
    assert section.index("Paused Recruitment") < section.index("Golden Bridge Manpower")
