"""The airing rule (registry.airing), table-tested: a clearance may be aired only while it
stands, its agency is licensed, and the day is within its validity."""
from datetime import date

import pytest

from registry.airing import airing

FROM, TO = date(2026, 3, 1), date(2026, 5, 31)


@pytest.mark.parametrize("state, agency_status, on, airable, reason", [
    ("approved", "licensed", date(2026, 3, 1), True, "airable"),
    ("approved", "licensed", date(2026, 5, 31), True, "airable"),
    ("approved", "licensed", date(2026, 2, 28), False, "not_yet_valid"),
    ("approved", "licensed", date(2026, 6, 1), False, "ended"),
    ("approved", "suspended", date(2026, 4, 1), False, "agency_suspended"),
    ("approved", "revoked", date(2026, 4, 1), False, "agency_revoked"),
    ("approved", "expired", date(2026, 4, 1), False, "agency_expired"),
    ("approved", "not_licensed", date(2026, 4, 1), False, "agency_not_licensed"),
    # Withdrawn wins over everything; the agency's trouble over the dates.
    ("withdrawn", "licensed", date(2026, 4, 1), False, "withdrawn"),
    ("withdrawn", "revoked", date(2026, 6, 1), False, "withdrawn"),
    ("approved", "suspended", date(2026, 6, 1), False, "agency_suspended"),
])
def test_airing(state, agency_status, on, airable, reason):
    result = airing(state, FROM, TO, agency_status, on)
    assert (result.airable, result.reason) == (airable, reason)
