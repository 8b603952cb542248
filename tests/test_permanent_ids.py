"""An agency's permanent public id (issue 15): it outlives licence numbers, so renewing a licence
changes no feed entry id and no address that re-users keep."""
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from registry.extensions import db
from registry.models import AGENCY_ID, Agency, Sanction, new_agency_id

from .conftest import agency_row

SANCTION_ID = re.compile(r"SN-[0-9A-HJKMNP-TV-Z]{10}")
ATOM = "{http://www.w3.org/2005/Atom}"
FIRST, RENEWED = "KH-P-2023-0001", "KH-P-2025-0001"
FINE = {"licence_number": FIRST, "kind": "fine", "decided_on": "2024-03-01", "amount": "100",
        "currency": "USD", "decision_ref": "Prakas 3/2024", "state": "in_force"}


def atom_ids(response):
    root = ET.fromstring(response.data)
    return root.findtext(f"{ATOM}id"), [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]


def test_new_ids_are_opaque_and_of_one_shape():
    made = {new_agency_id() for _ in range(2000)}
    assert len(made) == 2000 and all(AGENCY_ID.fullmatch(i) for i in made)
    assert not any(set(i[3:]) & set("ILOU") for i in made)  # nothing to misread aloud


def test_renewing_a_licence_changes_no_id_feed_entry_or_address(app, client, load):
    load(agencies=[agency_row(FIRST, "Lasting Agency", "2023-01-01", "2024-12-31")],
         sanctions=[FINE])
    with app.app_context():
        public_id = db.session.scalars(select(Agency.public_id)).one()
        sanction_id = db.session.scalars(select(Sanction.public_id)).one()
    assert SANCTION_ID.fullmatch(sanction_id)  # not the database's number, whose gaps count
    before = atom_ids(client.get("/feeds/sanctions.atom")), atom_ids(
        client.get(f"/feeds/agencies/{FIRST}.atom"))
    assert before[0][1] == [f"tag:registry.test,2026:agency/{public_id}/sanction/{sanction_id}"]
    assert before[1][0] == f"tag:registry.test,2026:agency/{public_id}/sanctions"

    load(agencies=[agency_row(RENEWED, "Lasting Agency", "2025-01-01", "2027-12-31",
                              previous_licence_number=FIRST)])
    after = atom_ids(client.get("/feeds/sanctions.atom")), atom_ids(
        client.get(f"/feeds/agencies/{RENEWED}.atom"))
    assert after == before
    with app.app_context():
        assert db.session.scalars(select(Agency.public_id)).one() == public_id

    # Both licence numbers and the id lead to the one record; the id, to wherever it is today.
    old = client.get(f"/en/agencies/{FIRST}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/en/agencies/{RENEWED}")
    by_id = client.get(f"/en/agencies/{public_id.lower()}")
    assert by_id.status_code == 302 and by_id.headers["Location"].endswith(RENEWED)
    page = client.get(f"/en/agencies/{RENEWED}").get_data(as_text=True)
    assert public_id in page
    for ref in (public_id, FIRST, RENEWED):
        record = client.get(f"/api/v1/agencies/{ref}").json
        assert (record["id"], record["licence_number"]) == (public_id, RENEWED), ref
        assert [s["id"] for s in record["sanctions"]] == [sanction_id]
    found = client.get("/api/v1/search", query_string={"q": "Lasting"}).json["results"]
    assert [r["id"] for r in found] == [public_id]
    assert client.get(f"/feeds/agencies/{public_id}.atom").status_code == 200


def test_an_id_that_names_no_agency_is_not_found(client, load):
    load(agencies=[agency_row(FIRST, "Lasting Agency")])
    unknown = new_agency_id()
    assert client.get(f"/en/agencies/{unknown}").status_code == 404
    assert client.get(f"/api/v1/agencies/{unknown}").status_code == 404
    assert re.fullmatch(r"AG-\w{10}", unknown)


def test_the_feed_of_changes_names_each_event_once_with_a_lasting_id(app, client, load):
    load(agencies=[agency_row(FIRST, "Lasting Agency", "2023-01-01", "2024-12-31")],
         sanctions=[FINE])
    load(agencies=[agency_row(RENEWED, "Lasting Agency", "2025-01-01", "2027-12-31",
                              previous_licence_number=FIRST),
                   agency_row("KH-P-2099-0001", "Future Agency", "2099-01-01", "2100-12-31")])
    with app.app_context():
        public_id = db.session.scalars(select(Agency.public_id).where(
            Agency.name_en == "Lasting Agency")).one()
        sanction_id = db.session.scalars(select(Sanction.public_id)).one()
    response = client.get("/feeds/changes.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    entries = [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}title"),
                e.findtext(f"{ATOM}updated")) for e in root.iter(f"{ATOM}entry")]
    base = f"tag:registry.test,2026:agency/{public_id}"
    assert entries == [  # newest first; nothing of the licence that starts in 2099
        (f"{base}/sanction/{sanction_id}/in_force", "Fine (In force): Lasting Agency",
         entries[0][2]),
        (f"{base}/licence/{RENEWED}/renewed", "Licence renewed: Lasting Agency",
         "2025-01-01T00:00:00Z"),
        (f"{base}/licence/{FIRST}/expired", "Licence expired: Lasting Agency",
         "2025-01-01T00:00:00Z"),
        (f"{base}/licence/{FIRST}/granted", "Licence granted: Lasting Agency",
         "2023-01-01T00:00:00Z"),
    ]
    assert root.findtext(f"{ATOM}id") == "tag:registry.test,2026:changes"
    again = client.get("/feeds/changes.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
