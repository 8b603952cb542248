"""The index follows the database through the outbox, whatever happens to the index."""
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from registry import search
from registry.extensions import db
from registry.models import Agency
from registry.search import index as index_module

from .conftest import agency_row

ROOT = Path(__file__).resolve().parents[1]


def found(client, q, **filters):
    params = "&".join(f"{k}={v}" for k, v in filters.items())
    return [r["licence_number"] for r in
            client.get(f"/api/v1/search?q={q}&{params}").json["results"]]


def test_a_crash_between_commit_and_index_write_is_caught_up(app, client, load, monkeypatch):
    assert found(client, "anything") == []  # builds the (empty) index
    monkeypatch.setattr(search, "catch_up", lambda: (_ for _ in ()).throw(OSError("killed")))
    load(agencies=[agency_row("O-1", "Outbox Agency")])  # committed; index write "crashed"
    monkeypatch.undo()
    with app.app_context():
        index = app.extensions["registry_search"]
        with index.ix.searcher() as s:
            assert s.doc_count() == 0  # the index really missed it
    assert found(client, "outbox") == ["O-1"]  # the next request catches up


def test_a_missing_index_is_rebuilt_with_one_log_line(app, client, load, caplog):
    load(agencies=[agency_row("M-1", "Missing Index Agency")])
    app.extensions["registry_search"].close()
    for path in Path(app.config["REGISTRY_INDEX_DIR"]).iterdir():
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="registry.search.index"):
        assert found(client, "missing") == ["M-1"]
    assert [r.message for r in caplog.records if "missing" in r.message][:1]


def test_a_corrupt_index_is_rebuilt(app, client, load, caplog):
    load(agencies=[agency_row("C-1", "Corrupt Index Agency")])
    app.extensions["registry_search"].close()
    for path in Path(app.config["REGISTRY_INDEX_DIR"]).glob("_MAIN_*.toc"):
        path.write_bytes(b"\x00garbage")
    with caplog.at_level(logging.WARNING, logger="registry.search.index"):
        assert found(client, "corrupt") == ["C-1"]
    assert any("unreadable" in r.message for r in caplog.records)


class FakeDate(date):
    current = date(2025, 6, 1)

    @classmethod
    def today(cls):
        return cls.current


def test_stored_statuses_are_refreshed_when_the_day_turns(app, client, load, monkeypatch):
    monkeypatch.setattr(index_module, "date", FakeDate)
    load(agencies=[agency_row("D-1", "Day Turn Agency", "2024-01-01", "2025-06-30")])
    assert found(client, "day", status="licensed") == ["D-1"]
    FakeDate.current = date(2025, 7, 1)
    assert found(client, "day", status="expired") == ["D-1"]
    assert found(client, "day", status="licensed") == []


# -- real processes ------------------------------------------------------------------------------

WORKER = r'''
import csv, logging, os, signal, sys
from pathlib import Path
from registry import create_app, search
from registry.services.agencies import profile
from registry.services.imports import import_folder

database, index_dir, work, name, count, die = sys.argv[1:7]
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database,
                  "REGISTRY_INDEX_DIR": index_dir, "REGISTRY_OUTBOX_POLL_SECONDS": 0,
                  "REGISTRY_INDEX_WRITER_TIMEOUT": 0.5, "SERVER_NAME": "registry.test"})
logging.getLogger("registry.search.index").setLevel(logging.INFO)
if die == "die":  # killed after the commit, before the index is written
    search.catch_up = lambda: os.kill(os.getpid(), signal.SIGKILL)
client = app.test_client()
for i in range(int(count)):
    folder = Path(work) / f"{name}-{i}"
    folder.mkdir(parents=True)
    with open(folder / "agencies.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["licence_number", "name_en", "licence_issued_on", "licence_expires_on"],
            [f"{name}-{i}", f"Worker {name} Agency {i}", "2025-01-01", "2027-12-31"]])
    with app.app_context():
        import_folder(folder, profile(), name)
    response = client.get("/api/v1/search", query_string={"q": f"worker {name}"})
    assert response.status_code == 200, response.status_code
print("done", name)
'''


def agency_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Agency.id)))


def worker(app, tmp_path, name, count, die=False):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"],
         app.config["REGISTRY_INDEX_DIR"], str(tmp_path / "work"), name, str(count),
         "die" if die else "live"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_process_killed_after_commit_leaves_an_index_that_catches_up(app, client, tmp_path):
    assert found(client, "anything") == []  # the index exists, empty
    child = worker(app, tmp_path, "K", 1, die=True)
    _, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    with app.app_context():
        with app.extensions["registry_search"].ix.searcher() as searcher:
            assert searcher.doc_count() == 0  # committed to the database, not indexed
    assert found(client, "worker k") == ["K-0"]  # the next request catches up


def test_two_processes_writing_at_once_lose_nothing_and_fail_no_request(app, client, tmp_path):
    assert found(client, "anything") == []
    with app.app_context():
        writelock = app.extensions["registry_search"].ix.lock("WRITELOCK")
    assert writelock.acquire(blocking=False)  # a third writer holds the index for a while
    try:
        children = [worker(app, tmp_path, name, 5) for name in ("A", "B")]
        deadline = time.monotonic() + 120
        while agency_count(app) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        writelock.release()
    logs = ""
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0 and out.startswith("done"), err
        logs += err
    assert "busy in another process" in logs  # they gave up waiting, and went on serving
    expected = {f"{name}-{i}" for name in ("A", "B") for i in range(5)}
    assert set(found(client, "worker", limit=100)) == expected
    with app.app_context():
        with app.extensions["registry_search"].ix.searcher() as searcher:
            assert searcher.doc_count() == len(expected)  # each agency indexed once


def test_a_settled_index_folder_is_trusted_until_a_commit_changes_it(app, client, load,
                                                                        monkeypatch):
    load(agencies=[agency_row("G-1", "Generation Agency")])
    with app.app_context():
        index = app.extensions["registry_search"]
        first = search.generation()
        looked = []
        snapshot = index.snapshot
        monkeypatch.setattr(index, "snapshot", lambda: looked.append(1) or snapshot())
        assert search.generation() == first and looked == [1]  # just committed: not settled
        past = time.time() - 10
        os.utime(index.dir, (past, past))
        assert search.generation() == first and looked == [1, 1]  # looked, and remembered
        assert search.generation() == first and looked == [1, 1]  # the folder as it was
    load(agencies=[agency_row("G-2", "Second Agency")])  # the commit adds and removes files
    with app.app_context():
        assert search.generation() != first and looked == [1, 1, 1]
    assert found(client, "second") == ["G-2"]
