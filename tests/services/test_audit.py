"""services.audit: the hash chain, its signed checkpoints outside the database, and
`audit verify` finding deleted, truncated or rewritten history (issue 8's attacks)."""
import functools
import http.server
import threading

from sqlalchemy import select, text

from registry.extensions import db
from registry.models import AuditEntry
from registry.services import audit, checkpoints, commit

from ..conftest import agency_row


def write(n, actor="clerk@ministry.example"):
    for i in range(n):
        audit.record(actor, "test_action", "tests", i, None, {"i": i})
        commit()


def chain():
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def rehash_from(seq):
    """What an insider with database access does to hide an edit: recompute every hash from
    `seq` on, so the chain fits together again."""
    entries = chain()
    prev = entries[seq - 2].hash if seq > 1 else audit.GENESIS
    for entry in entries[seq - 1:]:
        new = audit.entry_hash(prev, entry.at, entry.actor, entry.action, entry.entity,
                               entry.entity_key, entry.before, entry.after)
        db.session.execute(text("UPDATE audit_entry SET prev_hash = :p, hash = :h "
                                "WHERE id = :id"), {"p": f"x{entry.id:063d}",
                                                     "h": f"y{entry.id:063d}", "id": entry.id})
        db.session.execute(text("UPDATE audit_entry SET prev_hash = :p, hash = :h "
                                "WHERE id = :id"), {"p": prev, "h": new, "id": entry.id})
        prev = new
    db.session.commit()


def test_record_numbers_and_links_entries(ctx):
    write(3)
    entries = chain()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert audit.head() == (3, entries[-1].hash) and audit.head_hash() == entries[-1].hash


def test_each_commit_that_writes_entries_appends_a_signed_checkpoint(ctx):
    write(2)
    db.session.rollback()  # nothing written: no checkpoint
    audit.record("x", "rolled_back", "tests", 9)
    db.session.rollback()
    read = checkpoints.read_log()
    assert [(cp.size, cp.signed) for cp in read] == [(1, True), (2, True)]
    assert read[-1].head == audit.head_hash()


def test_a_failed_checkpoint_write_does_not_undo_the_change(ctx, app, tmp_path, caplog):
    app.config["REGISTRY_CHECKPOINT_LOG"] = str(tmp_path)  # a folder: appending fails
    write(1)
    assert audit.head()[0] == 1
    assert "could not write the audit checkpoint" in caplog.text


def test_verify_finds_an_altered_entry(ctx):
    write(3)
    db.session.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2"))
    db.session.commit()
    report = audit.verify()
    assert report.broken_at == chain()[1].id and "altered" in report.problem
    assert not report.intact


def test_verify_finds_a_deleted_entry_in_the_middle(ctx):
    write(3)
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    db.session.commit()
    assert "inserted or deleted" in audit.verify().problem


def test_deleting_the_newest_entries_is_caught_by_the_checkpoints(ctx, runner):
    write(5)
    db.session.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
    db.session.commit()
    assert audit.verify().intact  # the chain alone cannot tell
    report = audit.verify(checkpoints.read_log())
    assert report.last_good[0] == 3
    assert "entries 4 to 4 (at least) were deleted" in report.mismatches[0]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "checkpoint 4 of" in result.output and "3 entries, so entries 4 to 4" in result.output
    assert "checkpoint at entry 3" in result.output


def test_an_edit_hidden_by_recomputing_the_chain_is_caught(ctx, runner):
    write(6)
    db.session.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 4"))
    db.session.commit()
    rehash_from(4)
    assert audit.verify().intact  # it fits together again
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "checkpoint 4 of" in result.output and "entry 4 now hashes to" in result.output
    assert "were changed and the chain recomputed" in result.output
    assert "checkpoint at entry 3" in result.output


def test_verify_against_copies_kept_elsewhere(ctx, runner, client, tmp_path):
    """Someone keeps the published checkpoints; the operator then also loses the local log
    (or an insider deletes it) and truncates the audit table."""
    write(4)
    kept = tmp_path / "kept.txt"
    with client.get("/data/audit-checkpoints.txt") as published:
        kept.write_text(published.get_data(as_text=True))
    feed = tmp_path / "kept.atom"
    feed.write_bytes(client.get("/feeds/audit-checkpoints.atom").get_data())
    checkpoints.log_path().unlink()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq > 2"))
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # nothing local to compare
    for copy in (kept, feed):
        result = runner.invoke(args=["audit", "verify", "--against", str(copy)])
        assert result.exit_code != 0 and "were deleted" in result.output, result.output
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/kept.txt"
        result = runner.invoke(args=["audit", "verify", "--against", url])
        assert result.exit_code != 0 and f"of {url}" in result.output
    finally:
        server.shutdown()
        server.server_close()
    missing = runner.invoke(args=["audit", "verify", "--against", str(tmp_path / "none")])
    assert missing.exit_code != 0 and "Could not read" in missing.output


def test_a_forged_checkpoint_is_reported(ctx, runner, tmp_path):
    write(2)
    forged = checkpoints.read_log()[-1].note.replace("\n2\n", "\n9\n")
    copy = tmp_path / "forged.txt"
    copy.write_text(forged)
    result = runner.invoke(args=["audit", "verify", "--against", str(copy)])
    assert result.exit_code != 0 and "not signed by this registry's key" in result.output


def test_an_intact_log_passes_with_its_checkpoints(ctx, runner, load):
    load(agencies=[agency_row(f"A-{i}", f"Agency {i}") for i in range(3)])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "consistent with 1 signed checkpoints" in result.output


def test_audit_checkpoint_anchors_the_chain_as_it_is(ctx, runner):
    write(2)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "\n2\n" in result.output
    assert len(checkpoints.read_log()) == 3


def test_entries_filters(ctx):
    write(2, actor="a@m")
    write(1, actor="b@m")
    assert [e.actor for e in audit.entries()] == ["b@m", "a@m", "a@m"]
    assert len(audit.entries(actor="a@m")) == 2
    assert len(audit.entries(entity="tests", key="0")) == 2
    assert audit.entries(entity="sanctions") == []


def test_the_open_data_page_warns_when_the_newest_checkpoint_no_longer_matches(ctx, client):
    write(3)
    assert audit.latest_checkpoint_problem() == ""
    page = client.get("/data/").get_data(as_text=True)
    assert "no longer matches" not in page and checkpoints.verifier_key() in page
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    db.session.commit()
    assert "entry 3 does not match" in audit.latest_checkpoint_problem()
    assert "no longer matches its last signed checkpoint" in client.get("/data/").get_data(
        as_text=True)


def test_the_checkpoint_log_is_published(ctx, client):
    assert client.get("/data/audit-checkpoints.txt").get_data() == b""
    write(2)
    with client.get("/data/audit-checkpoints.txt") as response:
        published = response.get_data(as_text=True)
    assert [cp.size for cp in checkpoints.parse(published)] == [1, 2]
    feed = client.get("/feeds/audit-checkpoints.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    assert feed.get_data(as_text=True).count("<entry>") == 2


def test_kept_figures_follow_the_chain_head_not_only_its_length(ctx):
    """A restored backup takes the chain back to an earlier length; it may then grow again to
    the same length with other entries: a new version, so figures kept by the old one go."""
    computed = []

    def figure():
        computed.append(len(computed))
        return computed[-1]
    write(2)
    assert audit.kept_until_changed("test_figure", figure) == 0
    assert audit.kept_until_changed("test_figure", figure) == 0
    before = audit.version()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))  # as a restore would
    db.session.commit()
    audit.record("other@ministry.example", "other_action", "tests", 9, None, {"i": 9})
    commit()
    assert audit.version()[0] == before[0] and audit.version() != before
    assert audit.kept_until_changed("test_figure", figure) == 1
