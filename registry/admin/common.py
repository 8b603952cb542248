"""What the admin views share: roles, loading records, turning service refusals into form
messages, and telling the officer about Zawgyi conversions."""
from flask import abort, flash
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..services import ServiceError

#: Who may do what (DESIGN section 8).
DATA_ENTRY = ("clerk", "approver")
EVERYONE = ("clerk", "approver", "admin")
ADMINS = ("admin",)


def get_or_404(model, ident):
    record = db.session.get(model, ident) if str(ident).isdigit() else None
    if record is None:
        abort(404)
    return record


def note_zawgyi(form):
    if form.zawgyi_converted():
        flash(str(_l("Some Burmese text was typed in Zawgyi. It was changed to Unicode before "
                     "saving: please check it.")))


def refuse(form, error):
    """Show a service refusal on the form; a stale edit also shows the record as it is now."""
    form.form_errors.append(str(error))
    return getattr(error, "current", None)


def attempt(form, call):
    """Run a service call for a submitted form: (result, None) when it saved, or (None, what
    the record holds now) after a stale edit; any refusal is shown on the form."""
    try:
        result = call()
    except ServiceError as error:
        db.session.rollback()
        return None, refuse(form, error)
    note_zawgyi(form)
    return result if result is not None else True, None


def status(form, current=None):
    """409 for a stale edit, 400 for a form with problems, else 200."""
    if current:
        return 409
    return 400 if form.errors or form.form_errors else 200
