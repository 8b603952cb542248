"""Public forms. Labels and messages are lazy strings: translated per request."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..normalise import clean_text

#: A pasted list: 500 numbers of up to 100 characters each, and their line breaks.
MAX_PASTE = 500 * 102


class VerifyForm(FlaskForm):
    licence = StringField(_l("Licence number"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("or phone number"), validators=[Optional(), Length(max=100)])
    clearance = StringField(_l("or ad clearance number (for radio and TV)"),
                            validators=[Optional(), Length(max=100)])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        # clean_text, not strip(): a field of zero-width spaces is empty too.
        if not any(clean_text(f.data) for f in (self.licence, self.phone, self.clearance)):
            self.licence.errors.append(_l("Type a licence number, a phone number or a "
                                          "clearance number."))
            return False
        return True


class BulkVerifyForm(FlaskForm):
    numbers = TextAreaField(_l("Licence numbers, phone numbers or clearance numbers, one per "
                               "line"), validators=[Optional(), Length(max=MAX_PASTE)])
    file = FileField(_l("or a CSV file (the first column is read)"))
