"""SQLAlchemy models. Columns carry a `#:` line saying what the field means to a regulator."""
import re
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

SANCTION_KINDS = ("warning", "fine", "suspension", "revocation")
SANCTION_STATES = ("pending", "in_force", "under_appeal", "overturned")
#: States the public may see; `pending` awaits a second officer's approval.
PUBLIC_SANCTION_STATES = ("in_force", "under_appeal", "overturned")
COMPLAINT_CATEGORIES = (
    "excessive_fees", "contract_substitution", "deception", "document_retention",
    "abuse", "wage_theft", "other",
)
COMPLAINT_STATUSES = ("received", "investigating", "mediated", "resolved", "dismissed", "referred")
CHANNEL_KINDS = ("phone", "facebook", "telegram", "viber", "website", "email", "branch")
ROLES = ("clerk", "approver", "admin")
#: Where a cleared advertisement may run.
AD_MEDIA = ("radio", "tv", "print", "online", "poster")
#: A clearance is drafted, approved by a second officer (then public), or withdrawn (kept).
CLEARANCE_STATES = ("pending", "approved", "withdrawn")
PUBLIC_CLEARANCE_STATES = ("approved", "withdrawn")


def utcnow():
    """Naive UTC, the same on SQLite (which drops time zones) and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


#: Crockford's base 32: no I, L, O or U to misread when an identifier is read out on the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
AGENCY_ID = re.compile(r"AG-[0-9A-HJKMNP-TV-Z]{10}")


def new_agency_id():
    """An agency's permanent public id (issue 15), e.g. AG-7K3M9Q2TXR: random, so it tells
    nothing about when or in which order agencies were registered, and it outlives every
    licence number. 50 bits: two ids alike among a million agencies has odds of 1 in 2,000."""
    return "AG-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def new_sanction_id():
    """A sanction's public id, e.g. SN-4F8Q2M7K1D: random where the database's numbers count
    up, and their gaps would tell how many decisions are pending (never published)."""
    return "SN-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


class Agency(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: What feeds, open data and links outside use: never changes, never reused.
    public_id: Mapped[str] = mapped_column(db.String(13), unique=True, index=True,
                                           default=new_agency_id)
    name_en: Mapped[str] = mapped_column(db.String(300))
    name_km: Mapped[str] = mapped_column(db.String(300), default="")
    name_my: Mapped[str] = mapped_column(db.String(300), default="")
    #: Trade names and spellings the agency is also known by (fake agencies borrow real names).
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    #: ISO 3166-2 code from the country profile, e.g. KH-12.
    province: Mapped[str | None] = mapped_column(db.String(8))
    address_en: Mapped[str] = mapped_column(db.Text, default="")
    address_km: Mapped[str] = mapped_column(db.Text, default="")
    address_my: Mapped[str] = mapped_column(db.Text, default="")
    email: Mapped[str] = mapped_column(db.String(254), default="")
    website: Mapped[str] = mapped_column(db.String(500), default="")
    #: ISO 3166 alpha-2 codes of the countries the agency is licensed to send workers to.
    destinations: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: When a write last changed its public record (details, licences, published sanctions,
    #: complaints, representatives): what the API's changed_since reads (services.reindex_later).
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Optimistic lock: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1)

    licences = relationship("Licence", back_populates="agency", order_by="Licence.issued_on",
                            cascade="all, delete-orphan")
    sanctions = relationship("Sanction", back_populates="agency",
                             order_by="Sanction.decided_on.desc()", cascade="all, delete-orphan")
    complaints = relationship("Complaint", back_populates="agency",
                              order_by="Complaint.received_on.desc()",
                              cascade="all, delete-orphan")
    representatives = relationship("Representative", back_populates="agency",
                                   order_by="Representative.name", cascade="all, delete-orphan")
    channels = relationship("Channel", back_populates="agency", order_by="Channel.id",
                            cascade="all, delete-orphan")
    address_keys = relationship("AddressKey", back_populates="agency",
                                cascade="all, delete-orphan")
    clearances = relationship("Clearance", back_populates="agency",
                              order_by="Clearance.valid_from.desc()",
                              cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_licence(self):
        """The newest licence: its number is the agency's address in URLs."""
        return max(self.licences, key=lambda lic: (lic.issued_on, lic.id or 0), default=None)

    @property
    def licence_number(self):
        lic = self.current_licence
        return lic.number if lic else None

    def name(self, lang):
        return getattr(self, f"name_{lang}", "") or ""

    def names(self):
        return {"en": self.name_en or "", "km": self.name_km or "", "my": self.name_my or ""}


class Licence(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    #: The number as the ministry writes it.
    number: Mapped[str] = mapped_column(db.String(64))
    #: The number without spaces, dashes or case: how people type it is never a mismatch.
    number_key: Mapped[str] = mapped_column(db.String(64), unique=True)
    issued_on: Mapped[date] = mapped_column(db.Date)
    expires_on: Mapped[date] = mapped_column(db.Date)

    agency = relationship("Agency", back_populates="licences")


class Channel(db.Model):
    """A phone, page, account or office the agency declared: 'whose is this number?'"""
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    value: Mapped[str] = mapped_column(db.String(500))
    #: Phones in E.164, handles and addresses lower-cased: what a lookup compares.
    lookup_key: Mapped[str] = mapped_column(db.String(500), index=True)

    agency = relationship("Agency", back_populates="channels")


class AddressKey(db.Model):
    """One of an agency's head-office addresses, as resurfacing compares them: written with the
    addresses (services.agency_edits.set_address_keys), so pairs are found by an index."""
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    #: The language of the address the key was made from (the first, when two give one key).
    lang: Mapped[str] = mapped_column(db.String(2))
    #: normalise.address_digest: two addresses written alike have the same.
    key: Mapped[str] = mapped_column(db.String(32), index=True)

    agency = relationship("Agency", back_populates="address_keys")


class Sanction(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: What feeds, the API and open data call it (never the database's number).
    public_id: Mapped[str] = mapped_column(db.String(13), unique=True, index=True,
                                           default=new_sanction_id)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    decided_on: Mapped[date] = mapped_column(db.Date)
    effective_from: Mapped[date] = mapped_column(db.Date)
    #: Last day of a suspension; empty means open-ended.
    effective_to: Mapped[date | None] = mapped_column(db.Date)
    amount = mapped_column(Numeric(16, 2), nullable=True)
    currency: Mapped[str] = mapped_column(db.String(3), default="")
    #: Fines only: has the agency paid?
    paid: Mapped[bool | None] = mapped_column()
    reason_en: Mapped[str] = mapped_column(db.Text, default="")
    reason_km: Mapped[str] = mapped_column(db.Text, default="")
    reason_my: Mapped[str] = mapped_column(db.Text, default="")
    #: The prakas or decision number; the natural key of a sanction.
    decision_ref: Mapped[str | None] = mapped_column(db.String(120), unique=True)
    state: Mapped[str] = mapped_column(db.String(16), default="pending", index=True)
    #: Four eyes: who drafted it, and the other officer who approved it for publication.
    drafted_by: Mapped[str] = mapped_column(db.String(254), default="")
    #: Everyone who drafted or changed it (form or import): none of them may approve it.
    editors: Mapped[list] = mapped_column(JSON, default=list)
    #: The upload or import it came from, so a batch of drafts is reviewed on one screen.
    import_batch: Mapped[str | None] = mapped_column(db.String(32), index=True)
    approved_by: Mapped[str] = mapped_column(db.String(254), default="")
    approved_at: Mapped[datetime | None] = mapped_column()
    #: Why an appeal overturned it (the sanction itself stays on the record).
    overturn_reason: Mapped[str] = mapped_column(db.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    agency = relationship("Agency", back_populates="sanctions")
    __mapper_args__ = {"version_id_col": version}
    #: The dashboard's sanctions per month read this index alone (services.dashboard).
    __table_args__ = (db.Index("ix_sanction_state_day", "state", "decided_on"),)

    def reason(self, lang):
        return getattr(self, f"reason_{lang}", "") or ""


class Complaint(db.Model):
    """The public side of a complaint. Who complained lives in ComplaintPrivate."""
    #: The dashboard's counts read this index alone (services.dashboard.complaint_figures).
    __table_args__ = (db.Index("ix_complaint_tally", "category", "status",
                               "compensation_currency", "compensation_amount"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ministry's case reference; the natural key of a complaint.
    case_ref: Mapped[str] = mapped_column(db.String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    received_on: Mapped[date] = mapped_column(db.Date)
    category: Mapped[str] = mapped_column(db.String(32))
    destination: Mapped[str] = mapped_column(db.String(2), default="")
    workers_affected: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(db.String(16), default="received")
    compensation_amount = mapped_column(Numeric(16, 2), nullable=True)
    compensation_currency: Mapped[str] = mapped_column(db.String(3), default="")
    closed_on: Mapped[date | None] = mapped_column(db.Date)
    version: Mapped[int] = mapped_column(default=1)

    agency = relationship("Agency", back_populates="complaints")
    __mapper_args__ = {"version_id_col": version}


class ComplaintPrivate(db.Model):
    """Complainant identity and details. Deliberately no relationship from Complaint, so no
    public template or serializer can reach it by following an attribute."""
    __tablename__ = "complaint_private"
    complaint_id: Mapped[int] = mapped_column(db.ForeignKey("complaint.id", ondelete="CASCADE"),
                                              primary_key=True)
    complainant_name: Mapped[str] = mapped_column(db.String(300), default="")
    complainant_phone: Mapped[str] = mapped_column(db.String(64), default="")
    details: Mapped[str] = mapped_column(db.Text, default="")


class Representative(db.Model):
    """A person authorised to recruit in the agency's name (a village broker, say)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(300))
    #: Badge or ID number; the natural key of a representative.
    id_number: Mapped[str | None] = mapped_column(db.String(64), unique=True)
    phone: Mapped[str] = mapped_column(db.String(64), default="")
    phone_key: Mapped[str] = mapped_column(db.String(64), default="", index=True)
    province: Mapped[str | None] = mapped_column(db.String(8))
    authorised_from: Mapped[date | None] = mapped_column(db.Date)
    authorised_to: Mapped[date | None] = mapped_column(db.Date)

    agency = relationship("Agency", back_populates="representatives")

    def authorised_on(self, day):
        return ((self.authorised_from is None or self.authorised_from <= day)
                and (self.authorised_to is None or day <= self.authorised_to))


class Verification(db.Model):
    """One check made through the verify page or API, kept so it can be shown again as it was."""
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(db.String(32), unique=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: 'licence' or 'phone'.
    query_kind: Mapped[str] = mapped_column(db.String(16))
    query_text: Mapped[str] = mapped_column(db.String(200))
    agency_id: Mapped[int | None] = mapped_column(db.ForeignKey("agency.id"))
    status: Mapped[str] = mapped_column(db.String(16))
    verified: Mapped[bool] = mapped_column()
    #: The answer exactly as given (names, status, reason), signed below.
    answer: Mapped[dict] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(db.String(200))


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(db.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(db.String(255))
    role: Mapped[str] = mapped_column(db.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    #: Bumped at logout or disable, so a copied session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Base32 TOTP secret; the second factor every regulator must enrol.
    totp_secret: Mapped[str] = mapped_column(db.String(64), default="")
    totp_enrolled: Mapped[bool] = mapped_column(default=False)
    #: The last TOTP time step accepted, so a code cannot be replayed.
    totp_last_step: Mapped[int] = mapped_column(default=0)
    #: Set when someone else chose the password (an administrator): it works for one sign-in,
    #: which must end by choosing a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What Flask-Login asks of a user. The id carries the session version, so bumping the
    # version makes every cookie issued before it worthless.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}.{self.session_version}"


class LoginFailure(db.Model):
    """A failed sign-in, by account, by address and by second factor: how sign-in is slowed.
    Kept in the database so every web node sees the same count."""
    id: Mapped[int] = mapped_column(primary_key=True)
    #: 'account:<email>', 'address:<ip>' or 'code:<email>'.
    key: Mapped[str] = mapped_column(db.String(300), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditEntry(db.Model):
    """Append-only, hash-chained record of every change made through the services."""
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Position in the chain (1, 2, 3…): what a signed checkpoint's size counts.
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(db.String(254))
    action: Mapped[str] = mapped_column(db.String(64))
    entity: Mapped[str] = mapped_column(db.String(32))
    entity_key: Mapped[str] = mapped_column(db.String(120))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: Unique: two entries claiming the same predecessor would fork the chain.
    prev_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    hash: Mapped[str] = mapped_column(db.String(64), unique=True)


class IndexOutbox(db.Model):
    """Search-index work written in the same transaction as the change it follows."""
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UnmatchedSearch(db.Model):
    """Public searches that found nothing: leads on unlicensed recruiters for regulators.
    Only the normalised text and a daily count: nothing about who searched."""
    __table_args__ = (db.UniqueConstraint("day", "kind", "text"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(db.Date, index=True)
    #: 'name', 'licence' or 'phone': what the text looked like.
    kind: Mapped[str] = mapped_column(db.String(16))
    text: Mapped[str] = mapped_column(db.String(200))
    count: Mapped[int] = mapped_column(default=1)


class Clearance(db.Model):
    """The ministry's approval of one recruitment advertisement, which broadcasters check
    before airing it. Four eyes as for sanctions: public once another officer approved it."""
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The clearance number as the ministry writes it, e.g. KH-AD-2026-0042.
    number: Mapped[str] = mapped_column(db.String(64))
    #: The number without spaces, dashes or case, as for licences.
    number_key: Mapped[str] = mapped_column(db.String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    #: The job advertised, as the advertisement words it.
    job_title: Mapped[str] = mapped_column(db.String(300))
    #: ISO 3166 alpha-2 code of the country the jobs are in.
    destination: Mapped[str] = mapped_column(db.String(2))
    workers: Mapped[int | None] = mapped_column()
    #: What the worker pays the agency (0: nothing), as approved.
    worker_fee = mapped_column(Numeric(16, 2))
    fee_currency: Mapped[str] = mapped_column(db.String(3), default="")
    valid_from: Mapped[date] = mapped_column(db.Date)
    valid_to: Mapped[date] = mapped_column(db.Date)
    #: Which of AD_MEDIA the advertisement may run in.
    media: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(db.String(16), default="pending", index=True)
    drafted_by: Mapped[str] = mapped_column(db.String(254), default="")
    #: Everyone who drafted or changed it: none of them may approve it.
    editors: Mapped[list] = mapped_column(JSON, default=list)
    approved_by: Mapped[str] = mapped_column(db.String(254), default="")
    approved_at: Mapped[datetime | None] = mapped_column()
    withdraw_reason: Mapped[str] = mapped_column(db.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    agency = relationship("Agency", back_populates="clearances")
    __mapper_args__ = {"version_id_col": version}
