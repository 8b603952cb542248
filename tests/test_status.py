"""The licence-status rule, table-driven: each row is a day, the records, the expected status."""
from datetime import date

import pytest

from registry.status import (EXPIRED, LICENSED, NOT_LICENSED, REVOKED, SUSPENDED, LicenceTerm,
                             SanctionTerm, licence_status, next_change)

D = date.fromisoformat
L2024 = LicenceTerm("A-1", D("2024-01-01"), D("2025-12-31"))
L2026 = LicenceTerm("A-2", D("2026-01-01"), D("2027-12-31"))
LATE_RENEWAL = LicenceTerm("A-3", D("2026-03-01"), D("2028-02-29"))


def suspension(start, end=None, state="in_force"):
    return SanctionTerm("suspension", state, D(start), D(end) if end else None, "S")


def revocation(start, state="in_force"):
    return SanctionTerm("revocation", state, D(start), None, "R")


CASES = [
    # (day, licences, sanctions, expected, why)
    ("2023-12-31", [L2024], [], NOT_LICENSED, "day before the first licence"),
    ("2024-01-01", [L2024], [], LICENSED, "day the licence is issued"),
    ("2025-12-31", [L2024], [], LICENSED, "last day of the licence"),
    ("2026-01-01", [L2024], [], EXPIRED, "day after expiry"),
    ("2026-01-01", [L2024, L2026], [], LICENSED, "renewed without a gap"),
    ("2026-02-15", [L2024, LATE_RENEWAL], [], EXPIRED, "gap between expiry and late renewal"),
    ("2026-03-01", [L2024, LATE_RENEWAL], [], LICENSED, "late renewal starts"),
    ("2020-01-01", [], [], NOT_LICENSED, "no licence at all"),
    ("2024-05-31", [L2024], [suspension("2024-06-01", "2024-06-30")], LICENSED,
     "day before a suspension"),
    ("2024-06-01", [L2024], [suspension("2024-06-01", "2024-06-30")], SUSPENDED,
     "first day of a suspension"),
    ("2024-06-30", [L2024], [suspension("2024-06-01", "2024-06-30")], SUSPENDED,
     "last day of a suspension"),
    ("2024-07-01", [L2024], [suspension("2024-06-01", "2024-06-30")], LICENSED,
     "day after a suspension"),
    ("2030-01-01", [L2024], [suspension("2024-06-01")], SUSPENDED,
     "open-ended suspension outlasts the licence"),
    ("2026-06-01", [L2024], [suspension("2026-05-01", "2026-07-01")], SUSPENDED,
     "suspension of an expired licence still shows as suspended (rule 2 before rule 4)"),
    ("2024-06-15", [L2024], [suspension("2024-06-01", "2024-06-30", "pending")], LICENSED,
     "pending suspension is ignored"),
    ("2024-06-15", [L2024], [suspension("2024-06-01", "2024-06-30", "overturned")], LICENSED,
     "overturned suspension is ignored"),
    ("2024-06-15", [L2024], [suspension("2024-06-01", "2024-06-30", "under_appeal")], SUSPENDED,
     "a suspension under appeal still applies"),
    ("2024-08-31", [L2024], [revocation("2024-09-01")], LICENSED, "day before a revocation"),
    ("2024-09-01", [L2024], [revocation("2024-09-01")], REVOKED, "day of a revocation"),
    ("2030-09-01", [L2024], [revocation("2024-09-01")], REVOKED, "revocation lasts"),
    ("2024-09-01", [L2024], [revocation("2024-09-01", "pending")], LICENSED,
     "pending revocation is ignored"),
    ("2024-09-01", [L2024], [revocation("2024-09-01", "overturned")], LICENSED,
     "overturned revocation is ignored"),
    ("2024-09-01", [L2024], [revocation("2024-09-01", "under_appeal")], REVOKED,
     "revocation under appeal still applies"),
    ("2024-09-01", [L2024], [revocation("2024-09-01"), suspension("2024-08-01")], REVOKED,
     "revocation wins over suspension"),
    ("2026-01-01", [L2024, L2026], [revocation("2024-09-01")], LICENSED,
     "a licence issued after the revocation took effect: licensed afresh"),
    ("2024-12-31", [L2024, L2026], [revocation("2024-09-01")], REVOKED,
     "before the new licence starts the revocation holds"),
    ("2026-01-01", [L2024, L2026], [revocation("2026-01-01")], REVOKED,
     "a licence issued the same day as a revocation does not lift it"),
    ("2026-06-01", [L2026], [suspension("2026-05-01", "2026-05-31"),
                             suspension("2026-05-15", "2026-06-15")], SUSPENDED,
     "overlapping suspensions: the longer one counts"),
    ("2024-06-15", [L2024], [SanctionTerm("fine", "in_force", D("2024-06-01"))], LICENSED,
     "a fine does not change the status"),
    ("2024-06-15", [L2024], [SanctionTerm("warning", "in_force", D("2024-06-01"))], LICENSED,
     "a warning does not change the status"),
]


@pytest.mark.parametrize("day, licences, sanctions, expected, why", CASES,
                         ids=[c[-1] for c in CASES])
def test_status_rule(day, licences, sanctions, expected, why):
    assert licence_status(licences, sanctions, D(day)).code == expected, why


def test_reason_names_the_deciding_record_and_dates():
    s = suspension("2024-06-01", "2024-06-30")
    status = licence_status([L2024], [s], D("2024-06-10"))
    assert (status.sanction, status.since, status.until) == (s, D("2024-06-01"), D("2024-06-30"))
    status = licence_status([L2024, L2026], [], D("2026-02-01"))
    assert (status.licence, status.since, status.until) == (L2026, L2026.issued_on,
                                                            L2026.expires_on)
    status = licence_status([L2024], [], D("2026-02-01"))
    assert (status.code, status.licence, status.since) == (EXPIRED, L2024, D("2026-01-01"))
    status = licence_status([L2026], [], D("2025-06-01"))
    assert (status.code, status.licence, status.until) == (NOT_LICENSED, L2026, D("2025-12-31"))


@pytest.mark.parametrize("after, expected", [
    ("2023-06-01", "2024-01-01"),
    ("2024-01-01", "2024-06-01"),
    ("2024-06-01", "2024-07-01"),
    ("2024-07-01", "2026-01-01"),
    ("2026-01-01", None),
])
def test_next_change_is_the_next_boundary(after, expected):
    sanctions = [suspension("2024-06-01", "2024-06-30"),
                 suspension("2025-01-01", "2025-01-31", "pending")]
    result = next_change([L2024], sanctions, D(after))
    assert result == (D(expected) if expected else None)
