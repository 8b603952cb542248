"""/data/'s dated snapshots: listed newest first, `latest` links, each file served with its
SHA-256 as ETag and cached for long, an index for programs, and nothing else served."""
import hashlib
import re
import time
from datetime import date

import pytest

from registry.services import agencies, snapshots

from .conftest import agency_row

DAY_1, DAY_2 = date(2026, 3, 1), date(2026, 3, 2)
FIRST = "/data/registry-public-2026-03-01.zip"


@pytest.fixture
def dated(app, load, monkeypatch):
    """A registry whose today is DAY_1 (move it with dated(DAY_2))."""
    load(agencies=[agency_row("KH-W-1", "Snapshot Agency")])

    def set_day(day):
        monkeypatch.setattr(agencies, "today", lambda: day)
    set_day(DAY_1)
    return set_day


def body(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.get_data()


def test_the_first_visit_keeps_todays_snapshot_and_lists_it(client, dated):
    page = body(client, "/data/").decode()
    zipped = body(client, FIRST)
    digest = hashlib.sha256(zipped).hexdigest()
    assert f'href="{FIRST}"' in page and digest in page
    assert "registry-public.zip" in page  # the live archive too
    assert body(client, FIRST + ".sha256").decode() == (
        f"{digest}  registry-public-2026-03-01.zip\n")


def test_latest_leads_to_the_newest_and_a_new_day_adds_one(client, dated):
    with client.get("/data/latest.zip") as response:
        assert response.status_code == 302 and response.location.endswith(FIRST)
        assert "no-cache" in response.headers["Cache-Control"]
    first = body(client, FIRST)
    dated(DAY_2)
    with client.get("/data/latest.zip") as response:  # written meanwhile, in the background
        assert response.location.endswith(FIRST)
    deadline = time.monotonic() + 30
    while snapshots._writing:
        assert time.monotonic() < deadline, "today's snapshot was not written"
        time.sleep(0.05)
    with client.get("/data/latest.zip") as response:
        assert response.location.endswith("/data/registry-public-2026-03-02.zip")
    second = body(client, "/data/registry-public-2026-03-02.zip")
    assert body(client, "/data/latest.sha256").decode().startswith(
        hashlib.sha256(second).hexdigest() + "  registry-public-2026-03-02.zip")
    assert body(client, FIRST) == first  # kept as it was
    page = body(client, "/data/").decode()
    assert page.index("registry-public-2026-03-02.zip") < page.index(FIRST)


def test_a_dated_snapshot_is_cached_by_its_hash(client, dated):
    client.get("/data/")
    with client.get(FIRST) as response:
        digest = hashlib.sha256(response.get_data()).hexdigest()
        assert response.headers["ETag"] == f'"{digest}"'
        assert response.mimetype == "application/zip"
        assert "registry-public-2026-03-01.zip" in response.headers["Content-Disposition"]
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache
    with client.get(FIRST, headers={"If-None-Match": f'"{digest}"'}) as response:
        assert response.status_code == 304
    with client.get(FIRST + ".sha256", headers={"If-None-Match": f'"{digest}"'}) as response:
        assert response.status_code == 304


def test_the_index_for_programs(client, dated):
    index = client.get("/data/snapshots.json").get_json()
    [entry] = index["snapshots"]
    zipped = body(client, FIRST)
    assert entry == {
        "date": "2026-03-01", "bytes": len(zipped),
        "sha256": hashlib.sha256(zipped).hexdigest(),
        "url": "http://registry.test" + FIRST, "sha256_url": "http://registry.test" + FIRST
        + ".sha256"}
    assert index["latest"] == "http://registry.test/data/latest.zip"


@pytest.mark.parametrize("url", [
    "/data/registry-public-2026-03-02.zip", "/data/registry-public-2026-02-30.zip",
    "/data/registry-public-2026-3-1.zip", "/data/registry-public-latest.zip",
    "/data/registry-public-2026-03-02.zip.sha256", "/data/registry-public-x.zip.sha256",
    "/data/registry-public-..%2F..%2Fregistry.sqlite3.zip",
    "/data/registry-public-2026-03-01.zip%2F..%2F.lock", "/data/.lock",
    "/data/snapshots/registry-public-2026-03-01.zip", "/data/../registry.sqlite3"])
def test_nothing_but_a_kept_snapshot_is_served(client, dated, url):
    client.get("/data/")  # keeps DAY_1's
    with client.get(url) as response:
        assert response.status_code == 404, url


def test_no_snapshot_yet_no_latest(client, dated, monkeypatch):
    """When the first snapshot cannot be written (a full disk), the page still answers and
    `latest` says there is none."""
    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")
    monkeypatch.setattr(snapshots.archive, "make_zip", disk_full)
    page = body(client, "/data/").decode()
    assert re.search(r"No snapshot has been kept yet", page)
    assert client.get("/data/latest.zip").status_code == 404
    assert client.get("/data/latest.sha256").status_code == 404
    assert client.get("/data/snapshots.json").get_json() == {"latest": None, "snapshots": []}
