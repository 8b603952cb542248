"""What the admin views share: roles, loading records, turning service refusals into form
messages, and telling the officer about Zawgyi conversions."""
from flask import abort, flash
from flask_babel import lazy_gettext as _l

from ..extensions import db

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
