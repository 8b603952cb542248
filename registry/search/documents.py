"""From an agency in the database to the fields the index stores."""
from datetime import date

from ..status import licence_status, next_change
from .analysis import analyse_name, joins, licence_keys, unit_pairs

NEVER = "99991231"


def _terms(values):
    return ",".join(sorted({v.replace(",", "") for v in values} - {""}))


def agency_names(agency):
    """Every name the agency goes by: registered names in three scripts, aliases, trade names."""
    names = [agency.name_en, agency.name_km, agency.name_my, *(agency.aliases or [])]
    return [n for n in names if n and n.strip()]


def agency_document(agency, on=None):
    on = on or date.today()
    status = licence_status(agency.licences, agency.sanctions, on)
    until = next_change(agency.licences, agency.sanctions, on)
    analysed = [analyse_name(n) for n in agency_names(agency)]
    ids = {key for lic in agency.licences for key in licence_keys(lic.number)}
    # Branch offices are addresses, not something anyone types to find an agency.
    ids.update(c.lookup_key for c in agency.channels if c.kind != "branch")
    ids.update(r.phone_key for r in agency.representatives if r.phone_key)
    return {
        "agency_id": agency.id,
        "licence_number": agency.licence_number or "",
        "ids": _terms(ids),
        "keys": _terms(key for _, _, key in analysed),
        "words": _terms(w for words, _, _ in analysed for w in words),
        "joins": _terms(j for words, _, _ in analysed for j in joins(words)),
        "pairs": _terms(p for _, units, _ in analysed
                        for p in (unit_pairs(units) if len(units) > 1 else units)),
        "names": [(words, units) for words, units, _ in analysed],
        "sort_name": (agency.name_en or "").casefold().encode(),
        "status": status.code,
        "status_until": until.strftime("%Y%m%d") if until else NEVER,
        "province": agency.province or "",
        "destinations": ",".join(agency.destinations or []),
    }
