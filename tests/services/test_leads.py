"""services.leads: searches that found nothing, counted per day as leads on unlicensed
recruiters. Recording never fails the search, and never writes the searched text to the log."""
import logging
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError

from registry import create_app
from registry.extensions import db
from registry.models import UnmatchedSearch
from registry.services import leads

KHMER_BROKER = "ក្រុមហ៊ុន\u200bភ្នាក់ងារ  ក្លែងក្លាយ"   # "fake agency company", with a ZWSP
BURMESE_BROKER = "ရွှေပြည် အလုပ်အကိုင် အေဂျင်စီ"
DAY = date(2026, 11, 28)


def rows():
    return sorted(db.session.execute(select(
        UnmatchedSearch.day, UnmatchedSearch.kind, UnmatchedSearch.text,
        UnmatchedSearch.count)).all())


@pytest.mark.parametrize("text, kind, stored", [
    (KHMER_BROKER, "name", "ក្រុមហ៊ុនភ្នាក់ងារ ក្លែងក្លាយ"),
    (BURMESE_BROKER, "name", BURMESE_BROKER),
    ("Lucky 88 MANPOWER", "name", "lucky 88 manpower"),
    ("០១២ ៣៤៥ ៦៧៨", "phone", "+85512345678"),        # Khmer digits
    ("kh-mlvt ២០២៤/០០១២", "licence", "KHMLVT20240012"),
])
def test_a_search_is_counted_per_day_under_its_normalised_text(ctx, text, kind, stored):
    for _ in range(3):
        leads.record_unmatched(text, "KH", on=DAY)
    leads.record_unmatched(text, "KH", on=date(2026, 11, 29))
    assert rows() == [(DAY, kind, stored, 3), (date(2026, 11, 29), kind, stored, 1)]


def test_spellings_of_one_name_are_one_lead(ctx):
    for text in (KHMER_BROKER, "ក្រុមហ៊ុនភ្នាក់ងារ ក្លែងក្លាយ",
                 " ក្រុមហ៊ុន\u200cភ្នាក់ងារ ក្លែងក្លាយ "):
        leads.record_unmatched(text, "KH", on=DAY)
    assert rows() == [(DAY, "name", "ក្រុមហ៊ុនភ្នាក់ងារ ក្លែងក្លាយ", 3)]


def test_a_very_long_search_is_cut_to_the_columns_length(ctx):
    leads.record_unmatched("ក" * 500, "KH", on=DAY)
    assert rows() == [(DAY, "name", "ក" * leads.MAX_TEXT, 1)]


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200c", "\x00\x07"])
def test_a_search_of_nothing_is_not_a_lead(ctx, text):
    leads.record_unmatched(text, "KH", on=DAY)
    assert rows() == []


def test_today_is_the_default_day(ctx):
    leads.record_unmatched(BURMESE_BROKER, "MM")
    assert [(day, count) for day, _, _, count in rows()] == [(date.today(), 1)]


# -- when the database cannot take the lead -----------------------------------------------------

@pytest.fixture
def unmigrated(tmp_path):
    """The app on a database without the registry's tables (as before `flask db upgrade`)."""
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index")})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def warnings_of(caplog):
    return [r for r in caplog.records if r.name == leads.log.name]


@pytest.mark.parametrize("text", [KHMER_BROKER, BURMESE_BROKER, "098 765 4321", "KH-X-9999"])
def test_a_failure_is_logged_by_its_kind_only_never_the_searched_text(unmigrated, caplog, text):
    kind, normalised = leads.classify(text, "KH")
    with caplog.at_level(logging.WARNING, logger=leads.log.name):
        leads.record_unmatched(text, "KH", on=DAY)  # does not raise
    [record] = warnings_of(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "could not record an unmatched search: OperationalError"
    assert record.exc_info is None  # no traceback: the error's text holds the statement
    for secret in (text, normalised, normalised[:20]):
        assert secret not in caplog.text
    # What the error would have carried into the log had it been written whole:
    with pytest.raises(OperationalError) as error, db.engine.begin() as connection:
        connection.execute(sqlite.insert(UnmatchedSearch.__table__).values(
            day=DAY, kind=kind, text=normalised, count=1))
    assert normalised in str(error.value)


def test_a_value_the_database_refuses_is_logged_and_nothing_is_written(ctx, caplog):
    """On the real database: a day that is not a date is refused by the driver."""
    with caplog.at_level(logging.WARNING, logger=leads.log.name):
        leads.record_unmatched(KHMER_BROKER, "KH", on="ថ្ងៃស្អែក")   # "tomorrow"
    [record] = warnings_of(caplog)
    assert record.getMessage().startswith("could not record an unmatched search: ")
    assert record.exc_info is None
    assert "ក្រុមហ៊ុន" not in caplog.text and "ថ្ងៃស្អែក" not in caplog.text
    assert rows() == []
    leads.record_unmatched(KHMER_BROKER, "KH", on=DAY)  # the next search is counted again
    assert rows() == [(DAY, "name", "ក្រុមហ៊ុនភ្នាក់ងារ ក្លែងក្លាយ", 1)]


# -- one reader, one lead (issue 15) ---------------------------------------------------------------

def counts():
    return dict(db.session.execute(select(UnmatchedSearch.text, UnmatchedSearch.count)).all())


def test_a_reader_repeating_a_search_counts_once_a_day(ctx):
    for _ in range(5):
        leads.record_unmatched(KHMER_BROKER, "KH", on=DAY, client="203.0.113.7")
    leads.record_unmatched(KHMER_BROKER, "KH", on=DAY, client="198.51.100.2")  # someone else
    leads.record_unmatched(KHMER_BROKER, "KH", on=date(2026, 11, 29), client="203.0.113.7")
    assert [(day, count) for day, _, _, count in rows()] == [(DAY, 2), (date(2026, 11, 29), 1)]


def test_a_reader_varying_searches_counts_up_to_an_allowance(ctx):
    for n in range(leads.CLIENT_LEADS_A_DAY + 10):
        leads.record_unmatched(f"Broker Number {n:03d} Fake", "KH", on=DAY, client="fuzzer")
    assert len(counts()) == leads.CLIENT_LEADS_A_DAY
    leads.record_unmatched("A Person Asking", "KH", on=DAY, client="a migrant")
    assert counts()["a person asking"] == 1


def test_who_searched_is_not_written_with_the_lead(ctx):
    leads.record_unmatched(KHMER_BROKER, "KH", on=DAY, client="203.0.113.7")
    assert rows() and "203.0.113.7" not in str(rows())
