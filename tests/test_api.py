"""JSON API v1 against its contract (DESIGN section 4) and its OpenAPI document.

The real app, the real CSV import and the real search index, no mocks: every response body is
validated against the schema that registry/api/openapi.json documents for its path and status.
"""
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from registry.models import (CHANNEL_KINDS, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES,
                             PUBLIC_SANCTION_STATES, SANCTION_KINDS)
from registry.status import STATUSES

from .conftest import agency_row

DOC_PATH = Path(__file__).resolve().parents[1] / "registry" / "api" / "openapi.json"
DOC = json.loads(DOC_PATH.read_text(encoding="utf-8"))
DOC_URI = "urn:registry:api:v1:openapi.json"
SCHEMAS = Registry().with_resource(DOC_URI, DRAFT202012.create_resource(DOC))

KM = "ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ"
MY = "ရွှေမြန်မာ အလုပ်အကိုင်"
ANGKOR, STAR, COPYCAT = "KH-MLVT 2024/0012", "KH-MLVT 2024/0013", "KH-MLVT 2019/0007"
SHWE, OLD, FUTURE = "MM-0042", "KH-MLVT 2015/0003", "KH-MLVT 2098/0001"
ALL = {ANGKOR, STAR, COPYCAT, SHWE, OLD, FUTURE}
BY_NAME = [ANGKOR, STAR, FUTURE, COPYCAT, OLD, SHWE]
REFERENCE = re.compile(r"^V-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$")
CHECKED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# Private: must never appear in any API response (DESIGN section 8).
COMPLAINANTS = [
    {"complainant_name": "ចាន់ សុភា Chan Sophea", "complainant_phone": "+855 97 111 2222",
     "details": "Paid 3000 USD for a visa; the broker kept my passport"},
    {"complainant_name": "မောင်မောင် Maung Maung", "complainant_phone": "+95 9 420 111 222",
     "details": "Contract substituted on arrival at the factory"},
]
PENDING_REF, PENDING_REASON = "PRAKAS-PENDING-77", "Awaiting second approval"
SECRETS = [PENDING_REF, PENDING_REASON, "ចាន់ សុភា", "Chan Sophea", "မောင်မောင်", "Maung Maung",
           "97 111 2222", "971112222", "420 111 222", "420111222", "kept my passport",
           "Contract substituted"]


def sanction(number, kind, decided, state, ref, **extra):
    return {"licence_number": number, "kind": kind, "decided_on": decided, "state": state,
            "decision_ref": ref, **extra}


def complaint(number, received, category, status, private, **extra):
    return {"licence_number": number, "received_on": received, "category": category,
            "status": status, **private, **extra}


@pytest.fixture
def data(load):
    """Six agencies, one per status (two licensed), sanctions in every state."""
    load(agencies=[
        agency_row(ANGKOR, "Angkor Manpower Co., Ltd.", "2024-01-01", "2099-12-31", name_km=KM,
                   phones="+855 12 345 678", province="KH-12", destinations="MY;TH",
                   channels="facebook:facebook.com/angkormanpower", email="info@angkor.example"),
        agency_row(STAR, "Angkor Star Recruitment", "2024-02-01", "2099-12-31",
                   name_km="អង្គរ ស្តារ", province="KH-12", destinations="MY"),
        # A copycat that borrows the Star's licence number as a trade name.
        agency_row(COPYCAT, "Golden Gate Jobs", "2019-01-01", "2099-12-31",
                   aliases="Angkor Star KH MLVT 2024 0013", destinations="TH"),
        agency_row(SHWE, "Shwe Myanmar Employment", "2024-01-01", "2099-12-31", name_my=MY,
                   phones="+855 23 999 888", destinations="TH"),
        agency_row(OLD, "Mekong Old Recruiters", "2015-01-01", "2016-12-31"),
        agency_row(FUTURE, "Future Works", "2098-01-01", "2099-12-31"),
    ], sanctions=[
        sanction(ANGKOR, "fine", "2025-03-01", "in_force", "PRAKAS-F-001", amount="2500000",
                 currency="KHR", paid="yes", reason_en="Excessive fees",
                 reason_km="គិតថ្លៃសេវាលើស"),
        sanction(ANGKOR, "warning", "2025-05-01", "under_appeal", "PRAKAS-W-002"),
        sanction(ANGKOR, "revocation", "2025-06-01", "overturned", "PRAKAS-R-003"),
        # Would suspend Angkor today if it were public.
        sanction(ANGKOR, "suspension", "2026-01-10", "pending", PENDING_REF,
                 reason_en=PENDING_REASON),
        sanction(COPYCAT, "revocation", "2025-01-15", "under_appeal", "PRAKAS-R-010"),
        sanction(SHWE, "suspension", "2025-03-01", "in_force", "PRAKAS-S-011",
                 effective_to="2030-12-31", reason_my=MY),
    ], complaints=[
        complaint(ANGKOR, "2025-02-01", "excessive_fees", "resolved", COMPLAINANTS[0],
                  destination="MY", workers_affected="3", compensation_amount="120",
                  currency="USD", closed_on="2025-05-01"),
        complaint(ANGKOR, "2025-08-01", "document_retention", "investigating", COMPLAINANTS[1],
                  destination="TH", workers_affected="12"),
        complaint(ANGKOR, "2025-09-01", "excessive_fees", "received", COMPLAINANTS[0],
                  compensation_amount="30.5", currency="USD", case_ref="C-2025-0003"),
    ], representatives=[
        {"licence_number": ANGKOR, "name": "Dara Broker", "id_number": "BADGE-7",
         "phone": "097 222 3333", "province": "KH-12", "authorised_from": "2025-01-01"},
    ])


# -- the OpenAPI document -------------------------------------------------------------------

def deref(ref):
    assert ref.startswith("#/"), ref
    node = DOC
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def validator(ref):
    return Draft202012Validator({"$ref": DOC_URI + ref}, registry=SCHEMAS,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(body, ref):
    errors = sorted(validator(ref).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def documented_schema(template, status, method="get"):
    responses = DOC["paths"][template][method]["responses"]
    assert str(status) in responses, f"{template} does not document {status}"
    response = responses[str(status)]
    if "$ref" in response:
        response = deref(response["$ref"])
    return response["content"]["application/json"]["schema"]["$ref"]


def get(client, url, template, status=200, **kwargs):
    """GET url, check status and JSON, validate against the schema documented for it."""
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert_valid(body, documented_schema(template, status))
    return body


def test_openapi_document_is_openapi_3_1():
    assert DOC["openapi"] == "3.1.0"
    assert DOC["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    assert DOC["info"]["title"] and DOC["info"]["version"]
    description = DOC["info"]["description"].lower()
    for words in ("read-only", "cors", "complainants' identities"):
        assert words in description
    for ref in re.findall(r'"\$ref": "([^"]*)"', DOC_PATH.read_text(encoding="utf-8")):
        deref(ref)
    for schema in DOC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert {"SearchResponse", "AgencyRecord", "Names", "Status", "StatusReason", "Licence",
            "Sanction", "ComplaintSummary", "Complaint", "Representative", "Channel",
            "VerifyResponse", "Error"} <= set(DOC["components"]["schemas"])
    for path, item in DOC["paths"].items():
        # Read-only: a bulk check is the one POST, and it only records receipts.
        method = "post" if path == "/api/v1/verify/batch" else "get"
        assert set(item) == {method}, f"{path}: the API is read-only"
        assert {"200", "201"} & set(item[method]["responses"])
        for status, response in item[method]["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d", status)
            if status == "304":  # Not Modified has no body (RFC 9110)
                assert "content" not in response
                continue
            assert documented_schema(path, status, method).startswith("#/components/schemas/")
        for parameter in item[method].get("parameters", []):
            assert parameter["in"] in ("query", "path") and "schema" in parameter


@pytest.mark.parametrize("pointer, values", [
    ("Status/enum", STATUSES),
    ("Sanction/properties/kind/enum", SANCTION_KINDS),
    ("Sanction/properties/state/enum", PUBLIC_SANCTION_STATES),
    ("Complaint/properties/category/enum", COMPLAINT_CATEGORIES),
    ("Complaint/properties/status/enum", COMPLAINT_STATUSES),
    ("Channel/properties/kind/enum", CHANNEL_KINDS),
])
def test_documented_enums_match_the_code(pointer, values):
    assert deref("#/components/schemas/" + pointer) == list(values)


def test_every_api_route_is_documented(app):
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and "anything" not in rule.arguments}
    assert routes == set(DOC["paths"])


def test_openapi_is_served_with_the_deployments_province_codes(client):
    served = get(client, "/api/v1/openapi.json", "/api/v1/openapi.json")
    province = next(p for p in served["paths"]["/api/v1/search"]["get"]["parameters"]
                    if p["name"] == "province")
    assert province["schema"]["enum"][:3] == ["", "KH-1", "KH-2"]
    assert "MM-06" not in province["schema"]["enum"]
    province["schema"] = next(p for p in DOC["paths"]["/api/v1/search"]["get"]["parameters"]
                              if p["name"] == "province")["schema"]
    assert served == DOC  # and otherwise the file as it is


# -- search ---------------------------------------------------------------------------------

def search(client, query="", **params):
    body = get(client, "/api/v1/search", "/api/v1/search", query_string={"q": query, **params})
    return body, [r["licence_number"] for r in body["results"]]


def test_search_contract(client, data):
    body, _ = search(client, "angkor")
    assert set(body) == {"query", "zawgyi_converted", "total", "results"}
    assert body["query"] == "angkor" and body["total"] == 3
    for result in body["results"]:
        assert set(result) == {"id", "licence_number", "name", "status", "url"}
        assert set(result["name"]) == {"en", "km", "my"}
    angkor = next(r for r in body["results"] if r["licence_number"] == ANGKOR)
    assert angkor["name"] == {"en": "Angkor Manpower Co., Ltd.", "km": KM, "my": ""}
    assert angkor["status"] == "licensed"
    assert angkor["url"].endswith("/en/agencies/KH-MLVT%202024/0012")


@pytest.mark.parametrize("query, first", [
    (ANGKOR, ANGKOR), ("khmlvt20240012", ANGKOR),
    # The copycat carries "KH MLVT 2024 0013" as a trade name; the real holder ranks first.
    ("KH-MLVT 2024/0013", [STAR, COPYCAT]), ("kh mlvt-2024-0013", [STAR, COPYCAT]),
    (KM, ANGKOR), ("អង្គរ ម៉ែនផៅវ័រ", ANGKOR), (MY, SHWE), ("ရွှေမြန်မာ", SHWE),
    ("+855 12 345 678", ANGKOR), ("012-345-678", ANGKOR),
    ("Angkor Manpower", ANGKOR), ("golden gate", COPYCAT),
])
def test_search_best_match_first(client, data, query, first):
    first = first if isinstance(first, list) else [first]
    assert search(client, query)[1][:len(first)] == first


@pytest.mark.parametrize("params, expected", [
    ({"status": "licensed"}, {ANGKOR, STAR}), ({"status": "suspended"}, {SHWE}),
    ({"status": "revoked"}, {COPYCAT}), ({"status": "expired"}, {OLD}),
    ({"status": "not_licensed"}, {FUTURE}),
    ({"province": "KH-12"}, {ANGKOR, STAR}),
    ({"destination": "th"}, {ANGKOR, COPYCAT, SHWE}),
    ({"q": "angkor", "destination": "TH"}, {ANGKOR, COPYCAT}),
    ({}, ALL),
])
def test_search_filters(client, data, params, expected):
    body, found = search(client, **params)
    assert set(found) == expected and body["total"] == len(expected)
    if "status" in params:
        assert {r["status"] for r in body["results"]} == {params["status"]}


@pytest.mark.parametrize("limit, offset", [
    (100, 0), (2, 0), (2, 2), (2, 4), (1, 5), (5, 5),
    (2, 1), (4, 3),  # offsets that are not a multiple of the limit
    (6, 6), (3, 10000),  # past the end: nothing, not the last page again
])
def test_search_limit_and_offset(client, data, limit, offset):
    body, found = search(client, limit=limit, offset=offset)  # no query: by English name
    assert body["total"] == 6 and found == BY_NAME[offset:offset + limit]


# -- agency record ---------------------------------------------------------------------------

def agency(client, number, status=200):
    return get(client, "/api/v1/agencies/" + number, "/api/v1/agencies/{licence_number}", status)


@pytest.mark.parametrize("number, status, reason", [
    (ANGKOR, "licensed", {"kind": "licence", "licence_number": ANGKOR,
                          "since": "2024-01-01", "until": "2099-12-31"}),
    (SHWE, "suspended", {"kind": "suspension", "decision_ref": "PRAKAS-S-011",
                         "since": "2025-03-01", "until": "2030-12-31"}),
    (COPYCAT, "revoked", {"kind": "revocation", "decision_ref": "PRAKAS-R-010",
                          "since": "2025-01-15", "until": None}),
    (OLD, "expired", {"kind": "licence", "licence_number": OLD,
                      "since": "2017-01-01", "until": None}),
    (FUTURE, "not_licensed", {"kind": "licence", "licence_number": FUTURE,
                              "since": None, "until": "2097-12-31"}),
])
def test_agency_status_and_reason(client, data, number, status, reason):
    record = agency(client, number)
    assert record["licence_number"] == number
    assert (record["status"], record["status_reason"]) == (status, reason)


@pytest.mark.parametrize("spelling", [
    ANGKOR, "KH-MLVT-2024-0012", "kh mlvt 2024 0012", "khmlvt20240012", "KH/MLVT/2024/0012",
    "KH-MLVT%202024%2F0012", " KH-MLVT 2024/0012 "])
def test_agency_licence_number_spelling(client, data, spelling):
    assert agency(client, spelling)["licence_number"] == ANGKOR


def test_agency_public_record(client, data):
    record = agency(client, ANGKOR)
    assert record["name"] == {"en": "Angkor Manpower Co., Ltd.", "km": KM, "my": ""}
    assert record["province"]["code"] == "KH-12" and record["destinations"] == ["MY", "TH"]
    assert {"kind": "phone", "value": "+855 12 345 678"} in record["channels"]
    assert record["licences"] == [
        {"number": ANGKOR, "issued_on": "2024-01-01", "expires_on": "2099-12-31"}]
    assert [(s["kind"], s["state"], s["decision_ref"]) for s in record["sanctions"]] == [
        ("revocation", "overturned", "PRAKAS-R-003"),
        ("warning", "under_appeal", "PRAKAS-W-002"),
        ("fine", "in_force", "PRAKAS-F-001")]
    fine = record["sanctions"][2]
    assert (fine["amount"], fine["currency"], fine["paid"]) == ("2500000.00", "KHR", True)
    assert fine["reason"] == {"en": "Excessive fees", "km": "គិតថ្លៃសេវាលើស", "my": ""}
    assert record["complaint_summary"] == {
        "total": 3, "workers_affected": 15,
        "by_category": {"excessive_fees": 2, "document_retention": 1},
        "by_status": {"resolved": 1, "investigating": 1, "received": 1},
        "compensation": [{"currency": "USD", "amount": "150.50"}]}
    assert [c["received_on"] for c in record["complaints"]] == [
        "2025-09-01", "2025-08-01", "2025-02-01"]
    assert record["complaints"][0]["case_ref"] == "C-2025-0003"
    assert record["representatives"][0]["name"] == "Dara Broker"


@pytest.mark.parametrize("drift", [
    lambda r: r.update(registered_by="clerk@ministry"),
    lambda r: r["sanctions"][0].update(state="pending"),
    lambda r: r["complaints"][0].update(complainant_name="x"),
    lambda r: r["name"].pop("km"),
    lambda r: r.update(status="active"),
    lambda r: r["licences"][0].update(issued_on="01/01/2024"),
    lambda r: r["sanctions"][2].update(amount=2500000),
])
def test_the_schema_catches_drift(client, data, drift):
    record = agency(client, ANGKOR)
    drift(record)
    assert list(validator("#/components/schemas/AgencyRecord").iter_errors(record))


# -- verify ----------------------------------------------------------------------------------

L, P = "licence", "phone"


@pytest.mark.parametrize("kind, value, status, number", [
    (L, ANGKOR, "licensed", ANGKOR), (L, "KHMLVT20240012", "licensed", ANGKOR),
    (L, "kh mlvt-2024-0012", "licensed", ANGKOR), (L, "mm0042", "suspended", SHWE),
    (L, "KH-MLVT 2024/OO12", "licensed", ANGKOR), (L, "mmOO42", "suspended", SHWE),  # O for 0
    (L, COPYCAT, "revoked", COPYCAT), (L, OLD, "expired", OLD),
    (L, FUTURE, "not_licensed", FUTURE), (L, "KH-MLVT 1999/9999", "not_licensed", None),
    (P, "+855 12 345 678", "licensed", ANGKOR), (P, "012345678", "licensed", ANGKOR),
    (P, "012-345-678", "licensed", ANGKOR), (P, "(0)12 345 678", "licensed", ANGKOR),
    (P, "+85512345678", "licensed", ANGKOR), (P, "023 999 888", "suspended", SHWE),
    (P, "+855 97 222 3333", "licensed", ANGKOR),  # a representative's phone
    (P, "099 999 999", "not_licensed", None),
    (P, COMPLAINANTS[0]["complainant_phone"], "not_licensed", None),
])
def test_verify(client, data, kind, value, status, number):
    answer = get(client, "/api/v1/verify", "/api/v1/verify", query_string={kind: value})
    assert {"verified", "status", "agency", "checked_at", "reference"} <= set(answer)
    assert answer["status"] == status
    assert answer["verified"] is (status == "licensed")
    assert (answer["agency"] or {}).get("licence_number") == number
    assert REFERENCE.match(answer["reference"]) and CHECKED_AT.match(answer["checked_at"])
    assert answer["reference"][2:10] == answer["checked_at"][:10].replace("-", "")


def test_a_head_request_mints_no_receipt_and_counts_no_lead(app, client, data):
    from sqlalchemy import func, select
    from registry.extensions import db
    from registry.models import UnmatchedSearch, Verification

    def counts():
        with app.app_context():
            return (db.session.scalar(select(func.count(Verification.id))),
                    db.session.scalar(select(func.count(UnmatchedSearch.id))))
    before = counts()
    assert client.head("/api/v1/verify", query_string={"licence": ANGKOR}).status_code == 200
    assert client.head("/en/search", query_string={"q": "Nobody Such Broker"}).status_code == 200
    assert counts() == before
    assert client.get("/en/search", query_string={"q": "Nobody Such Broker"}).status_code == 200
    assert counts()[1] == before[1] + 1  # the same search by a person counts


# -- errors, methods, CORS --------------------------------------------------------------------

@pytest.mark.parametrize("url, status, template", [
    *[(f"/api/v1/agencies/{n}", 404, "/api/v1/agencies/{licence_number}")
      for n in ("KH-MLVT 1999/9999", "---", "%E2%80%8B")],
    *[(f"/api/v1/verify{q}", 400, "/api/v1/verify")
      for q in ("", "?licence=&phone=", "?licence=%20%E2%80%8B%20", "?licnce=MM-0042",
                # each one given must hold a letter or digit (the document's pattern)
                "?licence=----", "?phone=%2B", "?licence=KH-MLVT-2024-0012&phone=")],
    *[(f"/api/v1/search?{q}", 400, "/api/v1/search") for q in ("offset=", "limit=",
                                                              "province=kh-12")],
    *[(f"/api/v1/search?{q}", 400, "/api/v1/search") for q in (
        "limit=0", "limit=abc", "limit=1000", "limit=-1", "limit=1.5", "limit=%20",
        "offset=10001", "offset=x", "status=active", "province=XX-99", "destination=THA")],
    ("/api/v1/search?limit=%C2%B2", 400, "/api/v1/search"),  # '²' is a digit to str.isdigit
    *[(url, 404, None) for url in ("/api/v1/nope", "/api/v1/agencies/", "/api/v1/search/extra",
                                   "/api/v1/", "/api/v2/search")],
])
def test_errors_are_json(client, url, status, template):
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert "<html" not in text.lower() and "Traceback" not in text
    body = response.get_json()
    assert_valid(body, "#/components/schemas/Error")
    assert body["error"]["code"] == {400: "bad_request", 404: "not_found"}[status]
    if template:
        assert_valid(body, documented_schema(template, status))


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("url", ["/api/v1/search", "/api/v1/verify?licence=MM-0042",
                                 "/api/v1/agencies/MM-0042", "/api/v1/openapi.json"])
def test_other_methods_are_refused_as_json(client, method, url):
    response = client.open(url, method=method, json={"status": "licensed"})
    assert response.status_code == 405 and response.mimetype == "application/json"
    body = response.get_json()
    assert_valid(body, "#/components/schemas/Error")
    assert body["error"]["code"] == "method_not_allowed"


def test_method_not_allowed_says_what_is_allowed(client):
    response = client.post("/api/v1/search")
    assert response.status_code == 405 and "GET" in response.headers.get("Allow", "")


@pytest.mark.parametrize("value", ["²", "١٠", "٠", "9" * 30, "\u0000"])
def test_odd_numbers_never_leak_a_stack_trace(client, value):
    response = client.get("/api/v1/search", query_string={"limit": value, "offset": value})
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "Traceback" not in text and "ValueError" not in text
    # Any answer ("١٠" is ten in Arabic-Indic digits), as long as it is one the document lists.
    assert_valid(response.get_json(), documented_schema("/api/v1/search", response.status_code))


@pytest.mark.parametrize("url", [
    "/api/v1/search?q=angkor", f"/api/v1/agencies/{ANGKOR}", f"/api/v1/verify?licence={ANGKOR}",
    "/api/v1/openapi.json", "/api/v1/agencies/NOPE-1", "/api/v1/verify"])
def test_cors_on_get(client, data, url):
    for _ in range(2):  # the second answer may be a kept one: it is told the same
        response = client.get(url, headers={"Origin": "https://ngo.example"})
        assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
        assert response.headers["Access-Control-Expose-Headers"] == \
            "Link, ETag, Content-Language, Location"
        assert "Origin" not in response.vary  # one answer for every origin


def test_cors_preflight_allows_get_only(client):
    response = client.options("/api/v1/search", headers={
        "Origin": "https://ngo.example", "Access-Control-Request-Method": "GET"})
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://ngo.example")
    allowed = response.headers.get("Access-Control-Allow-Methods", "")
    assert "GET" in allowed and "POST" not in allowed and "DELETE" not in allowed


def test_cors_preflight_allows_post_for_a_bulk_check_only(client):
    response = client.options("/api/v1/verify/batch", headers={
        "Origin": "https://radio.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://radio.example")
    assert response.headers.get("Access-Control-Allow-Methods") == "POST"
    assert response.headers.get("Access-Control-Allow-Headers") == "Content-Type"


# -- privacy ---------------------------------------------------------------------------------

def test_private_fields_and_pending_sanctions_never_appear(client, data):
    urls = [f"/api/v1/agencies/{n}" for n in ALL] + [
        "/api/v1/search?limit=100", "/api/v1/search?q=Chan+Sophea",
        "/api/v1/search?q=%2B855+97+111+2222", "/api/v1/search?q=passport",
        f"/api/v1/search?q={PENDING_REF}", f"/api/v1/verify?licence={ANGKOR}",
        "/api/v1/verify?phone=%2B855+97+111+2222",
        "/api/v1/verify?phone=%2B95+9+420+111+222"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_json()
        # "query" echoes what was asked; everything else is what the registry answered.
        text = json.dumps({k: v for k, v in body.items() if k != "query"}, ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked by {url}"
        if "/search" in url and "limit" not in url:
            assert body["total"] == 0, f"{url} found an agency through private data"
        if "/verify" in url and "phone" in url:
            assert body["agency"] is None
    record = agency(client, ANGKOR)
    assert record["status"] == "licensed"  # the pending suspension does not count
    assert "pending" not in {s["state"] for s in record["sanctions"]}
    for row in record["complaints"]:
        assert not {"complainant_name", "complainant_phone", "details"} & set(row)


# -- caching, languages and pages (issue 15) -------------------------------------------------------

def test_answers_revalidate_by_etag_and_say_their_language(client, data):
    first = client.get("/api/v1/search", query_string={"q": "angkor"},
                       headers={"Accept-Language": "km"})
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    assert first.headers["Content-Language"] == "km"
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/api/v1/search", query_string={"q": "angkor"},
                       headers={"If-None-Match": first.headers["ETag"], "Accept-Language": "km"})
    assert again.status_code == 304 and again.data == b""
    # Another language is another answer (Vary: Accept-Language), with its own tag.
    assert client.get("/api/v1/search", query_string={"q": "angkor"}, headers={
        "If-None-Match": first.headers["ETag"], "Accept-Language": "en"}).status_code == 200
    record = client.get(f"/api/v1/agencies/{ANGKOR}")
    assert client.get(f"/api/v1/agencies/{ANGKOR}", headers={
        "If-None-Match": record.headers["ETag"]}).status_code == 304
    check = client.get("/api/v1/verify", query_string={"licence": ANGKOR})
    assert check.headers["Cache-Control"] == "no-store" and "ETag" not in check.headers


def test_pages_of_results_are_linked(client, data):
    first = client.get("/api/v1/search", query_string={"q": "", "limit": 2})
    assert first.json["total"] == 6
    assert first.headers["Link"] == (
        '<http://registry.test/api/v1/search?q=&limit=2&offset=2>; rel="next"')
    middle = client.get("/api/v1/search", query_string={"q": "", "limit": 2, "offset": 2})
    assert middle.headers["Link"] == (
        '<http://registry.test/api/v1/search?q=&limit=2&offset=0>; rel="prev", '
        '<http://registry.test/api/v1/search?q=&limit=2&offset=4>; rel="next"')
    last = client.get("/api/v1/search", query_string={"q": "", "limit": 2, "offset": 4})
    assert 'rel="next"' not in last.headers["Link"]


def test_negotiated_addresses_vary_and_pages_name_their_language(client, data):
    assert {"Accept-Language", "Cookie"} <= set(client.get("/").headers["Vary"].split(", "))
    page = client.get("/my/")
    assert page.headers["Content-Language"] == "my"
