"""From an agency in the database to the fields the index stores."""
from datetime import date

from ..normalise import channel_key, licence_key
from ..status import licence_status, next_change
from .schema import latin_words, script_bigrams, word_grams

NEVER = "99991231"


def agency_document(agency, region, on=None):
    on = on or date.today()
    status = licence_status(agency.licences, agency.sanctions, on)
    until = next_change(agency.licences, agency.sanctions, on)
    names = [agency.name_en, agency.name_km, agency.name_my, *(agency.aliases or [])]
    words = [w for name in names for w in latin_words(name)]
    ids = {licence_key(lic.number) for lic in agency.licences}
    ids.update(channel_key(c.kind, c.value, region) for c in agency.channels)
    ids.update(r.phone_key for r in agency.representatives if r.phone_key)
    ids.discard("")
    return {
        "agency_id": agency.id,
        "licence_number": agency.licence_number or "",
        "ids": ",".join(sorted(i.replace(",", "") for i in ids)),
        "names": " ".join(words),
        "grams": ",".join(sorted({g for w in words for g in word_grams(w)})),
        "script": ",".join(sorted({g for n in names for g in script_bigrams(n)})),
        "sort_name": (agency.name_en or "").casefold(),
        "status": status.code,
        "status_until": until.strftime("%Y%m%d") if until else NEVER,
        "province": agency.province or "",
        "destinations": ",".join(agency.destinations or []),
    }
