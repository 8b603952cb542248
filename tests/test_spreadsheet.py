"""registry.spreadsheet: cells a spreadsheet would run as formulas are neutralised on export,
and the import takes exactly that back."""
import pytest

from registry.spreadsheet import neutralise, restore

CASES = [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")", "formula"),
    ("+855 12 345 678", "'+855 12 345 678", "a phone with its plus"),
    ("-5", "'-5", "a minus"),
    ("@SUM(A1)", "'@SUM(A1)", "an at sign"),
    ("\tcmd", "'\tcmd", "a tab"),
    ("\rcmd", "'\rcmd", "a carriage return"),
    ("'quoted", "''quoted", "an apostrophe already there"),
    ("'", "''", "an apostrophe alone"),
    ("Angkor Manpower", "Angkor Manpower", "plain text"),
    ("ក្រុមហ៊ុន", "ក្រុមហ៊ុន", "Khmer"),
    ("", "", "empty"),
]


@pytest.mark.parametrize("stored, written, why", CASES, ids=[c[2] for c in CASES])
def test_neutralise_and_restore(stored, written, why):
    assert neutralise(stored) == written
    assert restore(written) == stored


@pytest.mark.parametrize("typed", ["'x", "'", "x'=", "it's"])
def test_restore_leaves_ordinary_apostrophes(typed):
    assert restore(typed) == typed
