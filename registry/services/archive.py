"""The open-data archive, built once per change of the registry and served as a file: the open
dataset (opendata.py: tables keyed by permanent ids, datapackage.json), the same record in the
import format (import-format/, to load into another deployment), the audit head and the newest
signed checkpoint.

The audit chain's head names the registry's state exactly. When it has moved on, the request
that notices gets the previous archive at once and a background thread builds the new one: a
download never waits for an export of the whole registry (minutes at national scale), and one
lock file keeps several workers from building the same archive.
"""
import fcntl
import logging
import shutil
import tempfile
import threading
from pathlib import Path

from flask import current_app

from ..extensions import db
from . import audit, checkpoints
from .export import export_folder
from .opendata import write_dataset

log = logging.getLogger(__name__)
PREFIX = "registry-public-"
_building = set()
_building_lock = threading.Lock()


def _folder():
    folder = Path(current_app.instance_path) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(head):
    return _folder() / f"{PREFIX}{head[:16]}.zip"


def current():
    """(path of the newest archive, the audit head it was built at)."""
    head = audit.head_hash()
    path = _path(head)
    if path.exists():
        return path, head[:16]
    built = sorted(_folder().glob(f"{PREFIX}*.zip"), key=lambda p: p.stat().st_mtime)
    if not built:
        build(head)  # the very first archive: nothing older to hand out meanwhile
        return path, head[:16]
    _build_later(current_app._get_current_object(), head)
    return built[-1], built[-1].stem[len(PREFIX):]


def build(head, wait=True):
    """Build the archive of the registry at `head` (unless another process is at it)."""
    folder = _folder()
    with open(folder / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another worker is building it
        path = _path(head)
        if path.exists():
            return
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            made = make_zip(Path(tmp), head)
            made.replace(path)  # atomic: a reader never sees half an archive
        for old in folder.glob(f"{PREFIX}*.zip"):
            if old != path:
                old.unlink(missing_ok=True)


def make_zip(workdir, head, on=None):
    """Write the archive's content under `workdir` and zip it there; return the zip's path.
    `on`: the day whose status the open dataset gives (today). Dated snapshots
    (snapshots.py) are made by this too, so both hold the same files."""
    root = workdir / "data"
    write_dataset(root, head, on)
    export_folder(root / "import-format")
    # Whoever keeps this archive keeps the chain's head: history rewritten later shows.
    (root / "audit-head.txt").write_text(head + "\n")
    newest = checkpoints.latest()
    if newest:
        (root / "audit-checkpoint.txt").write_text(newest[0].note)
    return Path(shutil.make_archive(str(workdir / "archive"), "zip", root))


def _build_later(app, head):
    with _building_lock:
        if head in _building:
            return
        _building.add(head)

    def work():
        try:
            with app.app_context():
                build(head, wait=False)
        except Exception:  # noqa: BLE001 - the previous archive stays; the next request retries
            log.exception("building the open-data archive failed")
        finally:
            with _building_lock:
                _building.discard(head)
            with app.app_context():
                db.session.remove()

    threading.Thread(target=work, name="open-data-archive", daemon=True).start()
