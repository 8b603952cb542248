"""Sign-in forms. Password fields are never shown in clear nor filled back in, and take the
one length limit of services.passwords."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..services.passwords import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    code = StringField(_l("6-digit code from your authenticator app (optional: with it you "
                          "sign in in one step)"), validators=[Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class CodeForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    new = PasswordField(_l("New password (%(min)d to %(max)d characters; a phrase of several "
                           "words is best)", min=MIN_PASSWORD, max=MAX_PASSWORD),
                        validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                            render_kw={"autocomplete": "new-password"})
