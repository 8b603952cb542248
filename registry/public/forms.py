"""Public forms. Labels and messages are lazy strings: translated per request."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..normalise import clean_text


class VerifyForm(FlaskForm):
    licence = StringField(_l("Licence number"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("or phone number"), validators=[Optional(), Length(max=100)])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        # clean_text, not strip(): a field of zero-width spaces is empty too.
        if not clean_text(self.licence.data) and not clean_text(self.phone.data):
            self.licence.errors.append(_l("Type a licence number or a phone number."))
            return False
        return True
