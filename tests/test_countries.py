"""What depends on the country profile, under each shipped profile (issue 12): the demo data,
regions, phones, the default language, digits and the ministry's details."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry.cli import SEED_DIR
from registry.countries import load as load_profile
from registry.extensions import db
from registry.models import Agency, Complaint, Sanction
from registry.normalise import phone_key
from registry.services import agencies
from registry.services.imports import ImportRefused, import_folder
from registry.status import STATUSES
from registry.zawgyi import is_zawgyi

from .conftest import BOTH_COUNTRIES, agency_row, write_folder

#: country -> (its language, a phone as people there write it, other ways of writing it)
PHONES = {
    "KH": ("km", "012 345 678", ["+855 12 345 678", "012345678", "(0)12-345-678",
                                 "០១២ ៣៤៥ ៦៧៨"]),
    "MM": ("my", "09 420 123 456", ["+95 9 420 123 456", "09420123456", "959420123456",
                                    "၀၉ ၄၂၀ ၁၂၃ ၄၅၆"]),
}
#: country -> (a region by its ISO code, the same by another English name, the other country's)
REGIONS = {"KH": ("KH-12", "Phnom Penh", "MM-06"), "MM": ("MM-06", "Rangoon", "KH-12")}


@BOTH_COUNTRIES
def test_a_visitor_without_a_preference_gets_the_countrys_language(client, country):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    lang = PHONES[country][0]
    assert client.get("/").headers["Location"].endswith(f"/{lang}/")
    unsupported = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert unsupported.headers["Location"].endswith(f"/{lang}/")


@BOTH_COUNTRIES
def test_the_home_page_names_the_countrys_ministry_and_hotline(client, country):
    ministry = load_profile(country).ministry
    lang = PHONES[country][0]
    page = client.get(f"/{lang}/").get_data(as_text=True)
    assert ministry["name"][lang] in page and ministry["hotline_display"] in page
    assert f'href="tel:{ministry["hotline"]}"' in page


@BOTH_COUNTRIES
def test_seed_loads_the_countrys_demo_registry_dated_today(app, runner, country):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    profile = load_profile(country)
    lang = PHONES[country][0]
    with app.app_context():
        everyone = db.session.scalars(select(Agency)).all()
        assert len(everyone) >= 300
        assert all(profile.province(a.province) for a in everyone)  # ISO 3166-2 of the country
        assert sum(1 for a in everyone if getattr(a, f"name_{lang}")) >= 300
        assert not any(is_zawgyi(a.name_my) or is_zawgyi(a.address_my) for a in everyone)
        calling = "+855" if country == "KH" else "+95"
        phones = [c.lookup_key for a in everyone for c in a.channels if c.kind == "phone"]
        assert phones and all(p.startswith(calling) for p in phones), phones[:5]
        statuses = [agencies.status_of(a).code for a in everyone]
        mix = {s: statuses.count(s) for s in STATUSES}
        assert mix["licensed"] > len(statuses) / 2, mix
        assert all(mix[s] > 0 for s in ("suspended", "revoked", "expired", "not_licensed")), mix
        kinds_states = set(db.session.execute(select(Sanction.kind, Sanction.state)).all())
        assert len(kinds_states) == 16
        assert db.session.scalar(select(func.count(Sanction.id))) >= 150
        assert db.session.scalar(select(func.count(Complaint.id))) >= 800
        newest = db.session.scalar(select(func.max(Complaint.received_on)))
        assert date.today() - timedelta(days=60) <= newest < date.today()
    if country == "MM":  # some rows were typed in Zawgyi, and the import says so
        assert "typed in Zawgyi and converted to Unicode" in result.output
    again = runner.invoke(args=["seed"])
    assert "agencies: 0 new, 0 updated" in again.output


@BOTH_COUNTRIES
def test_regions_are_the_countrys_own(app, tmp_path, country):
    code, other_name, foreign = REGIONS[country]
    good = write_folder(tmp_path / "good", agencies=[
        agency_row("R-1", "By Code", province=code),
        agency_row("R-2", "By Other Name", province=other_name)])
    bad = write_folder(tmp_path / "bad", agencies=[agency_row("R-3", "Abroad", province=foreign)])
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_folder(bad, agencies.profile(), "test")
        message = str(refused.value.problems[0])
        assert foreign in message and f"{country}-" in message
        import_folder(good, agencies.profile(), "test")
        assert set(db.session.scalars(select(Agency.province))) == {code}


@BOTH_COUNTRIES
def test_phones_as_people_write_them_find_the_agency(client, load, country):
    _, phone, others = PHONES[country]
    load(agencies=[agency_row("P-1", "Phone Agency", phones=phone)])
    key = phone_key(phone, country)
    assert all(phone_key(other, country) == key for other in others)
    for typed in others:
        found = client.get("/api/v1/search", query_string={"q": typed}).json
        assert [r["licence_number"] for r in found["results"]] == ["P-1"], typed


@BOTH_COUNTRIES
def test_dates_amounts_and_counts_in_the_digits_the_profile_names(client, load, country):
    load(agencies=[agency_row("D-1", "Digit Agency", issued="2025-01-01", expires="2029-12-31",
                              phones=PHONES[country][1])],
         sanctions=[{"licence_number": "D-1", "kind": "fine", "decided_on": "2025-03-04",
                     "amount": "1500000", "currency": load_profile(country).currency,
                     "decision_ref": "Order 7/2025", "state": "in_force"}])
    native = country == "MM"
    page = client.get("/my/agencies/D-1").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", page)
    assert ("၂၀၂၅" in text) is native and ("2025" in re.sub(r"[A-Z]+-\S+|Order \S+", "", text)
                                            ) is not native
    assert ("၁,၅၀၀,၀၀၀" in text) is native
    assert "Order 7/2025" in text and "D-1" in text  # references keep the digits typed
    listed = client.get("/my/").get_data(as_text=True)
    assert ("၁" in re.sub(r"<[^>]+>", " ", listed)) is native  # "the registry lists 1 agency"
    assert "2025" in client.get("/en/agencies/D-1").get_data(as_text=True)  # English: 0-9


@BOTH_COUNTRIES
def test_the_country_names_its_divisions(client, load, country):
    load(agencies=[agency_row("V-1", "Division Agency", province=REGIONS[country][0])])
    label = "Province" if country == "KH" else "State or region"
    assert f"<dt>{label}</dt>" in client.get("/en/agencies/V-1").get_data(as_text=True)
    assert label in client.get("/en/search?q=division").get_data(as_text=True)


@BOTH_COUNTRIES
def test_the_demo_data_is_what_the_generator_writes(tmp_path, country):
    """registry/seed/<country> is generated (bench/synthetic.py seed --country), never edited by
    hand: the generator, with its fixed seed, writes the same files again."""
    import sys
    bench = str(SEED_DIR.parent.parent / "bench")
    sys.path.insert(0, bench)
    try:
        from synthetic import write_registry
        write_registry(tmp_path, 320, country=country)
    finally:
        sys.path.remove(bench)
    shipped = SEED_DIR / country
    for name in ("agencies.csv", "representatives.csv", "sanctions.csv", "complaints.csv",
                 "reference_date.txt"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
    reference = date.fromisoformat((shipped / "reference_date.txt").read_text().strip())
    assert reference <= date.today()
