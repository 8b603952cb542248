"""The licence-status rule (DESIGN section 3). Pure functions: no Flask, no database.

Callers pass any objects with the attributes of LicenceTerm and SanctionTerm (the ORM models
have them), so the same rule serves pages, the API, the index and the tests.
"""
from dataclasses import dataclass
from datetime import date, timedelta

LICENSED = "licensed"
SUSPENDED = "suspended"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_LICENSED = "not_licensed"
STATUSES = (LICENSED, SUSPENDED, REVOKED, EXPIRED, NOT_LICENSED)

#: Sanction states that bind: an appeal does not lift a sanction until it is overturned.
BINDING_STATES = ("in_force", "under_appeal")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LicenceTerm:
    number: str
    issued_on: date
    expires_on: date


@dataclass(frozen=True)
class SanctionTerm:
    kind: str
    state: str
    effective_from: date
    effective_to: date | None = None
    decision_ref: str = ""


@dataclass(frozen=True)
class Status:
    """A status and why: the licence or sanction that decided it, and the dates it holds."""
    code: str
    since: date | None = None
    until: date | None = None
    licence: object = None
    sanction: object = None


def licence_status(licences, sanctions, on):
    """Status of an agency on the date `on`; the first rule that applies wins."""
    binding = [s for s in sanctions if s.state in BINDING_STATES and s.effective_from <= on]

    for s in sorted(binding, key=lambda s: s.effective_from):
        # A licence issued after a revocation took effect is the ministry licensing the agency
        # afresh: the revocation ended the licences of its time, not every future one.
        if s.kind == "revocation" and not any(
            s.effective_from < lic.issued_on <= on for lic in licences
        ):
            return Status(REVOKED, since=s.effective_from, sanction=s)

    suspensions = [s for s in binding if s.kind == "suspension"
                   and (s.effective_to is None or on <= s.effective_to)]
    if suspensions:
        # Of overlapping suspensions, the one that lasts longest is the one that matters.
        s = max(suspensions, key=lambda s: s.effective_to or date.max)
        return Status(SUSPENDED, since=s.effective_from, until=s.effective_to, sanction=s)

    current = [lic for lic in licences if lic.issued_on <= on <= lic.expires_on]
    if current:
        lic = max(current, key=lambda lic: lic.expires_on)
        return Status(LICENSED, since=lic.issued_on, until=lic.expires_on, licence=lic)

    past = [lic for lic in licences if lic.expires_on < on]
    if past:
        lic = max(past, key=lambda lic: lic.expires_on)
        return Status(EXPIRED, since=lic.expires_on + ONE_DAY, licence=lic)

    upcoming = [lic for lic in licences if lic.issued_on > on]
    lic = min(upcoming, key=lambda lic: lic.issued_on, default=None)
    return Status(NOT_LICENSED, until=lic.issued_on - ONE_DAY if lic else None, licence=lic)


def change_days(licences, sanctions):
    """The days on which the status can turn by the calendar alone: a licence's first day and
    the day after its last; a binding sanction's first day and the day after its last."""
    days = set()
    for lic in licences:
        days.update((lic.issued_on, day_after(lic.expires_on)))
    for s in sanctions:
        if s.state in BINDING_STATES:
            days.update((s.effective_from, day_after(s.effective_to)))
    days.discard(None)
    return days


def day_after(day):
    """The next day (None for None, and for the last day a date holds)."""
    return day + ONE_DAY if day is not None and day < date.max else None


def next_change(licences, sanctions, after):
    """The first day after `after` on which the status could differ, or None if it never can.

    The search index stores a status for filtering; this says when that stored value goes stale.
    """
    return min((d for d in change_days(licences, sanctions) if d > after), default=None)


def last_change(licences, sanctions, on):
    """The last day up to `on` on which the status could have turned, or None."""
    return max((d for d in change_days(licences, sanctions) if d <= on), default=None)
