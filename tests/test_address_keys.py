"""Head-office address keys (issue 10): written with the addresses by every door that writes
them, made by the migration for the agencies already there, and what resurfacing joins on."""
from datetime import date, timedelta

from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.models import AddressKey, Agency, Licence
from registry.normalise import address_digests
from registry.services import resurfacing

from .admin_helpers import Staff
from .conftest import agency_row, write_folder

STREET = "No. 12, Street 271, Phnom Penh"
KHMER = "ផ្ទះ\u200bលេខ ១២ ផ្លូវ ២៧១ ភ្នំពេញ"


def keys_of(number):
    """{key: language} stored for the agency holding licence `number`, and what the addresses
    it now has should give."""
    agency = db.session.scalars(select(Agency).join(Licence).where(
        Licence.number == number)).one()
    stored = dict(db.session.execute(select(AddressKey.key, AddressKey.lang).where(
        AddressKey.agency_id == agency.id)).all())
    return stored, address_digests((lang, getattr(agency, f"address_{lang}"))
                                   for lang in resurfacing.ADDRESS_LANGS)


def test_the_import_keys_addresses_and_keys_them_again_when_they_change(app, load, runner,
                                                                         tmp_path):
    load(agencies=[agency_row("KH-A-0001", "Street Agency", address_en=STREET,
                              address_km=KHMER, address_my="Phnom Penh"),
                   agency_row("KH-A-0002", "Alike Agency", address_en=STREET.upper(),
                              address_km=STREET)])
    with app.app_context():
        stored, wanted = keys_of("KH-A-0001")
        assert stored == wanted and sorted(stored.values()) == ["en", "km"], \
            "'Phnom Penh' is too short to mean one place: no key"
        stored, wanted = keys_of("KH-A-0002")
        assert stored == wanted and list(stored.values()) == ["en"], \
            "two addresses written alike: one key, of the first language"
    # The command line's import, the same service: a moved head office is keyed again.
    folder = write_folder(tmp_path / "moved", agencies=[
        agency_row("KH-A-0001", "Street Agency", address_en="No. 99, Street 2004, Phnom Penh")])
    assert runner.invoke(args=["import", str(folder)]).exit_code == 0
    with app.app_context():
        stored, wanted = keys_of("KH-A-0001")
        assert stored == wanted and list(stored.values()) == ["en"]
        assert db.session.scalar(select(db.func.count(AddressKey.id))) == 2


def test_the_admin_forms_key_addresses_as_they_are_saved(app, client):
    staff = Staff(app, client)
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    created = client.post("/admin/agencies/new", data={
        "name_en": "Form Door Agency", "address_en": STREET, "licence_number": "KH-F-0001",
        "issued_on": "2025-01-01", "expires_on": "2030-01-01"})
    assert created.status_code == 302
    agency_id = created.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        stored, wanted = keys_of("KH-F-0001")
        assert stored == wanted and list(stored.values()) == ["en"]
    edited = client.post(f"/admin/agencies/{agency_id}", data={
        "version": 1, "name_en": "Form Door Agency", "address_en": "", "address_km": KHMER})
    assert edited.status_code == 302
    with app.app_context():
        stored, wanted = keys_of("KH-F-0001")
        assert stored == wanted and list(stored.values()) == ["km"]


def test_a_shared_address_is_found_through_the_stored_keys(app, load):
    """Found by the keys, not by the addresses: an agency whose keys are missing shares
    nothing, which is why every door writes them."""
    revoked_on = (date.today() - timedelta(days=30)).isoformat()
    load(agencies=[agency_row("KH-R-0001", "Old Agency", "2020-01-01", address_en=STREET),
                   agency_row("KH-N-0002", "New Agency", address_km=STREET.upper())],
         sanctions=[{"licence_number": "KH-R-0001", "kind": "revocation",
                     "decided_on": revoked_on, "effective_from": revoked_on,
                     "state": "in_force", "decision_ref": "D-1"}])
    with app.app_context():
        assert {(a.name_en, link.value) for a, link in resurfacing.all_pairs()} == {
            ("New Agency", STREET.upper())}
        agency = db.session.scalars(select(Agency).where(Agency.name_en == "New Agency")).one()
        assert [link.value for link in resurfacing.links_of(agency)] == [STREET.upper()]
        db.session.execute(db.delete(AddressKey))
        db.session.commit()
        assert resurfacing.links_of(agency) == []


def test_the_migration_keys_the_agencies_already_there(tmp_path):
    """In batches: agencies on both sides of the first batch's end are keyed."""
    from flask_migrate import downgrade, upgrade
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index")})
    addresses = {1: (STREET, KHMER, ""), 4999: ("", "", "Phnom Penh"),
                 5000: (STREET.upper(), STREET, ""), 5003: ("", KHMER, "အမှတ် ၁၂၊ ဗိုလ်ချုပ်လမ်း")}
    with app.app_context():
        upgrade(revision="a7d2e9c4b1f3")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO agency (id, public_id, name_en, name_km, name_my, aliases,"
                " address_en, address_km, address_my, email, website, destinations,"
                " created_at, updated_at, changed_at, version) VALUES (?, ?, 'Old', '', '',"
                " '[]', ?, ?, ?, '', '', '[]', '2026-01-01', '2026-01-01', '2026-01-01', 1)",
                [(i, f"AG-{i:010d}", *addresses.get(i, ("", "", ""))) for i in range(1, 5004)])
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT agency_id, key, lang FROM address_key").all()
        stored = {}
        for agency_id, key, lang in rows:
            stored.setdefault(agency_id, {})[key] = lang
        assert stored == {i: address_digests(zip(resurfacing.ADDRESS_LANGS, texts))
                          for i, texts in addresses.items() if i != 4999}
        assert list(stored[5000].values()) == ["en"]
        downgrade(revision="a7d2e9c4b1f3")
        with db.engine.connect() as conn:
            tables = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
        db.engine.dispose()
    assert "address_key" not in tables and "agency" in tables
