"""Edges of the signed checkpoints: signature lines that are not ours or not base64 at all, and
the public pages' quick check, which trusts only a checkpoint this registry signed."""
import pytest

from registry.services import audit, checkpoints
from registry.services.checkpoints import SIGNATURE_PREFIX

HEAD = "ab" * 32
FOREIGN_HEAD = "ff" * 32


def split(note):
    """(the note's text, its signature line)."""
    text, signature = note.rstrip("\n").split("\n\n")
    return text + "\n", signature


def signed_by_another_key(app, tmp_path, size, head):
    """A note as another registry (another key file, same name) would sign it."""
    ours = app.config["REGISTRY_SIGNING_KEY_FILE"]
    app.config["REGISTRY_SIGNING_KEY_FILE"] = str(tmp_path / "another-registry.pem")
    try:
        return checkpoints.sign_note(size, head)
    finally:
        app.config["REGISTRY_SIGNING_KEY_FILE"] = ours


GARBLED = [
    "ហត្ថលេខា",                 # not base64 at all
    "AAAA!!!!",                  # base64 with characters outside its alphabet
    "QUJD\u1041\u1042",            # Burmese digits among base64
    "AAA",                       # cut: bad padding
    "=AAAA",                     # padding first
]


@pytest.mark.parametrize("encoded", GARBLED)
def test_a_signature_line_that_is_not_base64_is_skipped(ctx, encoded):
    text, good = split(checkpoints.sign_note(5, HEAD))
    garbled = f"{SIGNATURE_PREFIX}{checkpoints.origin()} {encoded}"
    # Another line first (a witness's, say) that cannot be read: ours after it still counts.
    [cp] = checkpoints.parse(f"{text}\n{garbled}\n{good}\n")
    assert (cp.size, cp.head, cp.signed) == (5, HEAD, True)
    assert cp.note == f"{text}\n{garbled}\n{good}\n"
    # Only that line: the checkpoint is read, but not signed by this registry.
    [cp] = checkpoints.parse(f"{text}\n{garbled}\n")
    assert (cp.size, cp.head, cp.signed) == (5, HEAD, False)


def test_another_signers_line_is_skipped_and_ours_checked(ctx, app, tmp_path):
    text, good = split(checkpoints.sign_note(5, HEAD))
    _, theirs = split(signed_by_another_key(app, tmp_path, 5, HEAD))
    assert theirs != good
    assert checkpoints.parse(f"{text}\n{theirs}\n{good}\n")[0].signed
    assert not checkpoints.parse(f"{text}\n{theirs}\n")[0].signed


def append_to_log(note):
    path = checkpoints.log_path()
    with open(path, "a", encoding="utf-8") as log:
        log.write(note + "\n")


@pytest.mark.parametrize("newest, problem", [
    # Ours: the empty database does not hold entry 1, so the quick check says so.
    ("ours", "entry 1 does not match the newest signed checkpoint"),
    # Not signed by this registry's key: the quick check has nothing it can trust.
    ("another key", ""),
    ("garbled signature", ""),
])
def test_the_quick_check_trusts_only_the_newest_checkpoint_we_signed(app, tmp_path, newest,
                                                                     problem):
    with app.app_context():
        note = {
            "ours": lambda: checkpoints.sign_note(1, FOREIGN_HEAD),
            "another key": lambda: signed_by_another_key(app, tmp_path, 1, FOREIGN_HEAD),
            "garbled signature": lambda: split(checkpoints.sign_note(1, FOREIGN_HEAD))[0]
            + f"\n{SIGNATURE_PREFIX}{checkpoints.origin()} ហត្ថលេខា\n",
        }[newest]()
        append_to_log(note)
        [cp] = checkpoints.latest()
        assert (cp.size, cp.head, cp.signed) == (1, FOREIGN_HEAD, newest == "ours")
        assert audit.latest_checkpoint_problem() == problem


def test_only_the_newest_checkpoint_is_quick_checked(app, tmp_path):
    """An older checkpoint of ours that no longer matches is for `audit verify` (which reports
    the unsigned newer one too), not for the quick check of the public pages."""
    with app.app_context():
        append_to_log(checkpoints.sign_note(1, FOREIGN_HEAD))
        assert audit.latest_checkpoint_problem() != ""
        append_to_log(signed_by_another_key(app, tmp_path, 2, FOREIGN_HEAD))
        assert audit.latest_checkpoint_problem() == ""
        report = audit.verify(checkpoints.read_log())
        assert report.checked == 2 and not report.intact
        assert "is not signed by this registry's key" in report.mismatches[-1]
