"""From an agency in the database to the fields the index stores."""
from datetime import date

from ..status import licence_status, next_change
from .analysis import analyse_name, bag_key, joins, licence_keys, loose_pairs, phone_tails, unit_pairs
from .sounds import sound_terms, sound_words

NEVER = "99991231"


def _terms(values):
    return ",".join(sorted({v.replace(",", "") for v in values} - {""}))


def agency_names(agency):
    """Every name the agency goes by: registered names in three scripts, aliases, trade names."""
    names = [agency.name_en, agency.name_km, agency.name_my, *(agency.aliases or [])]
    return [n for n in names if n and n.strip()]


def head_keys(words, units):
    """A name's first one to three Latin words, and first two to six units, written together:
    a name that begins with what was typed ranks before one that only holds it."""
    keys = ["".join(words[:n]) for n in range(1, min(len(words), 3) + 1)]
    return keys + ["|" + "".join(units[:n]) for n in range(2, min(len(units), 6) + 1)]


def unit_terms(units):
    """Pairs of neighbouring units, each unit alone, and the pairs of their first letters."""
    return [*unit_pairs(units), *units, *loose_pairs(units)]


def people_terms(agency, conventional):
    """Representatives' (brokers') names: 'is this broker authorised, and for whom?'. Their
    own field, so that a broker's name never ranks as an agency's name."""
    terms = set()
    for rep in agency.representatives:
        words, units, key = analyse_name(rep.name or "")
        if key:
            terms.add("=" + key)
        terms.update("w:" + w for w in words)
        terms.update("u:" + u for u in unit_terms(units))
        terms.update("~" + k for k in sound_terms(words) | sound_terms(*sound_words(
            rep.name or "", conventional)))
    return terms


def agency_document(agency, on=None, conventional=None):
    on = on or date.today()
    status = licence_status(agency.licences, agency.sanctions, on)
    until = next_change(agency.licences, agency.sanctions, on)
    analysed = [analyse_name(n) for n in agency_names(agency)]
    ids = {key for lic in agency.licences for key in licence_keys(lic.number)}
    # Branch offices are addresses, not something anyone types to find an agency.
    ids.update(c.lookup_key for c in agency.channels if c.kind != "branch")
    ids.update(r.phone_key for r in agency.representatives if r.phone_key)
    phones = [c.lookup_key for c in agency.channels if c.kind == "phone"]
    ids.update(tail for key in phones + [r.phone_key for r in agency.representatives]
               for tail in phone_tails(key))
    return {
        "agency_id": agency.id,
        "licence_number": agency.licence_number or "",
        "ids": _terms(ids),
        "keys": _terms(k for words, units, key in analysed for k in (key, bag_key(words, units))),
        "words": _terms(w for words, _, _ in analysed for w in words),
        "joins": _terms(j for words, _, _ in analysed for j in joins(words)),
        "pairs": _terms(p for _, units, _ in analysed for p in unit_terms(units)),
        "sounds": _terms(t for n in agency_names(agency)
                         for t in sound_terms(*sound_words(n, conventional))),
        "heads": _terms(k for words, units, _ in analysed for k in head_keys(words, units)),
        "people": _terms(people_terms(agency, conventional)),
        "names": [(words, units) for words, units, _ in analysed],
        "sort_name": (agency.name_en or "").casefold().encode(),
        "status": status.code,
        "status_until": until.strftime("%Y%m%d") if until else NEVER,
        "province": agency.province or "",
        "destinations": ",".join(agency.destinations or []),
    }
