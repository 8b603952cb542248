"""Whether the index files on disk are the ones written (issue 14).

After every commit the committing process records each segment file's size, modification
time and CRC-32 in a manifest beside the index. A worker checks a snapshot's files against it
when it opens the snapshot (a file's CRC once per process), and on every search only that the
files it saw then are still there with the same size and time (a few stats). Segment files never change after they are written, so any
difference is damage: a deleted folder, a zeroed or truncated segment.
"""
import gc
import io
import json
import os
import zlib

MANIFEST = "segments.json"


class IndexDamaged(Exception):
    """The index on disk is not what was written: missing, changed or unreadable."""


def record_manifest(folder):
    """After a commit: size, time and CRC-32 of every segment file in `folder`."""
    old = load_manifest(folder)
    manifest = {}
    for path in folder.glob("MAIN_*"):
        if path.name == "MAIN_WRITELOCK":
            continue
        seen = _seen(path)
        known = old.get(path.name)
        manifest[path.name] = known if known and known[:2] == seen else [*seen, crc(path)]
    tmp = folder / f".{MANIFEST}.{os.getpid()}"
    tmp.write_text(json.dumps(manifest))
    os.replace(tmp, folder / MANIFEST)


def load_manifest(folder):
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def check(folder, segment_ids, verified):
    """Raise IndexDamaged if a file of these segments is missing or differs from the
    manifest (size, time and CRC-32, the CRC once per file: `verified` keeps the files
    already checked). Returns {file: [size, time]} of the segments' files, for `unchanged`."""
    manifest = load_manifest(folder)
    seen_files = {}
    try:
        present = set(os.listdir(folder))
    except OSError as error:
        raise IndexDamaged(f"the folder is gone ({error.strerror})") from None
    for segment in segment_ids:
        files = [name for name in present if name.startswith(segment + ".")]
        if not files:
            raise IndexDamaged(f"segment {segment} is missing")
        for name in files:
            seen = seen_files[name] = _seen(folder / name)
            expected = manifest.get(name)
            if expected is None:
                continue  # committed after the manifest was read
            if seen != expected[:2]:
                raise IndexDamaged(f"{name} changed on disk")
            if (name, *seen) not in verified:
                if crc(folder / name) != expected[2]:
                    raise IndexDamaged(f"{name} is corrupt")
                verified.add((name, *seen))
    return seen_files


def unchanged(folder, seen_files):
    """Raise IndexDamaged if a file `check` saw is gone or has another size or time."""
    for name, seen in seen_files.items():
        try:
            now = _seen(folder / name)
        except OSError:
            raise IndexDamaged(f"{name} is missing") from None
        if now != seen:
            raise IndexDamaged(f"{name} changed on disk")


def _seen(path):
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns]


def segments(searcher):
    return [leaf.reader().segment().segment_id() for leaf, _ in searcher.leaf_searchers()
            if leaf.reader().segment() is not None]


def inode(folder):
    try:
        return folder.stat().st_ino
    except OSError:
        return None


def close_files(folder):
    """Close every file still open under `folder`. Whoosh leaves the files of a segment it
    failed to read to the garbage collector (a ResourceWarning each, at some later moment);
    a damaged index is given up, so its files are closed here, while the error that holds
    them is being handled."""
    prefix = str(folder) + os.sep
    for obj in gc.get_objects():
        if (isinstance(obj, io.BufferedReader) and not obj.closed
                and str(getattr(obj, "name", "")).startswith(prefix)):
            obj.close()


def crc(path):
    value = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            value = zlib.crc32(chunk, value)
    return value
