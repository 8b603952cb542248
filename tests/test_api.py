import json
import pytest
pytestmark = pytest.mark.filterwarnings("ignore:.get_engine. is deprecated:DeprecationWarning")
from conftest import agency_row

KM = "ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ"
MY = "ရွှေမြန်မာ အလုပ်အကိုင်"

def test_explore(client, load):
    load(agencies=[
        agency_row("KH-MLVT 2024/0012", "Angkor Manpower Co., Ltd.", "2024-01-01", "2099-12-31",
                   name_km=KM, phones="+855 12 345 678", province="KH-12", destinations="MY;TH",
                   channels="facebook:fb.com/angkor;telegram:@angkorjobs"),
        agency_row("MM-0042", "Shwe Myanmar Employment", "2024-01-01", "2099-12-31", name_my=MY),
    ], sanctions=[
        {"licence_number": "KH-MLVT 2024/0012", "kind": "suspension", "decided_on": "2026-01-01",
         "state": "pending", "decision_ref": "SECRET-PENDING-1", "reason_en": "PENDINGREASON"},
        {"licence_number": "KH-MLVT 2024/0012", "kind": "fine", "decided_on": "2025-03-01",
         "amount": "2500000", "currency": "KHR", "paid": "yes", "state": "in_force", "decision_ref": "F-1"},
        {"licence_number": "MM-0042", "kind": "suspension", "decided_on": "2025-03-01",
         "state": "in_force", "decision_ref": "S-1", "reason_my": MY},
    ], complaints=[
        {"licence_number": "KH-MLVT 2024/0012", "received_on": "2025-02-01", "category": "excessive_fees",
         "status": "resolved", "compensation_amount": "120", "currency": "USD", "closed_on": "2025-05-01",
         "complainant_name": "Sok SECRETNAME", "complainant_phone": "+855 97 111 2222", "details": "SECRETDETAILS"},
    ], representatives=[
        {"licence_number": "KH-MLVT 2024/0012", "name": "Dara Broker", "id_number": "B-1", "phone": "097 222 3333",
         "province": "KH-12", "authorised_from": "2025-01-01"},
    ])
    out = {}
    for url in ["/api/v1/search?q=angkor", "/api/v1/search?q=KHMLVT20240012", "/api/v1/search?q=" + MY,
                "/api/v1/agencies/KH-MLVT 2024/0012", "/api/v1/agencies/MM-0042",
                "/api/v1/verify?licence=kh mlvt-2024-0012", "/api/v1/verify?phone=012-345-678",
                "/api/v1/verify?phone=0972223333", "/api/v1/verify?licence=nope",
                "/api/v1/search?limit=0", "/api/v1/search?limit=%C2%B2", "/api/v1/nope", "/api/v1/search?offset=1&limit=1",
                "/api/v1/search?status=licensed", "/api/v1/search?status=bogus"]:
        r = client.get(url, headers={"Origin": "https://x.example"})
        out[url] = [r.status_code, dict(r.headers), r.get_json() if r.is_json else r.get_data(as_text=True)[:300]]
    r = client.post("/api/v1/search", headers={"Origin": "https://x.example"})
    out["POST"] = [r.status_code, dict(r.headers), r.get_data(as_text=True)[:300]]
    open("/tmp/explore/out.json", "w").write(json.dumps(out, indent=1, ensure_ascii=False))
