"""Ed25519 signatures for verification receipts, checkable offline with the public key."""
import base64
import json
import os
import tempfile
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app


def canonical(payload):
    """The exact bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


@cache
def _load_key(path):
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        # Written whole under another name, then linked into place: link() fails if the file
        # exists, so two workers starting together keep one key, and neither reads half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def private_key():
    return _load_key(current_app.config["REGISTRY_SIGNING_KEY_FILE"])


def public_key_pem():
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(payload):
    return base64.b64encode(private_key().sign(canonical(payload))).decode("ascii")


def check(payload, signature):
    try:
        private_key().public_key().verify(base64.b64decode(signature), canonical(payload))
    except (InvalidSignature, ValueError):
        return False
    return True
