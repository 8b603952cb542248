"""Dated snapshots of the open data (issue 15): once a day the open-data archive (archive.py's
content, with each agency's status on that day) is kept as registry-public-YYYY-MM-DD.zip,
beside registry-public-YYYY-MM-DD.zip.sha256 (sha256sum's format). A kept snapshot is never
rewritten or deleted: re-users cite it by its date and check it by its hash.

Written by `flask --app registry opendata snapshot` (cron), or by the first request that needs
today's (a deployment without cron still publishes one a day). Several workers may try at
once: one lock file lets one of them write, into a temporary folder beside the snapshots; the
hash file is in place before the zip appears (a listed snapshot always has its hash), and the
zip appears by a hard link, which fails rather than replace a file already there.
"""
import fcntl
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app

from ..extensions import db
from . import agencies, archive, audit

log = logging.getLogger(__name__)
PREFIX = "registry-public-"
NAME = re.compile(r"registry-public-(\d{4}-\d{2}-\d{2})\.zip")
TEMPORARY = ".writing-"
_writing = set()
_writing_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    day: date
    path: Path
    sha256: str
    size: int

    @property
    def name(self):
        return self.path.name

    @property
    def checksum_line(self):
        return f"{self.sha256}  {self.name}\n"


def folder():
    path = Path(current_app.instance_path) / "opendata" / "snapshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_name(day):
    return f"{PREFIX}{day.isoformat()}.zip"


def day_of(name):
    """The date a snapshot's file name gives, or None for any other name."""
    match = NAME.fullmatch(name)
    if not match:
        return None
    try:
        return date.fromisoformat(match[1])
    except ValueError:  # 2026-02-30
        return None


def kept():
    """Every kept snapshot, newest first."""
    found = (_read(path) for path in folder().glob(f"{PREFIX}*.zip"))
    return sorted((s for s in found if s), key=lambda s: s.day, reverse=True)


def newest():
    days = sorted(filter(None, (day_of(p.name) for p in folder().glob(f"{PREFIX}*.zip"))))
    return find(file_name(days[-1])) if days else None


def find(name):
    """The kept snapshot of that file name, or None. The path is made from the date read out
    of the name, so no name reaches another file."""
    day = day_of(name)
    return _read(folder() / file_name(day)) if day else None


def _read(path):
    day = day_of(path.name)
    if day is None:  # registry-public-notes.zip, put there by a hand
        return None
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    try:
        digest = path.with_name(path.name + ".sha256").read_text(encoding="ascii").split()[0]
    except (FileNotFoundError, IndexError, UnicodeDecodeError):
        # Written before its zip, so only a hand that deleted it gets here: hash the zip.
        log.warning("%s has no .sha256 file beside it; hashing the zip", path.name)
        digest = _digest(path)
    return Snapshot(day, path, digest, size)


def _digest(path):
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(wait=True):
    """Keep today's snapshot unless it is kept already. (snapshot, True) when this call wrote
    it; (snapshot, False) when it was there; (None, False) when another process is writing
    it and `wait` is false."""
    day = agencies.today()
    where = folder()
    target = where / file_name(day)
    if target.exists():
        return _read(target), False
    with open(where / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None, False
        if target.exists():  # written by whoever held the lock before us
            return _read(target), False
        for left in where.glob(f"{TEMPORARY}*"):  # a writer killed half-way; we hold the lock
            shutil.rmtree(left, ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=where, prefix=TEMPORARY) as tmp:
            made = archive.make_zip(Path(tmp), audit.head_hash(), on=day)
            _fsync(made)
            digest = _digest(made)
            checksum = Path(tmp) / "checksum"
            checksum.write_text(f"{digest}  {target.name}\n", encoding="ascii")
            _fsync(checksum)
            # No zip of this day exists, so a .sha256 already there is a killed writer's.
            checksum.replace(target.with_name(target.name + ".sha256"))
            os.link(made, target)  # FileExistsError rather than replace a kept snapshot
        _fsync(where)
    log.info("kept the open-data snapshot %s (sha256 %s)", target.name, digest)
    return _read(target), True


def ensure_today():
    """For the requests that publish snapshots (/data/, latest links, the index): when today's
    is missing, a background thread writes it and the request goes on with those kept; when
    none is kept at all, it is written now (the first one, like the first archive)."""
    if (folder() / file_name(agencies.today())).exists():
        return
    if newest() is None:
        try:
            write()
        except Exception:  # noqa: BLE001 - the page still serves the live archive; logged
            log.exception("writing the first open-data snapshot failed")
        return
    app = current_app._get_current_object()
    with _writing_lock:
        if app.instance_path in _writing:
            return
        _writing.add(app.instance_path)

    def work():
        try:
            with app.app_context():
                write(wait=False)
        except Exception:  # noqa: BLE001 - yesterday's stays the newest; a later request retries
            log.exception("writing today's open-data snapshot failed")
        finally:
            with _writing_lock:
                _writing.discard(app.instance_path)
            with app.app_context():
                db.session.remove()

    threading.Thread(target=work, name="open-data-snapshot", daemon=True).start()
