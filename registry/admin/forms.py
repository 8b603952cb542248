"""Regulators' forms. Every text field is tidied and, if typed in Zawgyi, converted to Unicode
(the view tells the officer); labels and messages are lazy strings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField,
                     PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                ValidationError)

from wtforms.fields.choices import SelectChoice

from ..models import (AD_MEDIA, CHANNEL_KINDS, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, ROLES,
                      SANCTION_KINDS)
from ..normalise import tidy_text
from ..services.import_rows import CURRENCIES, parse_country, split_list
from ..services.passwords import MAX_PASSWORD, MIN_PASSWORD
from ..wording import COMPLAINT_CATEGORIES as CATEGORY_NAMES
from ..wording import ROLES as ROLE_NAMES
from ..wording import COMPLAINT_STATUSES as STATUS_NAMES
from ..wording import AD_MEDIA as MEDIA_NAMES
from ..wording import SANCTION_KINDS as KIND_NAMES
from ..zawgyi import to_unicode


class Text:
    """Mixin: store tidy Unicode, remember whether Zawgyi was converted."""
    zawgyi = False

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data, self.zawgyi = to_unicode(tidy_text(self.data or ""))


class TextField(Text, StringField):
    pass


class LongTextField(Text, TextAreaField):
    def process_formdata(self, valuelist):
        # Keep line breaks: one channel per line.
        StringField.process_formdata(self, valuelist)
        lines = [to_unicode(tidy_text(line)) for line in (self.data or "").splitlines()]
        self.zawgyi = any(converted for _, converted in lines)
        self.data = "\n".join(text for text, _ in lines if text)


class RegistryForm(FlaskForm):
    def zawgyi_converted(self):
        return any(getattr(field, "zawgyi", False) for field in self)


def country_codes(form, field):
    try:
        field.data = [parse_country(code) for code in split_list(field.data)]
    except ValueError as error:
        raise ValidationError(error.args[0]) from None


def channel_lines(form, field):
    pairs = []
    for line in (field.data or "").splitlines():
        kind, sep, value = line.partition(":")
        if not sep or kind.strip().lower() not in CHANNEL_KINDS or not value.strip():
            raise ValidationError(_l("%(value)s is not kind:value (kinds: %(kinds)s)",
                                     value=line, kinds=", ".join(CHANNEL_KINDS)))
        pairs.append((kind.strip().lower(), value.strip()))
    field.data = pairs


def currency_code(form, field):
    if field.data and field.data.upper() not in CURRENCIES:
        raise ValidationError(_l("%(value)s is not an ISO 4217 currency code", value=field.data))
    field.data = (field.data or "").upper()


class AgencyForm(RegistryForm):
    version = HiddenField()
    name_en = TextField(_l("Name in English"), validators=[DataRequired(), Length(max=300)])
    name_km = TextField(_l("Name in Khmer"), validators=[Length(max=300)])
    name_my = TextField(_l("Name in Burmese"), validators=[Length(max=300)])
    aliases = TextField(_l("Other names, separated by ;"), validators=[Length(max=1000)])
    province = SelectField(_l("Province"), validators=[Optional()])
    address_en = TextField(_l("Head office address in English"), validators=[Length(max=1000)])
    address_km = TextField(_l("Head office address in Khmer"), validators=[Length(max=1000)])
    address_my = TextField(_l("Head office address in Burmese"), validators=[Length(max=1000)])
    email = TextField(_l("E-mail"), validators=[Length(max=254)])
    website = TextField(_l("Website"), validators=[Length(max=500)])
    destinations = TextField(_l("Destination countries (ISO codes, separated by ;)"),
                             validators=[country_codes])
    channels = LongTextField(_l("Phones, pages and offices, one per line as kind:value"),
                             validators=[channel_lines])


class NewAgencyForm(AgencyForm):
    licence_number = TextField(_l("Licence number"), validators=[DataRequired(), Length(max=64)])
    issued_on = DateField(_l("Issued on"), validators=[InputRequired()])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired()])


class LicenceForm(RegistryForm):
    licence_number = TextField(_l("Licence number"), validators=[DataRequired(), Length(max=64)])
    issued_on = DateField(_l("Issued on"), validators=[InputRequired()])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired()])


class RepresentativeForm(RegistryForm):
    name = TextField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    id_number = TextField(_l("ID number"), validators=[Length(max=64)])
    phone = TextField(_l("Phone"), validators=[Length(max=64)])
    authorised_from = DateField(_l("Authorised from"), validators=[Optional()])
    authorised_to = DateField(_l("Authorised until"), validators=[Optional()])


class SanctionForm(RegistryForm):
    version = HiddenField()
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_NAMES[k]) for k in SANCTION_KINDS])
    decided_on = DateField(_l("Decided on"), validators=[InputRequired()])
    effective_from = DateField(_l("Takes effect on"), validators=[InputRequired()])
    effective_to = DateField(_l("Ends on (suspensions; empty: until further notice)"),
                             validators=[Optional()])
    amount = DecimalField(_l("Fine amount"), places=2,
                          validators=[Optional(), NumberRange(min=0)])
    currency = TextField(_l("Currency (ISO code)"), validators=[currency_code])
    paid = BooleanField(_l("Fine paid"))
    reason_en = LongTextField(_l("Reason in English"), validators=[Length(max=2000)])
    reason_km = LongTextField(_l("Reason in Khmer"), validators=[Length(max=2000)])
    reason_my = LongTextField(_l("Reason in Burmese"), validators=[Length(max=2000)])
    decision_ref = TextField(_l("Decision reference (prakas or decision number)"),
                             validators=[Length(max=120)])


class SanctionActionForm(RegistryForm):
    version = HiddenField()
    reason = LongTextField(_l("Why it is overturned"), validators=[Length(max=2000)])


def country_code(form, field):
    if field.data:
        try:
            field.data = parse_country(field.data)
        except ValueError as error:
            raise ValidationError(error.args[0]) from None


class ClearanceForm(RegistryForm):
    version = HiddenField()
    number = TextField(_l("Clearance number"), validators=[DataRequired(), Length(max=64)])
    job_title = TextField(_l("Job advertised"), validators=[DataRequired(), Length(max=300)])
    destination = TextField(_l("Destination country (ISO code)"),
                            validators=[DataRequired(), Length(max=2), country_code])
    workers = IntegerField(_l("Number of workers"),
                           validators=[Optional(), NumberRange(min=1, max=100000)])
    worker_fee = DecimalField(_l("Fee the worker pays (0 if none)"), places=2,
                              validators=[InputRequired(), NumberRange(min=0)])
    fee_currency = TextField(_l("Currency (ISO code)"), validators=[currency_code])
    valid_from = DateField(_l("May be aired from"), validators=[InputRequired()])
    valid_to = DateField(_l("May be aired until"), validators=[InputRequired()])
    media = SelectMultipleField(_l("Media it may run in"),
                                choices=[SelectChoice(m, MEDIA_NAMES[m]) for m in AD_MEDIA],
                                validators=[DataRequired()])


class ClearanceActionForm(RegistryForm):
    version = HiddenField()
    reason = LongTextField(_l("Why it is withdrawn"), validators=[Length(max=2000)])


class ComplaintForm(RegistryForm):
    version = HiddenField()
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    category = SelectField(_l("Problem"),
                           choices=[SelectChoice(c, CATEGORY_NAMES[c]) for c in COMPLAINT_CATEGORIES])
    destination = TextField(_l("Destination country (ISO code)"),
                            validators=[Length(max=2), country_code])
    workers_affected = IntegerField(_l("Workers affected"),
                                    validators=[Optional(), NumberRange(min=0, max=100000)])
    status = SelectField(_l("Status"), choices=[SelectChoice(s, STATUS_NAMES[s])
                                                     for s in COMPLAINT_STATUSES])
    compensation_amount = DecimalField(_l("Compensation awarded"), places=2,
                                       validators=[Optional(), NumberRange(min=0)])
    compensation_currency = TextField(_l("Currency (ISO code)"), validators=[currency_code])
    closed_on = DateField(_l("Closed on"), validators=[Optional()])
    complainant_name = TextField(_l("Complainant's name (private)"), validators=[Length(max=300)])
    complainant_phone = TextField(_l("Complainant's phone (private)"), validators=[Length(max=64)])
    details = LongTextField(_l("Details (private)"), validators=[Length(max=5000)])



class ImportForm(RegistryForm):
    files = FileField(_l("CSV files (agencies.csv, and optionally representatives.csv, "
                         "sanctions.csv, complaints.csv)"),
                      validators=[FileRequired()], render_kw={"multiple": True})
    commit = BooleanField(_l("Import now if there is no problem (otherwise: check only)"))


class UserForm(RegistryForm):
    email = TextField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_NAMES[r]) for r in ROLES])
    password = PasswordField(_l("First password (%(min)d to %(max)d characters; they choose "
                                "their own at first sign-in)", min=MIN_PASSWORD,
                                max=MAX_PASSWORD),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                             render_kw={"autocomplete": "new-password"})


class ConfirmForm(RegistryForm):
    """A form with only the CSRF token: for buttons that change something."""
