"""services.checkpoints: signed checkpoints of the audit chain, in the C2SP signed-note format,
checked by the Go reference implementation (golang.org/x/mod/sumdb/note) as well as our own
parser."""
import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from registry.services import checkpoints

NOTECHECK = Path(__file__).resolve().parent.parent / "tools" / "notecheck"


@pytest.fixture(scope="module")
def notecheck(tmp_path_factory):
    # No skip: CI installs Debian's golang-go and golang-golang-x-mod-dev (.ci/run).
    go = shutil.which("go")
    assert go, "Go is required to check checkpoints: apt-get install golang-go " \
               "golang-golang-x-mod-dev"
    binary = tmp_path_factory.mktemp("notecheck") / "notecheck"
    env = {**os.environ, "GOPATH": "/usr/share/gocode", "GO111MODULE": "off",
           "GOCACHE": str(binary.parent / "cache"), "GOFLAGS": ""}
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=NOTECHECK, env=env, check=True)
    return binary


def go_verifies(binary, key, note):
    result = subprocess.run([str(binary), key], input=note.encode(), capture_output=True)
    return result.returncode == 0, result.stdout.decode()


def test_a_checkpoint_is_a_signed_note_the_reference_implementation_accepts(ctx, notecheck):
    head = "ab" * 32
    note = checkpoints.sign_note(42, head)
    lines = note.split("\n")
    assert lines[:3] == ["registry.local/audit", "42", base64.b64encode(bytes.fromhex(head))
                         .decode()]
    assert lines[3].startswith("time ") and lines[4] == ""
    assert lines[5].startswith("\u2014 registry.local/audit ")
    ok, text = go_verifies(notecheck, checkpoints.verifier_key(), note)
    assert ok and text.startswith("registry.local/audit\n42\n")
    forged = note.replace("\n42\n", "\n41\n")
    assert not go_verifies(notecheck, checkpoints.verifier_key(), forged)[0]


def test_the_origin_follows_the_sites_address(app):
    app.config["REGISTRY_BASE_URL"] = "https://registry.mlvt.gov.kh"
    with app.app_context():
        assert checkpoints.origin() == "registry.mlvt.gov.kh/audit"
        assert checkpoints.verifier_key().startswith("registry.mlvt.gov.kh/audit+")


def test_append_then_read_back(ctx):
    for size in (1, 2, 3):
        checkpoints.append(size, f"{size:064x}")
    read = checkpoints.read_log()
    assert [(cp.size, cp.head, cp.signed, cp.number) for cp in read] == [
        (1, f"{1:064x}", True, 1), (2, f"{2:064x}", True, 2), (3, f"{3:064x}", True, 3)]
    assert [cp.size for cp in checkpoints.latest(2)] == [2, 3]


def test_latest_reads_only_the_end_of_a_long_log(ctx):
    for size in range(1, 40):
        checkpoints.append(size, f"{size:064x}")
    assert [cp.size for cp in checkpoints.latest(3)] == [37, 38, 39]
    assert checkpoints.latest(1)[0].signed


def test_no_log_yet(ctx):
    assert checkpoints.read_log() == [] and checkpoints.latest() == []


@pytest.mark.parametrize("damage", [
    lambda note: note.replace("\n7\n", "\n8\n"),                       # another size
    lambda note: note.replace("time 20", "time 19"),                   # another time
    lambda note: note[:-10] + "AAAAAAAAA\n",                            # another signature
])
def test_an_altered_checkpoint_is_not_signed(ctx, damage):
    note = checkpoints.sign_note(7, "cd" * 32)
    assert checkpoints.parse(note)[0].signed
    assert not checkpoints.parse(damage(note))[0].signed


def test_a_checkpoint_signed_by_another_key_is_not_ours(ctx, tmp_path, app):
    note = checkpoints.sign_note(7, "cd" * 32)
    app.config["REGISTRY_SIGNING_KEY_FILE"] = str(tmp_path / "other-key.pem")
    from registry.services import signing
    signing._load_key.cache_clear()
    assert not checkpoints.parse(note)[0].signed


def test_parse_ignores_what_is_not_a_checkpoint(ctx):
    assert checkpoints.parse("hello\n\nworld\n") == []
    assert checkpoints.parse("origin\nnot-a-number\nAAAA\n\n\u2014 origin AAAA\n") == []
    assert checkpoints.parse("origin\n3\n!!not base64!!\n\n\u2014 origin AAAA\n") == []
    assert checkpoints.parse("origin\n3\nAAAA\n\nno signature line\n") == []
