"""Signed checkpoints of the audit chain, kept outside the database.

After every commit that appended audit entries, the registry signs a checkpoint (how many
entries the chain has, the hash of the newest, the time) and appends it to a log file outside
the database. This follows the signed tree head of Certificate Transparency (RFC 9162 §4.10)
in its text form, the C2SP `tlog-checkpoint` signed note with an Ed25519 signature:

    registry.example/audit        origin
    1234                          entries in the chain
    q8p8bVZ9pQ…=                  head hash, base64
    time 2026-11-28T09:12:01Z     extension line

    — registry.example/audit AbCd…   key hash (4 bytes) and signature, base64

The hash is the head of the registry's hash chain, not a Merkle tree root: a checkpoint proves
what the first N entries were, checked by walking the chain (`audit verify`), not by an
inclusion proof. See docs/admin.md for what this does and does not prove.
"""
import base64
import fcntl
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from flask import current_app

from . import signing

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space, as C2SP signed notes write it
ED25519 = b"\x01"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    head: str  # hex, as the audit log stores hashes
    time: str
    note: str
    #: Where it was read from, and its place there (for messages).
    source: str = ""
    number: int = 0
    signed: bool = False


def origin():
    """The log's name: the site's host (REGISTRY_BASE_URL) and /audit."""
    base = current_app.config.get("REGISTRY_BASE_URL") or ""
    host = urlsplit(base).netloc or "registry.local"
    return f"{host}/audit"


def log_path():
    return Path(current_app.config["REGISTRY_CHECKPOINT_LOG"])


def _public_bytes(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_hash(name, public_key):
    digest = hashlib.sha256(name.encode() + b"\n" + ED25519 + _public_bytes(public_key)).digest()
    return digest[:4]


def verifier_key(name=None):
    """The C2SP verifier key (`name+hash+key`) that checks these checkpoints anywhere."""
    name = name or origin()
    public = signing.private_key().public_key()
    return (f"{name}+{key_hash(name, public).hex()}+"
            + base64.b64encode(ED25519 + _public_bytes(public)).decode())


def sign_note(size, head, when=None):
    """The signed note for a chain of `size` entries whose newest hash is `head`."""
    when = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = origin()
    body = f"{name}\n{size}\n{base64.b64encode(bytes.fromhex(head)).decode()}\ntime {when}\n"
    key = signing.private_key()
    signature = base64.b64encode(key_hash(name, key.public_key()) + key.sign(body.encode()))
    return f"{body}\n{SIGNATURE_PREFIX}{name} {signature.decode()}\n"


def append(size, head):
    """Sign a checkpoint and append it to the log file (flushed to disk before returning)."""
    note = sign_note(size, head)
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # whole notes, even with several workers appending
        os.write(fd, (note + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return note


def _check_signature(body, signatures, public_key):
    for line in signatures:
        name, _, encoded = line[len(SIGNATURE_PREFIX):].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        if len(raw) != 68 or raw[:4] != key_hash(name, public_key):
            continue
        try:
            public_key.verify(raw[4:], body.encode())
        except InvalidSignature:
            return False
        return True
    return False


def parse(text, source="", public_key=None):
    """Every checkpoint note in `text` (the log file, /data/audit-checkpoints.txt, or the
    Atom feed's entries), in order, each marked signed or not by this registry's key."""
    public_key = public_key or signing.private_key().public_key()
    found, lines, i = [], text.replace("\r\n", "\n").split("\n"), 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        body = []
        while i < len(lines) and lines[i]:
            body.append(lines[i])
            i += 1
        i += 1  # the blank line between text and signatures
        signatures = []
        while i < len(lines) and lines[i].startswith(SIGNATURE_PREFIX):
            signatures.append(lines[i])
            i += 1
        checkpoint = _checkpoint(body, signatures, source, len(found) + 1, public_key)
        if checkpoint is not None:
            found.append(checkpoint)
    return found


def _checkpoint(body, signatures, source, number, public_key):
    if len(body) < 3 or not body[1].isdigit() or not signatures:
        return None
    try:
        head = base64.b64decode(body[2], validate=True).hex()
    except ValueError:
        return None
    text = "\n".join(body) + "\n"
    when = next((line[5:] for line in body[3:] if line.startswith("time ")), "")
    return Checkpoint(origin=body[0], size=int(body[1]), head=head, time=when,
                      note=text + "\n" + "\n".join(signatures) + "\n", source=source,
                      number=number, signed=_check_signature(text, signatures, public_key))


def read_log(path=None):
    """The checkpoints of the local log, or [] when there is none yet."""
    path = Path(path) if path else log_path()
    if not path.is_file():
        return []
    return parse(path.read_text(encoding="utf-8", errors="replace"), source=str(path))


def latest(count=1, path=None):
    """The newest `count` checkpoints of the local log (reads only the end of the file)."""
    path = Path(path) if path else log_path()
    if not path.is_file():
        return []
    start = max(0, path.stat().st_size - 600 * (count + 1))
    with open(path, "rb") as f:
        f.seek(start)
        tail = f.read().decode("utf-8", errors="replace")
    if start:
        # Drop the partial line; a note cut further down has too few lines to parse.
        tail = tail[tail.find("\n") + 1:]
    return parse(tail, source=str(path))[-count:]
