"""An index damaged under running workers (issue 14): deleted, zeroed or truncated while the
app serves. Identifiers are answered from the database meanwhile, a name is never said to be
missing by a broken index, the index heals without a restart, and no worker dies (files are
read, not memory-mapped: no SIGBUS)."""
import gc
import json
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from registry import search

from .conftest import agency_row
from .servers import free_port, gunicorn, registry_env, request

HEALED_WITHIN = 60  # seconds; a seed-sized registry rebuilds in about one


def zero(folder):
    for path in Path(folder).glob("MAIN_*.seg"):
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.write(b"\0" * size)


def truncate(folder):
    for path in Path(folder).glob("MAIN_*.seg"):
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 2)


DAMAGE = {"deleted": shutil.rmtree, "zeroed": zero, "truncated": truncate}


@pytest.fixture
def agencies(load):
    load(agencies=[agency_row("KH-MLVT-2025-0901", "Healing Lotus Manpower", phones="012 692 810"),
                   agency_row("KH-MLVT-2025-0902", "Steady River Recruitment")])


def answers(app, text):
    with app.app_context():
        return search.query(text)


def wait_healed(app, index):
    deadline = time.monotonic() + HEALED_WITHIN
    while time.monotonic() < deadline:
        if index.damage is None and answers(app, "Healing Lotus").total == 1:
            return
        time.sleep(0.1)
    raise AssertionError(f"not healed: {index.damage}")


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_under_a_running_app_is_answered_from_the_database_then_healed(
        app, agencies, damage, caplog):
    index = app.extensions["registry_search"]
    assert answers(app, "Healing Lotus").total == 1  # open, and keep, a snapshot
    DAMAGE[damage](app.config["REGISTRY_INDEX_DIR"])
    by_licence = answers(app, "KH-MLVT-2025-0901")
    by_phone_end = answers(app, "692810")
    by_name = answers(app, "Steady River")
    if by_name.degraded:  # detected at once: only identifiers, from the database
        assert by_name.total == 0 and index.damage
    for found in (by_licence, by_phone_end):
        assert found.total == 1 and len(found.agency_ids) == 1
    wait_healed(app, index)
    assert answers(app, "Steady River").total == 1
    assert answers(app, "KH-MLVT-2025-0901").degraded is False
    assert any("damaged" in r.message for r in caplog.records)


def test_an_identifier_the_index_missed_is_found_in_the_database(app, agencies, monkeypatch):
    """A lagging or inconsistent index never says 'no licence' about a licence on record."""
    monkeypatch.setattr(search, "run", lambda *args, **kwargs: search.Results(0, []))
    found = answers(app, "KH-MLVT-2025-0901")
    assert found.total == 1 and not found.degraded
    assert answers(app, "Healing Lotus").total == 0  # names are the index's to answer


def test_a_heal_that_fails_is_retried_later_and_searches_still_answer(app, agencies,
                                                                      monkeypatch):
    index = app.extensions["registry_search"]
    answers(app, "Healing Lotus")
    building = threading.Event()

    def fail():
        building.wait(10)
        raise OSError("disk full")
    monkeypatch.setattr(index, "_build_generation", fail)
    shutil.rmtree(app.config["REGISTRY_INDEX_DIR"])
    assert answers(app, "KH-MLVT-2025-0901").total == 1  # reports; the heal starts
    with app.app_context():
        assert index.report(RuntimeError("again")) is None  # one heal at a time
    building.set()  # and it fails
    deadline = time.monotonic() + 10
    while index._healed_at > time.monotonic() - 30 and time.monotonic() < deadline:
        time.sleep(0.05)  # the failed heal gives its pause back
    assert index.damage and answers(app, "KH-MLVT-2025-0901").total == 1
    monkeypatch.undo()
    answers(app, "Steady River")  # the next search tries again, and it works
    wait_healed(app, index)


def node_search(port, text, lang=None):
    path = f"/{lang}/search?q={quote(text)}" if lang else f"/api/v1/search?q={quote(text)}"
    status, _, body = request(port, path)
    return status, body if lang else json.loads(body)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_under_two_gunicorn_workers(agencies, database_url, tmp_path, damage):
    port = free_port()
    folder = tmp_path / "node-index"
    node = gunicorn(registry_env(tmp_path, database_url, port, REGISTRY_INDEX_DIR=folder,
                                 REGISTRY_LIMIT_SEARCH="100000/minute"),
                    port, workers=2, log=tmp_path / "gunicorn.log")
    try:
        for _ in range(10):  # both workers open their snapshots
            status, body = node_search(port, "Healing Lotus")
            assert status == 200 and body["total"] == 1
        DAMAGE[damage](folder)
        healed_at, deadline = None, time.monotonic() + HEALED_WITHIN
        while time.monotonic() < deadline:
            status, body = node_search(port, "KH-MLVT-2025-0901")
            assert status == 200 and body["total"] == 1, body  # never "no licence on record"
            status, body = node_search(port, "692810")
            assert status == 200 and body["total"] == 1, body
            status, body = node_search(port, "Steady River")
            assert status == 200, body
            if body["total"] == 0:  # only while repairing: never "not found"
                assert body["nothing_found"]["kind"] == "repairing", body
                healed_at = None
            elif healed_at is None:
                healed_at = time.monotonic()
            elif time.monotonic() - healed_at > 2:
                break
            time.sleep(0.05)
        assert healed_at and time.monotonic() - healed_at > 2, "not healed"
        status, page = node_search(port, "Steady River", lang="km")
        assert status == 200 and b"Steady River" in page
        log = (tmp_path / "gunicorn.log").read_text()
        assert node.process.poll() is None
        assert "SIGBUS" not in log and log.count("Booting worker") == 2, log
    finally:
        node.stop()


def test_a_snapshot_dropped_in_a_reference_cycle_closes_its_files(app, agencies):
    """A torn-down app is collected as a cycle; the segment files' own finalisers must not run
    before the snapshot closes them (an 'unclosed file' warning at some later moment)."""
    answers(app, "Healing Lotus")
    index = app.extensions["registry_search"]
    unraised = []
    snapshot, index._snapshot = index._snapshot, None
    snapshot.itself = snapshot
    del snapshot
    hook, sys.unraisablehook = sys.unraisablehook, unraised.append
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert [str(u.exc_value) for u in unraised] == []
