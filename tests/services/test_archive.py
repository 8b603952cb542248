"""services.archive: the open-data archive is built once per change, never inside a download
once one exists, and by one builder at a time."""
import io
import time
import zipfile

from registry.services import archive, audit

from ..conftest import agency_row


def head_inside(client):
    with client.get("/data/registry-public.zip") as response:
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as z:
            return z.read("audit-head.txt").decode().strip(), z.read("agencies.csv").decode()


def test_an_archive_per_change_built_beside_the_downloads(app, client, load):
    load(agencies=[agency_row("KH-O-1", "First Open Agency")])
    with app.app_context():
        first = audit.head_hash()
    assert head_inside(client)[0] == first  # the first one is built at once
    assert head_inside(client)[0] == first  # and then served as it is
    load(agencies=[agency_row("KH-O-2", "Second Open Agency")])
    with app.app_context():
        second = audit.head_hash()
    head, agencies_csv = head_inside(client)  # the change is noticed: the old one meanwhile
    assert head == first and "Second Open Agency" not in agencies_csv
    deadline = time.monotonic() + 20
    while head_inside(client)[0] != second:
        assert time.monotonic() < deadline, "the new archive was not built"
        time.sleep(0.1)
    assert "Second Open Agency" in head_inside(client)[1]
    with app.app_context():
        assert [p.name for p in archive._folder().glob("registry-public-*.zip")] == [
            f"registry-public-{second[:16]}.zip"]


def test_a_build_already_under_way_is_not_repeated(app, load):
    import fcntl
    load(agencies=[agency_row("KH-O-1", "Locked Agency")])
    with app.app_context():
        head = audit.head_hash()
        with open(archive._folder() / ".lock", "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            archive.build(head, wait=False)  # another worker holds the lock: it returns
            assert not archive._path(head).exists()
        archive.build(head)
        assert archive._path(head).exists()
        archive.build(head)  # already there: nothing to do


def test_a_failed_background_build_keeps_the_previous_archive(app, client, load, monkeypatch,
                                                              caplog):
    load(agencies=[agency_row("KH-O-1", "First Open Agency")])
    with app.app_context():
        first = audit.head_hash()
    head_inside(client)
    load(agencies=[agency_row("KH-O-2", "Second Open Agency")])

    def disk_full(folder, progress=None):
        raise OSError("No space left on device")
    monkeypatch.setattr(archive, "export_folder", disk_full)
    assert head_inside(client)[0] == first
    deadline = time.monotonic() + 20
    while "building the open-data archive failed" not in caplog.text:
        assert time.monotonic() < deadline, "the failure was not logged"
        time.sleep(0.1)
    assert head_inside(client)[0] == first  # still served; the next request tries again
    while archive._building:  # let that retry end before the test's database is emptied
        assert time.monotonic() < deadline + 20
        time.sleep(0.05)
