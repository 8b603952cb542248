"""The open dataset for re-users (issue 15): the public record as tables keyed by permanent
agency ids, with each agency's status computed for the day it was written, described by a
Frictionless Data Package (datapackage.json: Table Schemas, keys, licence).

Unlike the export (the import format, for moving a registry between deployments), its rows are
keyed by what never changes (AG-… ids, licence numbers, case references), and lists are rows of
their own table rather than ';'-joined cells. Public fields only, like every other door.

Each table is written twice: as CSV (for spreadsheets: every cell text, formulas neutralised)
and as JSON Lines (for programs: one object a line, numbers and booleans typed, empty as null,
an agency's aliases and destinations as arrays, text exactly as recorded). The descriptor
describes both, so a validator checks the JSON Lines' types and keys as well.
"""
import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ..airing import airing
from ..extensions import db
from ..models import Agency
from ..spreadsheet import neutralise
from . import agencies, clearances
from .agencies import FULL_RECORD
from .published import sanctions_of

BATCH = 500
#: Licence of the data unless the country profile names another (its `open_data_licence`).
CC_BY = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
         "path": "https://creativecommons.org/licenses/by/4.0/"}


def _field(name, kind="string", description="", required=False, **constraints):
    field = {"name": name, "type": kind}
    if description:
        field["description"] = description
    if required:
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


#: The list fields: one ';'-joined cell in the CSV, an array in JSON Lines.
LISTS = {"aliases": "Other names it is known by",
         "destinations": "ISO 3166 alpha-2 codes it may send workers to",
         "media": "Where the advertisement may run: radio, tv, print, online, poster"}
AGENCY_ID = _field("agency_id", required=True, pattern="AG-[0-9A-HJKMNP-TV-Z]{10}",
                   description="The agency's permanent id (agencies.id)")
STATUSES = ["licensed", "suspended", "revoked", "expired", "not_licensed"]
TABLES = {
    "agencies": ([
        _field("id", required=True, unique=True, pattern="AG-[0-9A-HJKMNP-TV-Z]{10}",
               description="Permanent id: never changes, never given to another agency"),
        _field("licence_number", description="Its newest licence"),
        _field("name_en", required=True), _field("name_km"), _field("name_my"),
        _field("aliases", description=LISTS["aliases"] + ", separated by ;"),
        _field("province", description="ISO 3166-2 code of its head office's division"),
        _field("address_en"), _field("address_km"), _field("address_my"),
        _field("destinations", description=LISTS["destinations"] + ", separated by ;"),
        _field("email"), _field("website"),
        _field("status", required=True, enum=STATUSES,
               description="Licence status on status_on (DESIGN section 3)"),
        _field("status_on", "date", required=True),
        _field("status_reason", required=True,
               enum=["licence", "no_licence", "suspension", "revocation"],
               description="What the status rests on: a licence, a sanction, or nothing"),
        _field("status_since", "date"), _field("status_until", "date"),
        _field("status_decision_ref", description="The sanction's decision, if one"),
    ], ["id"], []),
    "licences": ([
        AGENCY_ID, _field("number", required=True, unique=True),
        _field("issued_on", "date", required=True), _field("expires_on", "date", required=True),
    ], ["number"], [("agency_id", "agencies", "id")]),
    "sanctions": ([
        _field("id", required=True, unique=True, pattern="SN-[0-9A-HJKMNP-TV-Z]{10}",
               description="The sanction's public id"),
        AGENCY_ID, _field("kind", required=True,
                          enum=["warning", "fine", "suspension", "revocation"]),
        _field("state", required=True, enum=["in_force", "under_appeal", "overturned"]),
        _field("decided_on", "date", required=True), _field("effective_from", "date"),
        _field("effective_to", "date"), _field("amount", "number"), _field("currency"),
        _field("paid", "boolean"), _field("decision_ref"),
        _field("reason_en"), _field("reason_km"), _field("reason_my"),
    ], ["id"], [("agency_id", "agencies", "id")]),
    "complaints": ([
        AGENCY_ID, _field("case_ref"), _field("received_on", "date", required=True),
        _field("category", required=True), _field("destination"),
        _field("workers_affected", "integer"), _field("status", required=True),
        _field("compensation_amount", "number"), _field("currency"),
        _field("closed_on", "date"),
    ], [], [("agency_id", "agencies", "id")]),
    "representatives": ([
        AGENCY_ID, _field("name", required=True), _field("id_number"), _field("phone"),
        _field("province"), _field("authorised_from", "date"), _field("authorised_to", "date"),
    ], [], [("agency_id", "agencies", "id")]),
    "channels": ([
        AGENCY_ID, _field("kind", required=True), _field("value", required=True),
    ], [], [("agency_id", "agencies", "id")]),
    "clearances": ([
        _field("number", required=True, unique=True,
               description="The ad clearance's number: the ministry's approval of one "
                           "recruitment advertisement"),
        AGENCY_ID, _field("job_title", required=True),
        _field("destination", required=True, pattern="[A-Z]{2}",
               description="ISO 3166 alpha-2 code of the country the jobs are in"),
        _field("workers", "integer"),
        _field("worker_fee", "number", required=True,
               description="What the worker pays the agency, as approved (0: nothing)"),
        _field("fee_currency"),
        _field("valid_from", "date", required=True), _field("valid_to", "date", required=True),
        _field("media", required=True, description=LISTS["media"] + ", separated by ;"),
        _field("state", required=True, enum=["approved", "withdrawn"]),
        _field("airable", "boolean", required=True,
               description="May it be aired on status_on of its agency (registry/airing.py)"),
        _field("airable_reason", required=True, enum=[
            "airable", "withdrawn", "not_yet_valid", "ended", "agency_suspended",
            "agency_revoked", "agency_expired", "agency_not_licensed"]),
    ], ["number"], [("agency_id", "agencies", "id")]),
}


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return neutralise(";".join(value))
    return neutralise(str(value))


def _json(value):
    """A value as JSON Lines carry it: typed, and "" as null, as a CSV reader takes an empty
    cell. Lists stay arrays (an empty one is [], not null: "none", which nothing else says)."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):  # amounts: Numeric(16, 2), exact as a double's shortest form
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def _rows(agency, today):
    status = agencies.status_of(agency, today)
    sanction = status.sanction
    yield "agencies", {
        "id": agency.public_id, "licence_number": agency.licence_number,
        "name_en": agency.name_en, "name_km": agency.name_km, "name_my": agency.name_my,
        "aliases": agency.aliases or [], "province": agency.province,
        "address_en": agency.address_en, "address_km": agency.address_km,
        "address_my": agency.address_my, "destinations": agency.destinations or [],
        "email": agency.email, "website": agency.website, "status": status.code,
        "status_on": today, "status_reason": sanction.kind if sanction is not None else (
            "licence" if status.licence is not None else "no_licence"),
        "status_since": status.since, "status_until": status.until,
        "status_decision_ref": sanction.decision_ref if sanction is not None else None}
    for lic in agency.licences:
        yield "licences", {"agency_id": agency.public_id, "number": lic.number,
                           "issued_on": lic.issued_on, "expires_on": lic.expires_on}
    for s in sanctions_of(agency):
        yield "sanctions", {"id": s.public_id, "agency_id": agency.public_id, **{
            name: getattr(s, name) for name in (
                "kind", "state", "decided_on", "effective_from", "effective_to", "amount",
                "currency", "paid", "decision_ref", "reason_en", "reason_km", "reason_my")}}
    for c in agency.complaints:
        yield "complaints", {
            "agency_id": agency.public_id, "case_ref": c.case_ref,
            "received_on": c.received_on, "category": c.category,
            "destination": c.destination, "workers_affected": c.workers_affected,
            "status": c.status, "compensation_amount": c.compensation_amount,
            "currency": c.compensation_currency, "closed_on": c.closed_on}
    for r in agency.representatives:
        yield "representatives", {
            "agency_id": agency.public_id, "name": r.name, "id_number": r.id_number,
            "phone": r.phone, "province": r.province, "authorised_from": r.authorised_from,
            "authorised_to": r.authorised_to}
    for ch in agency.channels:
        yield "channels", {"agency_id": agency.public_id, "kind": ch.kind, "value": ch.value}
    for ad in clearances.public_of(agency):
        air = airing(ad.state, ad.valid_from, ad.valid_to, status.code, today)
        yield "clearances", {
            "number": ad.number, "agency_id": agency.public_id, **{
                name: getattr(ad, name) for name in (
                    "job_title", "destination", "workers", "worker_fee", "fee_currency",
                    "valid_from", "valid_to", "media", "state")},
            "airable": air.airable, "airable_reason": air.reason}


def write_dataset(folder, version, on=None):
    """Write the tables (CSV and JSON Lines) and datapackage.json into `folder`; return row
    counts by table. `version`: what names the registry's state (the audit chain's head);
    `on`: the day whose status the rows give (today)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    today = on or agencies.today()
    handles = {}
    counts = dict.fromkeys(TABLES, 0)
    try:
        for name in TABLES:
            handles[name] = (open(folder / f"{name}.csv", "w", newline="", encoding="utf-8"),
                             open(folder / f"{name}.jsonl", "w", encoding="utf-8"))
        writers = {name: csv.DictWriter(handles[name][0], [f["name"] for f in fields])
                   for name, (fields, _, _) in TABLES.items()}
        for writer in writers.values():
            writer.writeheader()
        last = 0
        while chunk := db.session.scalars(
                select(Agency).where(Agency.id > last).order_by(Agency.id).limit(BATCH)
                .options(*FULL_RECORD)).all():
            for agency in chunk:
                for table, row in _rows(agency, today):
                    writers[table].writerow({k: _cell(v) for k, v in row.items()})
                    handles[table][1].write(json.dumps(
                        {f["name"]: _json(row.get(f["name"])) for f in TABLES[table][0]},
                        ensure_ascii=False) + "\n")
                    counts[table] += 1
            last = chunk[-1].id
            db.session.expunge_all()
    finally:
        for pair in handles.values():
            for handle in pair:
                handle.close()
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor(today, version, counts), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    return counts


def _schema(fields, key, links, suffix=""):
    return {"fields": fields, **({"primaryKey": key} if key else {}),
            "foreignKeys": [{"fields": field,
                             "reference": {"resource": table + suffix, "fields": other}}
                            for field, table, other in links]}


def _as_json_lines(field):
    if field["name"] in LISTS:
        return {**field, "type": "array", "description": LISTS[field["name"]]}
    return field


def descriptor(today, version, counts):
    """The Data Package descriptor (Frictionless Data Package v1, tabular): each table as a
    CSV resource (`agencies`, ...) and a JSON Lines one (`agencies-jsonl`, ...), whose keys
    point within their own format.

    A table with no rows has its JSON Lines file (empty, which is valid JSON Lines) but no
    resource: frictionless-py 5.21 cannot read an empty JSON Lines file as a table ("generator
    raised StopIteration"), and one such file would fail the whole package's validation."""
    profile = agencies.profile()
    licence = profile.open_data_licence or CC_BY
    csv_resources = [{
        "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": _schema(fields, key, links),
    } for name, (fields, key, links) in TABLES.items()]
    json_resources = [{
        "name": f"{name}-jsonl", "path": f"{name}.jsonl", "profile": "tabular-data-resource",
        "format": "jsonl", "mediatype": "application/jsonl", "encoding": "utf-8",
        "schema": _schema([_as_json_lines(f) for f in fields], key, links, "-jsonl"),
    } for name, (fields, key, links) in TABLES.items() if counts[name]]
    return {
        "profile": "tabular-data-package",
        "name": f"recruitment-agency-registry-{profile.code.lower()}",
        "title": f"Recruitment Agency Registry: {profile.names['en']}",
        "description": "Licensed labour-recruitment agencies, their licences, sanctions, "
                       "complaints (public fields), representatives, declared channels and "
                       "approved ad clearances, "
                       f"with each agency's licence status on {today.isoformat()}; each "
                       "table as CSV and as JSON Lines.",
        "version": version,
        # When it was written, and the day whose status it gives (they differ only when a
        # writing runs past midnight).
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "status_on": today.isoformat(),
        "licenses": [licence],
        "resources": csv_resources + json_resources,
    }
