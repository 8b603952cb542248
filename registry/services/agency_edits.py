"""Writing agencies from the admin screens: details, channels, licences, representatives."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import AddressKey, Agency, Channel, Licence, Representative
from ..normalise import address_digests, channel_key, licence_key, phone_key
from . import ServiceError, audit, check_version, commit, note_links, reindex_later, snapshot
from .agencies import profile
from .resurfacing import ADDRESS_LANGS

FIELDS = ("name_en", "name_km", "name_my", "aliases", "province", "address_en", "address_km",
          "address_my", "email", "website", "destinations")


def set_channels(agency, channels, region=None):
    """Declare `channels` [(kind, value)] as the agency's, keyed for lookups (the admin forms
    and the import; phones read in `region`, else the profile's); the list as text, for the
    audit. The same list writes nothing."""
    channels = [tuple(channel) for channel in channels]
    if [(c.kind, c.value) for c in agency.channels] != channels:
        if agency.channels:
            note_links(agency.id)
        agency.channels.clear()
        db.session.flush()
        region = region or profile().phone_region
        agency.channels.extend(Channel(kind=kind, value=value,
                                       lookup_key=channel_key(kind, value, region))
                               for kind, value in channels)
    return [f"{k}:{v}" for k, v in channels]


def set_address_keys(agency):
    """Key the agency's head-office addresses as they now read, in the transaction that wrote
    them: resurfacing finds shared addresses by these keys' index. Every door that writes an
    agency's addresses (the admin forms, the import, the CLI's import) comes through here."""
    wanted = address_digests((lang, getattr(agency, f"address_{lang}")) for lang in ADDRESS_LANGS)
    kept = {row.key: row for row in agency.address_keys}
    if agency.id is not None and kept.keys() != wanted.keys():
        note_links(agency.id)
    for key, row in kept.items():
        if key in wanted:
            row.lang = wanted[key]
        else:
            agency.address_keys.remove(row)
    # Rows stay while their key does: an edit that leaves the addresses alike writes nothing.
    agency.address_keys.extend(AddressKey(key=key, lang=lang) for key, lang in wanted.items()
                               if key not in kept)


def _new_licence(agency, number, issued_on, expires_on):
    key = licence_key(number)
    if not key:
        raise ServiceError(_l("a licence number needs letters or digits"))
    if db.session.scalar(select(Licence.id).where(Licence.number_key == key)):
        raise ServiceError(_l("Licence number %(number)s is already in the registry.",
                              number=number))
    if expires_on < issued_on:
        raise ServiceError(_l("the licence expires before it is issued"))
    return Licence(agency=agency, number=number, number_key=key, issued_on=issued_on,
                   expires_on=expires_on)


def create_agency(values, channels, licence, actor):
    agency = Agency(**{f: values[f] for f in FIELDS})
    set_address_keys(agency)
    db.session.add(agency)
    db.session.add(_new_licence(agency, *licence))
    db.session.flush()
    after = {**snapshot(agency, FIELDS), "channels": set_channels(agency, channels),
             "licence": list(licence)}
    audit.record(actor.email, "create_agency", "agencies", licence[0], None, after)
    reindex_later(agency.id)
    commit()
    return agency


def update_agency(agency, values, channels, version, actor):
    check_version(agency, version, FIELDS)
    before = {**snapshot(agency, FIELDS),
              "channels": [f"{c.kind}:{c.value}" for c in agency.channels]}
    for field in FIELDS:
        setattr(agency, field, values[field])
    set_address_keys(agency)
    after = {**snapshot(agency, FIELDS), "channels": set_channels(agency, channels)}
    if after == before:
        return False
    audit.record(actor.email, "update_agency", "agencies", agency.licence_number, before, after)
    reindex_later(agency.id)
    commit()
    return True


def add_licence(agency, number, issued_on, expires_on, actor):
    """A renewal: a new licence (its own number, or the same number re-issued is refused)."""
    licence = _new_licence(agency, number, issued_on, expires_on)
    db.session.add(licence)
    audit.record(actor.email, "issue_licence", "licences", number, None,
                 {"agency": agency.licence_number, "number": number, "issued_on": issued_on,
                  "expires_on": expires_on})
    reindex_later(agency.id)
    commit()
    return licence


def add_representative(agency, values, actor):
    if values.get("id_number") and db.session.scalar(select(Representative.id).where(
            Representative.id_number == values["id_number"])):
        raise ServiceError(_l("ID number %(number)s is already registered.",
                              number=values["id_number"]))
    rep = Representative(agency=agency, phone_key=phone_key(values.get("phone", ""),
                                                            profile().phone_region),
                         **{**values, "id_number": values.get("id_number") or None})
    db.session.add(rep)
    audit.record(actor.email, "add_representative", "representatives",
                 values.get("id_number") or values["name"], None, dict(values))
    reindex_later(agency.id)
    commit()
    return rep
