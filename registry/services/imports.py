"""Import a folder in the CSV format: check everything first, then write all of it or nothing.

Natural keys (so importing the same folder twice changes nothing):
agencies by licence number (a renewal row names the licence it renews in
`previous_licence_number`); sanctions by `decision_ref` (else agency, kind, decided_on,
effective_from); complaints by `case_ref` (else agency, received_on, category, destination and
the complainant's name and phone); representatives by `id_number` (else agency and name).
"""
import secrets
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import (Agency, Complaint, ComplaintPrivate, Licence, Representative,
                      Sanction, utcnow)
from ..normalise import phone_key
from . import audit, commit, reindex_later, sanctions
from .agency_edits import set_address_keys, set_channels
from .complaints import new_case_ref
from .import_rows import Problem, read_folder
from .verification import ALPHABET

AGENCY_FIELDS = ("name_en", "name_km", "name_my", "aliases", "province", "address_en",
                 "address_km", "address_my", "email", "website", "destinations")
COMPLAINT_FIELDS = ("received_on", "category", "destination", "workers_affected", "status",
                    "compensation_amount", "closed_on")
PRIVATE_FIELDS = ("complainant_name", "complainant_phone", "details")
SINGULAR = {"agencies": "agency", "licences": "licence", "representatives": "representative",
            "complaints": "complaint"}
REPRESENTATIVE_FIELDS = ("name", "id_number", "phone", "province", "authorised_from",
                         "authorised_to")
#: A row's change that the public never sees (a draft sanction, a complainant's details).
UNSEEN = "unseen"


class ImportRefused(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    #: "file:line: column" of every value converted from Zawgyi to Unicode.
    zawgyi: list = field(default_factory=list)
    #: The reference of this import's drafts, which await a second officer's approval.
    batch: str = ""
    #: Sanctions of this import awaiting approval.
    drafts: int = 0

    def summary(self):
        kinds = ("agencies", "licences", "representatives", "sanctions", "complaints")
        text = "; ".join(
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged" for kind in kinds)
        if self.drafts:
            text += (f". {self.drafts} sanctions await a second officer's approval "
                     f"(batch {self.batch})" if self.batch else
                     f". {self.drafts} sanctions would await a second officer's approval")
        if self.zawgyi:
            text += (f". {len(self.zawgyi)} Burmese values were typed in Zawgyi and converted to "
                     f"Unicode: " + ", ".join(self.zawgyi[:10])
                     + (" …" if len(self.zawgyi) > 10 else ""))
        return text


def new_batch(now):
    return f"I-{now:%Y%m%d}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def import_folder(folder, profile, actor, dry_run=False, progress=None, approved_by=None):
    """Check the folder; raise ImportRefused with every problem, or write it all and commit.

    Sanctions land as drafts awaiting a second officer's approval, whatever the file's
    `state` column says, unless `approved_by` names the approver of a historic load
    (the command line's `--approved-by`): then the file's states are recorded as approved
    by that officer (a ServiceError if the account may not approve)."""
    approver = sanctions.historic_approver(approved_by, actor) if approved_by else None
    rows, problems = read_folder(folder, profile)
    plan = Planner(rows, problems, profile, approver)
    plan.check_links()
    plan.check_sanctions()
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.file, p.line, p.column)))
    if dry_run:
        result = plan.preview()
    else:
        try:
            result = Writer(plan, profile, actor, progress).write()
            commit()
        except Exception:
            db.session.rollback()
            raise
    result.zawgyi = [f"{row.file}:{row.line}: {column}" for file_rows in rows.values()
                     for row in file_rows for column in row.zawgyi]
    return result


class Planner:
    """Cross-row checks: licence links, duplicates in the files, keys owned by other agencies."""

    def __init__(self, rows, problems, profile, approver=None):
        self.rows, self.problems, self.profile = rows, problems, profile
        self.approver = approver
        # licence key -> agency id for every licence already in the database
        self.known = dict(db.session.execute(select(Licence.number_key, Licence.agency_id)).all())
        self.groups = []  # lists of agency rows that form one agency, oldest licence first
        self.owners = {}  # licence key in the files -> id of the registry's agency it renews
        self.existing_sanctions = {}

    def fail(self, row, column, reason):
        self.problems.append(Problem(row.file, row.line, column, str(reason)))

    def check_links(self):
        agency_rows = self.rows["agencies.csv"]
        by_key = {}
        for row in agency_rows:
            key = row.values["licence_number"]
            if key in by_key:
                self.fail(row, "licence_number", _l("licence number repeated (first on line "
                                                    "%(line)d)", line=by_key[key].line))
            elif key:
                by_key[key] = row
        parent = {}
        for row in agency_rows:
            prev = row.values["previous_licence_number"]
            key = row.values["licence_number"]
            if not prev:
                continue
            if prev == key:
                self.fail(row, "previous_licence_number", _l("a licence cannot renew itself"))
            elif prev not in by_key and prev not in self.known:
                self.fail(row, "previous_licence_number", _l("unknown licence number"))
            else:
                parent[key] = prev
        self.groups = self._group(by_key, parent)
        self.owners = {r.values["licence_number"]: owner for owner, members in self.groups
                       for r in members if owner is not None}
        file_keys = set(by_key)
        for name in ("representatives.csv", "sanctions.csv", "complaints.csv"):
            for row in self.rows[name]:
                key = row.values["licence_number"]
                if key and key not in file_keys and key not in self.known:
                    self.fail(row, "licence_number", _l("unknown licence number: not in "
                                                        "agencies.csv nor in the registry"))
        self._unique("sanctions.csv", "decision_ref", Sanction)
        self._unique("complaints.csv", "case_ref", Complaint)
        self._unique("representatives.csv", "id_number", Representative)

    def _group(self, by_key, parent):
        def root(key):
            seen = set()
            while key in parent and key not in seen:
                seen.add(key)
                key = parent[key]
            return key

        groups = {}
        for key, row in by_key.items():
            groups.setdefault(root(key), []).append(row)
        result = []
        for members in groups.values():
            owners = {self.known[r.values["licence_number"]] for r in members
                      if r.values["licence_number"] in self.known}
            owners |= {self.known[r.values["previous_licence_number"]] for r in members
                       if r.values["previous_licence_number"] in self.known}
            if len(owners) > 1:
                self.fail(members[0], "previous_licence_number",
                          _l("links licences of two different agencies in the registry"))
            members.sort(key=lambda r: (r.values["licence_issued_on"] or r.line, r.line))
            result.append((owners.pop() if owners else None, members))
        return result

    def check_sanctions(self):
        """Ask the sanctions service whether each row may change what it matches."""
        if not self.rows["sanctions.csv"]:
            return
        self.existing_sanctions = existing_sanctions()
        for row in self.rows["sanctions.csv"]:
            v = row.values
            agency_id = self.agency_of(v["licence_number"])
            if v["kind"] is None:
                continue  # already reported
            existing = self.existing_sanctions.get(sanction_key(agency_id, v))
            values = sanctions.file_values(v, self.profile.currency)
            reason = sanctions.file_problem(existing, values, v["state"], self.approver)
            if reason:
                self.fail(row, "decision_ref" if v["decision_ref"] else "kind", reason)

    def _unique(self, file, column, model):
        seen = {}
        for row in self.rows[file]:
            value = row.values.get(column)
            if not value:
                continue
            if value in seen:
                self.fail(row, column, _l("repeated (first on line %(line)d)", line=seen[value]))
            else:
                seen[value] = row.line
        if not seen:
            return
        owners = dict(db.session.execute(
            select(getattr(model, column), model.agency_id)
            .where(getattr(model, column).in_(list(seen)))).all())
        for row in self.rows[file]:
            owner = owners.get(row.values.get(column))
            if owner is not None and owner != self.agency_of(row.values["licence_number"]):
                self.fail(row, column, _l("already recorded for another agency"))

    def agency_of(self, key):
        """The registry's id of the agency a licence key belongs to (None for a new one)."""
        if key in self.known:
            return self.known[key]
        return self.owners.get(key)

    def preview(self):
        result = ImportResult()
        result.drafts = sum(1 for r in self.rows["sanctions.csv"] if self.approver is None
                            or r.values["state"] == "pending")
        result.created["agencies"] = sum(1 for owner, _ in self.groups if owner is None)
        result.updated["agencies"] = len(self.groups) - result.created["agencies"]
        for name, kind in (("sanctions.csv", "sanctions"), ("complaints.csv", "complaints"),
                           ("representatives.csv", "representatives")):
            result.updated[kind] = len(self.rows[name])
        return result


class Writer:
    def __init__(self, plan, profile, actor, progress):
        self.plan, self.profile, self.actor = plan, profile, actor
        self.progress = progress or (lambda n: None)
        self.result = ImportResult(batch=new_batch(utcnow()))
        self.agency_by_key = {}

    def write(self):
        touched, public = set(), set()
        for owner, members in self.plan.groups:
            agency, changed = self._agency(owner, members)
            if changed:
                touched.add(agency.id)
                public.add(agency.id)
            self.progress(len(members))
        for key, agency_id in self.plan.known.items():
            self.agency_by_key.setdefault(key, agency_id)
        for name, write in (("representatives.csv", self._representative),
                            ("sanctions.csv", self._sanction),
                            ("complaints.csv", self._complaint)):
            self._preload(name)
            for row in self.plan.rows[name]:
                agency_id = self.agency_by_key[row.values["licence_number"]]
                changed = write(agency_id, row.values)
                if changed:
                    touched.add(agency_id)
                if changed and changed is not UNSEEN:
                    public.add(agency_id)
                self.progress(1)
        for agency_id in touched:
            reindex_later(agency_id, public=agency_id in public)
        return self.result

    def _changed(self, kind, obj, fields, values, key):
        """Apply `values` to `obj`; count and audit the change. True if anything changed."""
        before = {f: getattr(obj, f) for f in fields}
        after = {f: values[f] for f in fields}
        if before == after:
            self.result.unchanged[kind] += 1
            return False
        for f in fields:
            setattr(obj, f, values[f])
        new = obj.id is None
        db.session.add(obj)
        db.session.flush()
        (self.result.created if new else self.result.updated)[kind] += 1
        audit.record(self.actor, ("create_" if new else "update_") + SINGULAR[kind],
                     kind, key, None if new else before, after)
        return True

    def _agency(self, owner, members):
        newest = members[-1].values
        agency = db.session.get(Agency, owner) if owner else Agency()
        if agency.id is None:
            agency.aliases, agency.destinations = [], []
        changed = self._changed("agencies", agency, AGENCY_FIELDS, newest,
                                newest["licence_number"])
        if changed:
            set_address_keys(agency)
        existing = {lic.number_key: lic for lic in agency.licences}
        for row in members:
            v = row.values
            lic = existing.get(v["licence_number"]) or Licence(agency=agency)
            changed |= self._changed("licences", lic, ("number", "number_key", "issued_on", "expires_on"),
                          {"number": v["licence_number_text"],
                           "number_key": v["licence_number"],
                           "issued_on": v["licence_issued_on"],
                           "expires_on": v["licence_expires_on"]}, v["licence_number"])
            self.agency_by_key[v["licence_number"]] = agency.id
        changed |= self._channels(agency, newest)
        return agency, changed

    def _channels(self, agency, values):
        before = [f"{c.kind}:{c.value}" for c in agency.channels]
        after = set_channels(agency, [("phone", p) for p in values["phones"]]
                             + list(values["channels"]), self.profile.phone_region)
        if after == before:
            return False
        audit.record(self.actor, "set_channels", "agencies", agency.licence_number,
                     {"channels": before}, {"channels": after})
        return True

    def _preload(self, name):
        """Existing rows of this file's kind, by natural key: one query, not one per row."""
        if name == "sanctions.csv":
            self.existing = self.plan.existing_sanctions
        elif name == "complaints.csv":
            pairs = db.session.execute(select(Complaint, ComplaintPrivate).join(
                ComplaintPrivate, ComplaintPrivate.complaint_id == Complaint.id)).all()
            self.existing = {}
            for c, p in pairs:
                self.existing[c.case_ref] = (c, p)
                self.existing[(c.agency_id, c.received_on, c.category, c.destination,
                               p.complainant_name, p.complainant_phone)] = (c, p)
        else:
            self.existing = {}
            for r in db.session.scalars(select(Representative)):
                self.existing[r.id_number or (r.agency_id, r.name)] = r

    def _sanction(self, agency_id, v):
        existing = self.existing.get(sanction_key(agency_id, v))
        sanction = sanctions.from_file(
            existing, agency_id, sanctions.file_values(v, self.profile.currency), v["state"],
            self.actor, self.result.batch, self.plan.approver)
        if sanction is None:
            self.result.unchanged["sanctions"] += 1
            return False
        (self.result.updated if existing else self.result.created)["sanctions"] += 1
        if sanction.state == "pending":
            self.result.drafts += 1
            return UNSEEN
        return True

    def _complaint(self, agency_id, v):
        key = v["case_ref"] or (agency_id, v["received_on"], v["category"], v["destination"] or "",
                                v["complainant_name"], v["complainant_phone"])
        complaint, private = self.existing.get(key) or (None, None)
        if complaint is None:
            complaint = Complaint(agency_id=agency_id, case_ref=v["case_ref"] or new_case_ref(v["received_on"]))
            private = ComplaintPrivate()
        values = {**v, "destination": v["destination"] or "",
                  "compensation_currency": v["currency"] or (
                      self.profile.currency if v["compensation_amount"] is not None else "")}
        changed = self._changed("complaints", complaint,
                                COMPLAINT_FIELDS + ("compensation_currency",), values,
                                complaint.case_ref)
        private_values = {f: v[f] for f in PRIVATE_FIELDS}
        if any(getattr(private, f) != private_values[f] for f in PRIVATE_FIELDS):
            for f, value in private_values.items():
                setattr(private, f, value)
            private.complaint_id = complaint.id
            db.session.add(private)
            # The audit says that the private part changed, never what it holds.
            audit.record(self.actor, "update_complainant", "complaints", complaint.case_ref,
                         None, {"private": "changed"})
            return changed or UNSEEN
        return changed

    def _representative(self, agency_id, v):
        key = v["id_number"] or (agency_id, v["name"])
        rep = self.existing.get(key) or Representative(agency_id=agency_id)
        v = {**v, "id_number": v["id_number"] or None}
        rep.phone_key = phone_key(v["phone"], self.profile.phone_region)
        return self._changed("representatives", rep, REPRESENTATIVE_FIELDS, v,
                             v["id_number"] or v["name"])



def sanction_key(agency_id, values):
    """The natural key of a sanction: its decision reference, else what it is and when."""
    return values["decision_ref"] or (agency_id, values["kind"], values["decided_on"],
                                      values["effective_from"])


def existing_sanctions():
    return {sanction_key(s.agency_id, {"decision_ref": s.decision_ref, "kind": s.kind,
                                       "decided_on": s.decided_on,
                                       "effective_from": s.effective_from}): s
            for s in db.session.scalars(select(Sanction))}
