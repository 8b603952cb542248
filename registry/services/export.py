"""Export the public record in the import format (public fields and public sanctions only)."""
import csv
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Agency
from ..spreadsheet import neutralise
from .agencies import FULL_RECORD
from .import_rows import FILES
from .published import sanctions_of

PRIVATE_COLUMNS = ("complainant_name", "complainant_phone", "details")
COLUMNS = {name: tuple(c for c in cols if c not in PRIVATE_COLUMNS)
           for name, cols in FILES.items()}
BATCH = 500


def cell(value):
    """A value as the import format writes it, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return neutralise(";".join(value))
    return neutralise(str(value))


def agency_rows(agency):
    previous = ""
    for lic in agency.licences:
        yield {
            "licence_number": lic.number, "name_en": agency.name_en, "name_km": agency.name_km,
            "name_my": agency.name_my, "aliases": agency.aliases, "province": agency.province,
            "address_en": agency.address_en, "address_km": agency.address_km,
            "address_my": agency.address_my,
            "phones": [c.value for c in agency.channels if c.kind == "phone"],
            "channels": [f"{c.kind}:{c.value}" for c in agency.channels if c.kind != "phone"],
            "email": agency.email, "website": agency.website,
            "destinations": agency.destinations, "licence_issued_on": lic.issued_on,
            "licence_expires_on": lic.expires_on, "previous_licence_number": previous,
        }
        previous = lic.number


def related_rows(agency):
    number = agency.licence_number
    for r in agency.representatives:
        yield "representatives.csv", {
            "licence_number": number, "name": r.name, "id_number": r.id_number,
            "phone": r.phone, "province": r.province, "authorised_from": r.authorised_from,
            "authorised_to": r.authorised_to}
    for s in sanctions_of(agency):
        yield "sanctions.csv", {"licence_number": number, **{
            c: getattr(s, c) for c in COLUMNS["sanctions.csv"] if c != "licence_number"}}
    for c in agency.complaints:
        yield "complaints.csv", {
            "licence_number": number, "received_on": c.received_on, "category": c.category,
            "destination": c.destination, "workers_affected": c.workers_affected,
            "status": c.status, "compensation_amount": c.compensation_amount,
            "currency": c.compensation_currency, "closed_on": c.closed_on,
            "case_ref": c.case_ref}


def export_folder(folder, progress=None):
    """Write the four CSV files; return row counts by file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handles = {name: open(folder / name, "w", newline="", encoding="utf-8") for name in COLUMNS}
    counts = dict.fromkeys(COLUMNS, 0)
    try:
        writers = {name: csv.DictWriter(handles[name], fieldnames=COLUMNS[name])
                   for name in COLUMNS}
        for writer in writers.values():
            writer.writeheader()
        last = 0
        while True:
            chunk = db.session.scalars(select(Agency).where(Agency.id > last).order_by(Agency.id)
                                       .limit(BATCH).options(*FULL_RECORD)).all()
            if not chunk:
                break
            for agency in chunk:
                for row in agency_rows(agency):
                    writers["agencies.csv"].writerow({k: cell(v) for k, v in row.items()})
                    counts["agencies.csv"] += 1
                for name, row in related_rows(agency):
                    writers[name].writerow({k: cell(v) for k, v in row.items()})
                    counts[name] += 1
            last = chunk[-1].id
            if progress:
                progress(len(chunk))
            db.session.expunge_all()
    finally:
        for handle in handles.values():
            handle.close()
    return counts
