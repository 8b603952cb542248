"""services.snapshots: one snapshot a day, with each agency's status on that day, kept beside
its SHA-256 and never rewritten; several writers at once leave one intact file."""
import csv
import fcntl
import hashlib
import io
import json
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date

import pytest

from registry.services import agencies, snapshots

from ..conftest import agency_row
from ..servers import ROOT, registry_env

DAY_1, DAY_2 = date(2026, 3, 1), date(2026, 3, 2)


@pytest.fixture
def on(monkeypatch):
    """on(day): the registry's today (what every status and snapshot is dated by)."""
    def set_day(day):
        monkeypatch.setattr(agencies, "today", lambda: day)
    return set_day


def inside(snapshot, name):
    with zipfile.ZipFile(snapshot.path) as z:
        return z.read(name).decode("utf-8")


def status_in(snapshot, licence_number):
    rows = csv.DictReader(io.StringIO(inside(snapshot, "agencies.csv")))
    return next(r["status"] for r in rows if r["licence_number"] == licence_number)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_snapshot_a_day_kept_with_its_hash_and_the_status_of_its_day(ctx, load, on):
    load(agencies=[agency_row("KH-S-1", "Expiring Agency", "2025-01-01", DAY_1.isoformat())])
    on(DAY_1)
    first, wrote = snapshots.write()
    assert wrote and first.name == "registry-public-2026-03-01.zip"
    checksum = first.path.with_name(first.name + ".sha256").read_text()
    assert checksum == f"{sha256(first.path)}  registry-public-2026-03-01.zip\n"
    assert first.sha256 == sha256(first.path) and first.size == first.path.stat().st_size
    package = json.loads(inside(first, "datapackage.json"))
    assert package["status_on"] == "2026-03-01" and package["created"]
    assert status_in(first, "KH-S-1") == "licensed"  # its last day

    kept_bytes = first.path.read_bytes()
    load(agencies=[agency_row("KH-S-2", "Later Agency")])
    assert snapshots.write() == (first, False)  # same day: nothing written
    assert first.path.read_bytes() == kept_bytes

    on(DAY_2)
    second, wrote = snapshots.write()
    assert wrote and second.name == "registry-public-2026-03-02.zip"
    assert status_in(second, "KH-S-1") == "expired"
    assert "Later Agency" in inside(second, "agencies.csv")
    assert first.path.read_bytes() == kept_bytes and sha256(first.path) == first.sha256
    assert [s.day for s in snapshots.kept()] == [DAY_2, DAY_1]
    assert snapshots.newest() == second


def test_writers_at_once_leave_one_intact_snapshot(app, load):
    load(agencies=[agency_row("KH-S-1", "Raced Agency")])
    results, start = [], threading.Barrier(4)

    def writer():
        with app.app_context():
            start.wait()
            results.append(snapshots.write())
    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(wrote for _, wrote in results) == [False, False, False, True]
    assert len({s.sha256 for s, _ in results}) == 1
    with app.app_context():
        [kept] = snapshots.kept()
        assert sha256(kept.path) == kept.sha256
        assert sorted(p.name for p in snapshots.folder().iterdir()) == [
            ".lock", kept.name, kept.name + ".sha256"]


def test_two_processes_at_once_write_one_snapshot(app, load, database_url, tmp_path):
    """What two gunicorn workers or a cron job and a request do: separate processes."""
    load(agencies=[agency_row("KH-S-1", "Raced Agency")])
    env = registry_env(tmp_path, database_url, 80, REGISTRY_INSTANCE_DIR=app.instance_path,
                       REGISTRY_CHECKPOINT_LOG=app.config["REGISTRY_CHECKPOINT_LOG"],
                       REGISTRY_SIGNING_KEY_FILE=app.config["REGISTRY_SIGNING_KEY_FILE"])
    command = [sys.executable, "-m", "flask", "--app", "registry", "opendata", "snapshot"]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    said = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        said.append(out.split()[0])
    assert sorted(said) == ["Already", "Wrote"]
    with app.app_context():
        [kept] = snapshots.kept()
        assert sha256(kept.path) == kept.sha256
        assert zipfile.ZipFile(kept.path).testzip() is None


def test_a_killed_writers_leftovers_are_cleared_and_never_listed(ctx, load, on):
    load(agencies=[agency_row("KH-S-1", "Agency")])
    on(DAY_1)
    folder = snapshots.folder()
    (folder / ".writing-dead").mkdir()
    (folder / ".writing-dead" / "archive.zip").write_bytes(b"half")
    (folder / "registry-public-2026-03-01.zip.sha256").write_text("0" * 64 + "  x\n")
    (folder / "registry-public-notes.zip").write_bytes(b"not ours")
    assert snapshots.kept() == []  # a hash with no zip is no snapshot, nor is another name
    snapshot, wrote = snapshots.write()
    assert wrote and snapshot.sha256 == sha256(snapshot.path)
    assert not (folder / ".writing-dead").exists()


def test_a_name_finds_only_a_kept_snapshot(ctx, load, on):
    load(agencies=[agency_row("KH-S-1", "Agency")])
    on(DAY_1)
    snapshot, _ = snapshots.write()
    assert snapshots.find("registry-public-2026-03-01.zip") == snapshot
    for name in ("registry-public-2026-03-02.zip", "registry-public-2026-02-30.zip",
                 "registry-public-2026-3-1.zip", "registry-public-2026-03-01.zip.sha256",
                 "../registry-public-2026-03-01.zip", "registry-public-2026-03-01.zip/..",
                 ".lock", "registry-public-../../registry.sqlite3.zip"):
        assert snapshots.find(name) is None, name


def test_a_snapshot_whose_hash_file_was_deleted_is_hashed_again(ctx, load, on, caplog):
    load(agencies=[agency_row("KH-S-1", "Agency")])
    on(DAY_1)
    snapshot, _ = snapshots.write()
    snapshot.path.with_name(snapshot.name + ".sha256").unlink()
    assert snapshots.find(snapshot.name).sha256 == snapshot.sha256
    assert "has no .sha256 file" in caplog.text


def test_a_request_never_waits_for_a_writer_at_work(ctx, load, on):
    load(agencies=[agency_row("KH-S-1", "Agency")])
    on(DAY_1)
    with open(snapshots.folder() / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another worker is writing today's
        assert snapshots.write(wait=False) == (None, False)
    assert snapshots.kept() == []


def test_a_new_day_is_written_in_the_background_once(app, load, on, monkeypatch, caplog):
    """The first request of a day starts one writer; one that fails leaves yesterday's as the
    newest and is logged, and the next request tries again."""
    load(agencies=[agency_row("KH-S-1", "Agency")])
    on(DAY_1)
    with app.test_request_context():
        snapshots.ensure_today()  # none kept: written at once
        [first] = snapshots.kept()
        on(DAY_2)
        snapshots._writing.add(app.instance_path)  # a writer of this app is at work
        snapshots.ensure_today()
        snapshots._writing.discard(app.instance_path)
        assert not any(t.name == "open-data-snapshot" for t in threading.enumerate())
        assert snapshots.kept() == [first]

        def disk_full(*args, **kwargs):
            raise OSError("No space left on device")
        make_zip = snapshots.archive.make_zip
        monkeypatch.setattr(snapshots.archive, "make_zip", disk_full)
        snapshots.ensure_today()
        wait_for_writers()
        assert "writing today's open-data snapshot failed" in caplog.text
        assert snapshots.newest() == first
        monkeypatch.setattr(snapshots.archive, "make_zip", make_zip)
        snapshots.ensure_today()
        wait_for_writers()
        assert [s.day for s in snapshots.kept()] == [DAY_2, DAY_1]


def wait_for_writers():
    deadline = time.monotonic() + 30
    while snapshots._writing:
        assert time.monotonic() < deadline, "the background writer did not finish"
        time.sleep(0.05)
