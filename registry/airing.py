"""Whether a recruitment advertisement may be aired on a day (issue 15). Pure functions: no
Flask, no database; the same rule for the verify page, the API, bulk checks and the agency page.

A clearance is the ministry's approval of one advertisement. It is airable on day D only when,
first rule that applies wins:
1. it was not withdrawn;
2. the agency's licence status on D is `licensed` (a suspended, revoked or expired agency may
   not advertise, whatever its clearances say);
3. D lies within the clearance's validity (valid_from ≤ D ≤ valid_to).
Pending clearances (awaiting a second officer) are never public, so never reach this rule.
"""
from dataclasses import dataclass

from .status import LICENSED

AIRABLE = "airable"
#: Why a clearance may not be aired; `agency_<status>` names the agency's status.
WITHDRAWN = "withdrawn"
NOT_YET_VALID = "not_yet_valid"
ENDED = "ended"


@dataclass(frozen=True)
class Airing:
    airable: bool
    #: AIRABLE, WITHDRAWN, NOT_YET_VALID, ENDED or agency_<status code>.
    reason: str


def airing(state, valid_from, valid_to, agency_status, on):
    """May the advertisement be aired on `on`? `state` is the clearance's (approved or
    withdrawn), `agency_status` the agency's status code on that day."""
    if state == WITHDRAWN:
        return Airing(False, WITHDRAWN)
    if agency_status != LICENSED:
        return Airing(False, f"agency_{agency_status}")
    if on < valid_from:
        return Airing(False, NOT_YET_VALID)
    if on > valid_to:
        return Airing(False, ENDED)
    return Airing(True, AIRABLE)
