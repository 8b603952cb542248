"""The verify page, its receipts (/verify/<reference>) and the key that checks them."""
from flask import Response, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from ..i18n import negotiated, preferred_language
from .. import limits
from ..normalise import clean_text
from ..qrcode import qr_svg
from ..services import signing, verification
from .forms import VerifyForm
from .localised import localised_blueprint

bp = localised_blueprint("verify", __name__)


@bp.route("/<lang>/verify", methods=["GET", "POST"])
@limits.verify_form
def verify_page():
    form = VerifyForm()
    if form.validate_on_submit():
        record = verification.verify(licence=clean_text(form.licence.data) or None,
                                     phone=clean_text(form.phone.data) or None,
                                     clearance=clean_text(form.clearance.data) or None)
        # The answer in the language the question was asked in.
        return redirect(url_for("verify.receipt", reference=record.reference), 303)
    return render_template("public/verify.html", form=form), 400 if form.errors else 200


@bp.route("/verify/<reference>.json")
def receipt_data(reference):
    """The receipt as data (issue 15): what was signed, the signature and the key's id."""
    record = verification.by_reference(reference)
    if record is None:
        return jsonify(error={"code": "not_found",
                              "message": str(_l("No check with this reference"))}), 404
    return jsonify(signing.receipt(record.answer, record.signature))


@bp.route("/verify/public-key.jwk")
def public_key_jwk():
    return jsonify(signing.public_jwk())


@bp.route("/verify/<reference>")
def any_language_receipt(reference):
    """The address on receipts and in their QR codes: whoever opens it reads it in their
    language (cookie, then Accept-Language, then the country's)."""
    if verification.by_reference(reference) is None:
        return missing_receipt()
    return negotiated(redirect(url_for("verify.receipt", lang=preferred_language(),
                                       reference=reference)))


def missing_receipt():
    return render_template("errors/error.html", code=404, message=None, receipt_missing=True), 404


@bp.route("/<lang>/verify/<reference>")
def receipt(reference):
    record = verification.by_reference(reference)
    if record is None:
        return missing_receipt()
    template = "public/batch.html" if record.query_kind == "batch" else "public/receipt.html"
    return render_template(template, record=record, answer=record.answer,
                           qr=qr_svg(record.answer["url"]),
                           payload=signing.canonical(record.answer).decode("utf-8"))


@bp.route("/verify/public-key.pem")
def public_key():
    return Response(signing.public_key_pem(), mimetype="application/x-pem-file")

