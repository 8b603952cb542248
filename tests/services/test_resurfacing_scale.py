"""all_pairs over a 10,000-agency synthetic registry with planted resurfacing agencies: every
planted pair found, every reported pair real, in a handful of queries (time printed)."""
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.extensions import db
from registry.models import AddressKey, Agency, Channel, Licence
from registry.normalise import address_digests, address_key, channel_key
from registry.services import agencies, resurfacing
from registry.status import BINDING_STATES, REVOKED, SUSPENDED, licence_status

BENCH = Path(__file__).resolve().parents[2] / "bench"
SIZE = 10_000
PLANTED = 21


def bench_modules():
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import search as bench_search  # bench/search.py: its bulk load
    import synthetic
    return bench_search, synthetic


def flagged_by_rule(on):
    """Flagged agencies by the words of the issue, from the status rule and the sanctions read
    in Python: the test's own answer, not the service's SQL."""
    since = on - timedelta(days=resurfacing.FLAG_DAYS)
    flagged = set()
    for a in db.session.scalars(select(Agency).options(selectinload(Agency.licences),
                                                       selectinload(Agency.sanctions))):
        status = licence_status(a.licences, a.sanctions, on)
        if status.code in (REVOKED, SUSPENDED) or any(
                s.kind in ("revocation", "suspension") and s.state in BINDING_STATES
                and since <= s.effective_from <= on for s in a.sanctions):
            flagged.add(a.id)
    return flagged


def plant(flagged, on):
    """New agencies reusing flagged agencies' phones, Facebook pages and addresses, in turn:
    {(new agency id, flagged agency id, kind)}."""
    region = agencies.profile().phone_region
    sources = db.session.scalars(select(Agency).where(Agency.id.in_(sorted(flagged)))
                                 .options(selectinload(Agency.channels))
                                 .order_by(Agency.id)).all()
    planted, next_id = set(), db.session.scalar(select(db.func.max(Agency.id))) + 1
    kinds = ("phone", "facebook", "address")
    for source in sources:
        if len(planted) == PLANTED:
            break
        kind = kinds[len(planted) % 3]
        values = {"id": next_id, "version": 1, "name_en": f"Planted Agency {next_id}",
                  "aliases": [], "destinations": []}
        channels, keys = [], []
        if kind == "address":
            if not address_key(source.address_en):
                continue
            values["address_en"] = source.address_en.upper() + "."
            # Stored with the address, as the import does (agency_edits.set_address_keys).
            keys = [{"agency_id": next_id, "lang": lang, "key": key}
                    for key, lang in address_digests([("en", values["address_en"])]).items()]
        else:
            theirs = [c for c in source.channels if c.kind == kind]
            if not theirs:
                continue
            channels.append({"agency_id": next_id, "kind": kind, "value": theirs[0].value,
                             "lookup_key": channel_key(kind, theirs[0].value, region)})
        db.session.execute(db.insert(Agency), [values])
        db.session.execute(db.insert(Licence), [{
            "agency_id": next_id, "number": f"KH-PLANT-{next_id}",
            "number_key": f"KHPLANT{next_id}", "issued_on": on - timedelta(days=30),
            "expires_on": on + timedelta(days=700)}])
        if channels:
            db.session.execute(db.insert(Channel), channels)
        if keys:
            db.session.execute(db.insert(AddressKey), keys)
        planted.add((next_id, source.id, kind))
        next_id += 1
    db.session.commit()
    return planted


def really_shared(agency, link):
    """The agency and the flagged one do share the value reported."""
    if link.kind == "address":
        key = address_key(link.value)
        return key and key in {address_key(getattr(link.other, f"address_{lang}"))
                               for lang in resurfacing.ADDRESS_LANGS} and key in {
            address_key(getattr(agency, f"address_{lang}")) for lang in resurfacing.ADDRESS_LANGS}
    mine = [c for c in agency.channels if c.kind == link.kind and c.value == link.value]
    return bool(mine) and any(c.lookup_key == mine[0].lookup_key for c in link.other.channels)


def test_all_pairs_at_ten_thousand(ctx, tmp_path):
    bench_search, synthetic = bench_modules()
    on = agencies.today()
    synthetic.write_registry(tmp_path / "csv", SIZE, seed=11, reference_date=on)
    (tmp_path / "csv" / "complaints.csv").unlink()  # nothing here reads complaints
    assert bench_search.bulk_load(tmp_path / "csv") == SIZE
    flagged = flagged_by_rule(on)
    assert len(flagged) >= PLANTED
    planted = plant(flagged, on)
    assert len(planted) == PLANTED

    started = time.perf_counter()
    pairs = resurfacing.all_pairs(on)
    took = time.perf_counter() - started
    print(f"\nall_pairs over {SIZE + PLANTED} agencies ({len(flagged)} flagged): "
          f"{len(pairs)} pairs in {took:.3f} s")

    found = {(a.id, link.other.id, link.kind) for a, link in pairs}
    assert planted <= found, planted - found
    assert {link.other.id for _, link in pairs} <= flagged
    for agency, link in pairs:
        assert agency.id != link.other.id
        assert really_shared(agency, link), (agency.id, link)
    assert took < 5, took  # under a second here: see docs/decisions.md
    assert resurfacing.flagged(on).keys() == flagged

    # One agency's page: what a visitor waits for.
    new_id = min(planted)[0]
    agency = agencies.get_many([new_id])[0]
    started = time.perf_counter()
    links = resurfacing.links_of(agency, on)
    print(f"links_of one agency: {time.perf_counter() - started:.3f} s")
    assert {(new_id, link.other.id, link.kind) for link in links} >= {
        p for p in planted if p[0] == new_id}
