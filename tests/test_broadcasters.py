"""The broadcasters' desk through every door (issue 15): an ad clearance drafted and approved
in the admin forms, then checked on the verify page, in the API, in a bulk check (page, CSV,
API) and seen on the agency page and in the feed of changes."""
import base64
import csv
import io
import re
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Clearance, Verification
from registry.services import verification

from .admin_helpers import Staff
from .conftest import agency_row
from .test_api import assert_valid, documented_schema

TODAY = date.today()
AD = "KH-AD-2026-0042"
LICENCE = "KH-B-1"


@pytest.fixture
def staff(app, client):
    staff = Staff(app, client)
    for email, role in (("clerk@m.example", "clerk"), ("a1@m.example", "approver"),
                        ("a2@m.example", "approver")):
        staff.create(email, role)
    return staff


@pytest.fixture
def agency(load):
    load(agencies=[agency_row(LICENCE, "Bayon Broadcast Jobs", "2024-01-01", "2099-12-31",
                              name_km="បាយ័ន", phones="+855 12 777 888"),
                   agency_row("KH-B-2", "Other Agency", "2024-01-01", "2099-12-31")])


def ad_form(**extra):
    return {"number": AD, "job_title": "Electronics factory workers", "destination": "th",
            "workers": "40", "worker_fee": "0", "fee_currency": "",
            "valid_from": (TODAY - timedelta(days=5)).isoformat(),
            "valid_to": (TODAY + timedelta(days=60)).isoformat(), "media": ["tv", "radio"],
            **extra}


def approve(app, client, staff, clearance_id, who="a1@m.example"):
    staff.login(who)
    with app.app_context():
        version = db.session.get(Clearance, clearance_id).version
    response = client.post(f"/admin/clearances/{clearance_id}/approve",
                           data={"version": version})
    staff.logout()
    return response


@pytest.fixture
def cleared(app, client, staff, agency):
    """AD, drafted by the clerk and approved by another officer, through the forms."""
    staff.login("clerk@m.example")
    response = client.post("/admin/agencies/1/clearances/new", data=ad_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    clearance_id = int(response.headers["Location"].rsplit("/", 1)[1])
    staff.logout()
    assert approve(app, client, staff, clearance_id).status_code == 302
    return clearance_id


def test_a_draft_is_public_only_after_another_officer_approves_it(app, client, staff, agency):
    staff.login("a1@m.example")
    response = client.post("/admin/agencies/1/clearances/new", data=ad_form())
    clearance_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = client.post(f"/admin/clearances/{clearance_id}/approve", data={"version": 1})
    assert refused.status_code == 400
    assert "another approver must approve it" in refused.get_data(as_text=True)
    staff.logout()
    assert AD not in client.get(f"/en/agencies/{LICENCE}").get_data(as_text=True)
    assert client.get(f"/api/v1/agencies/{LICENCE}").json["clearances"] == []
    assert client.get(f"/api/v1/verify?clearance={AD}").json["clearance"] is None
    assert approve(app, client, staff, clearance_id, "a2@m.example").status_code == 302
    page = client.get(f"/en/agencies/{LICENCE}").get_data(as_text=True)
    assert AD in page and "Electronics factory workers" in page and "May be aired today" in page


@pytest.mark.parametrize("extra, message", [
    ({"valid_to": (TODAY - timedelta(days=10)).isoformat()}, "ends before it starts"),
    ({"destination": "XX"}, "XX"),
    ({"number": LICENCE}, "is a licence number"),
    ({"media": []}, "This field is required"),
])
def test_a_bad_draft_is_refused_with_a_message_and_writes_nothing(app, client, staff, agency,
                                                                   extra, message):
    staff.login("clerk@m.example")
    response = client.post("/admin/agencies/1/clearances/new", data=ad_form(**extra))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Clearance.id))) == 0


def test_a_clearance_verifies_on_the_page_with_its_details(client, cleared):
    response = client.post("/en/verify", data={"clearance": "kh ad 2026 0042"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "YES: the advertisement could be aired on that day." in page
    assert "Electronics factory workers" in page and "Thailand" in page
    assert "Television" in page and "Radio" in page


def suspend_since_yesterday(app, client, staff):
    staff.login("clerk@m.example")
    response = client.post("/admin/agencies/1/sanctions/new", data={
        "kind": "suspension", "decided_on": (TODAY - timedelta(days=2)).isoformat(),
        "effective_from": (TODAY - timedelta(days=1)).isoformat(),
        "decision_ref": "Prakas 5/2026", "reason_en": "Sub-licensing"})
    sanction_id = int(response.headers["Location"].rsplit("/", 1)[1])
    staff.logout()
    staff.login("a1@m.example")
    assert client.post(f"/admin/sanctions/{sanction_id}/approve",
                       data={"version": 1}).status_code == 302
    staff.logout()


@pytest.mark.parametrize("lang, words", [
    ("en", "Do not air: the agency is suspended"),
    ("km", "កុំផ្សាយ"),
    ("my", "မထုတ်လွှင့်ပါနှင့်"),
])
def test_a_clearance_of_an_agency_suspended_since_yesterday_reads_not_airable(
        app, client, staff, cleared, lang, words):
    suspend_since_yesterday(app, client, staff)
    response = client.post(f"/{lang}/verify", data={"clearance": AD})
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert words in receipt
    api = client.get(f"/api/v1/verify?clearance={AD}").json
    assert (api["verified"], api["status"], api["clearance"]["airable"],
            api["clearance"]["airable_reason"]) == (False, "suspended", False, "agency_suspended")
    bulk = client.post("/api/v1/verify/batch", json={"items": [AD]}).json
    assert (bulk["items"][0]["verified"], bulk["items"][0]["airable_reason"]) == (
        False, "agency_suspended")
    page = client.get(f"/{lang}/agencies/{LICENCE}").get_data(as_text=True)
    assert words in page


def test_the_api_answers_a_clearance_as_documented(client, cleared):
    response = client.get(f"/api/v1/verify?clearance={AD}")
    body = response.json
    assert_valid(body, documented_schema("/api/v1/verify", 200))
    assert (body["verified"], body["query"], body["clearance"]["number"]) == (
        True, {"clearance": AD}, AD)
    record = client.get(f"/api/v1/agencies/{LICENCE}").json
    assert_valid(record, documented_schema("/api/v1/agencies/{licence_number}", 200))
    assert [c["number"] for c in record["clearances"]] == [AD]


def signature_checks(client, reference):
    """A receipt fetched as JSON verifies with the published PEM key from its own bytes."""
    data = client.get(f"/verify/{reference}.json").json
    key = load_pem_public_key(client.get("/verify/public-key.pem").data)
    key.verify(base64.b64decode(data["signature"]), data["signed"].encode("utf-8"))
    return data


ITEMS = [LICENCE, "012 777 888", AD, "KH-NOPE-999", "kh-b-2"]


def test_a_bulk_check_through_the_api(app, client, cleared):
    response = client.post("/api/v1/verify/batch", json={"items": ITEMS})
    assert response.status_code == 201
    body = response.json
    assert_valid(body, documented_schema("/api/v1/verify/batch", 201, "post"))
    assert response.headers["Location"] == body["url"]
    assert [(i["input"], i["kind"], i["verified"], i["status"]) for i in body["items"]] == [
        (LICENCE, "licence", True, "licensed"), ("012 777 888", "phone", True, "licensed"),
        (AD, "clearance", True, "licensed"), ("KH-NOPE-999", "licence", False, "not_licensed"),
        ("kh-b-2", "licence", True, "licensed")]
    assert body["verified_count"] == 4
    # The batch and each item are receipts of their own, signed.
    batch = signature_checks(client, body["reference"])
    assert batch["payload"]["items"] == body["items"]
    for item in body["items"]:
        assert signature_checks(client, item["reference"])["payload"]["status"] == item["status"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Verification.id))) == len(ITEMS) + 1


@pytest.mark.parametrize("body", [
    None, [], {"items": []}, {"items": "KH-B-1"}, {"items": [1]}, {"items": ["  "]},
    {"items": ["\u200b"]}, {"items": ["x" * 101]},
    {"items": ["KH-B-1"] * (verification.MAX_BATCH + 1)},
])
def test_a_bad_bulk_request_is_a_json_400_and_writes_nothing(app, client, agency, body):
    response = client.post("/api/v1/verify/batch", json=body) if body is not None else \
        client.post("/api/v1/verify/batch", data=b"\xff\xfe not json",
                    content_type="application/json")
    assert response.status_code == 400
    assert_valid(response.json, documented_schema("/api/v1/verify/batch", 400, "post"))
    with app.app_context():
        assert db.session.scalar(select(func.count(Verification.id))) == 0


def test_a_bulk_check_on_the_page_prints_and_downloads_safely(app, client, cleared):
    upload = "licence\n=HYPERLINK(\"http://evil\")\n+855 12 777 888\n".encode("utf-8-sig")
    response = client.post("/km/verify/bulk", data={
        "numbers": f"{LICENCE}\n\n{AD}\tcolumn two\n",
        "file": (io.BytesIO(upload), "list.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    reference = re.search(r"V-\d{8}-\w{6}", response.headers["Location"]).group()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("<tr>") == 1 + 4 and "បាយ័ន" in page
    sheet = client.get(f"/verify/{reference}.csv")
    assert sheet.mimetype == "text/csv" and sheet.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    assert [r["input"] for r in rows] == [LICENCE, AD, "'=HYPERLINK(\"http://evil\")",
                                          "'+855 12 777 888"]
    assert [r["verified"] for r in rows] == ["yes", "yes", "no", "yes"]
    assert rows[0]["name_km"] == "បាយ័ន"
    assert rows[0]["receipt_url"].startswith("http://registry.test/verify/V-")
    # A single receipt has no spreadsheet.
    assert client.get(f"/verify/{rows[0]['reference']}.csv").status_code == 404


@pytest.mark.parametrize("form, message", [
    ({"numbers": ""}, "Give at least one"),
    ({"numbers": "\n".join(f"KH-{i}" for i in range(verification.MAX_BATCH + 1))},
     "at most 500"),
    ({"file": (io.BytesIO("KH-B-1\n".encode("utf-16")), "list.csv")}, "not a UTF-8 CSV"),
    ({"numbers": "KH-B-1\n--\n"}, "Line 2 holds no licence, phone or clearance number."),
])
def test_a_bad_bulk_list_is_refused_with_a_message_and_writes_nothing(app, client, agency,
                                                                       form, message):
    response = client.post("/en/verify/bulk", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Verification.id))) == 0


def test_clearances_reach_the_feed_of_changes_with_lasting_ids(app, client, cleared, staff):
    feed = client.get("/feeds/changes.atom").get_data(as_text=True)
    assert "Ad clearance KH-AD-2026-0042 (Approved): Bayon Broadcast Jobs" in feed
    ids = re.findall(r"<id>(tag:[^<]*clearance[^<]*)</id>", feed)
    assert len(ids) == 1 and ids[0].endswith("/clearance/KHAD20260042/approved")
