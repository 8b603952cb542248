"""Sign-in forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(max=12)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password (at least 12 characters)"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()])
