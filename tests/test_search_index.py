"""The index follows the database through the outbox, whatever happens to the index."""
import logging
from datetime import date
from pathlib import Path

from registry import search
from registry.search import index as index_module

from .conftest import agency_row


def found(client, q, **filters):
    params = "&".join(f"{k}={v}" for k, v in filters.items())
    return [r["licence_number"] for r in
            client.get(f"/api/v1/search?q={q}&{params}").json["results"]]


def test_a_crash_between_commit_and_index_write_is_caught_up(app, client, load, monkeypatch):
    assert found(client, "anything") == []  # builds the (empty) index
    monkeypatch.setattr(search, "catch_up", lambda: (_ for _ in ()).throw(OSError("killed")))
    load(agencies=[agency_row("O-1", "Outbox Agency")])  # committed; index write "crashed"
    monkeypatch.undo()
    with app.app_context():
        index = app.extensions["registry_search"]
        with index.ix.searcher() as s:
            assert s.doc_count() == 0  # the index really missed it
    assert found(client, "outbox") == ["O-1"]  # the next request catches up


def test_a_missing_index_is_rebuilt_with_one_log_line(app, client, load, caplog):
    load(agencies=[agency_row("M-1", "Missing Index Agency")])
    app.extensions["registry_search"].close()
    for path in Path(app.config["REGISTRY_INDEX_DIR"]).iterdir():
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="registry.search.index"):
        assert found(client, "missing") == ["M-1"]
    assert [r.message for r in caplog.records if "missing" in r.message][:1]


def test_a_corrupt_index_is_rebuilt(app, client, load, caplog):
    load(agencies=[agency_row("C-1", "Corrupt Index Agency")])
    app.extensions["registry_search"].close()
    for path in Path(app.config["REGISTRY_INDEX_DIR"]).glob("_MAIN_*.toc"):
        path.write_bytes(b"\x00garbage")
    with caplog.at_level(logging.WARNING, logger="registry.search.index"):
        assert found(client, "corrupt") == ["C-1"]
    assert any("unreadable" in r.message for r in caplog.records)


class FakeDate(date):
    current = date(2025, 6, 1)

    @classmethod
    def today(cls):
        return cls.current


def test_stored_statuses_are_refreshed_when_the_day_turns(app, client, load, monkeypatch):
    monkeypatch.setattr(index_module, "date", FakeDate)
    load(agencies=[agency_row("D-1", "Day Turn Agency", "2024-01-01", "2025-06-30")])
    assert found(client, "day", status="licensed") == ["D-1"]
    FakeDate.current = date(2025, 7, 1)
    assert found(client, "day", status="expired") == ["D-1"]
    assert found(client, "day", status="licensed") == []
