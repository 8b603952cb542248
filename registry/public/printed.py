"""Posters and leaflets to print (issue 11): a province's licensed agencies on A4 for a commune
hall, pagoda or labour office, and one agency on an A5 leaflet. The browser prints them: plain
pages with a print style sheet, no JavaScript and no PDF library."""
from flask import abort, redirect, render_template, url_for

from .. import pagecache
from ..normalise import clean_text
from ..qrcode import qr_svg
from ..services import agencies
from ..urls import absolute
from .localised import localised_blueprint

bp = localised_blueprint("printed", __name__)


@bp.route("/<lang>/print/province/<code>")
@pagecache.kept()
def province(code):
    profile = agencies.profile()
    place = profile.province(code)
    if place is None:
        abort(404)
    today = agencies.today()
    # The QR code leads to the live list: a poster is out of date the day after it is printed.
    live = absolute("public.search_page", province=place.code)
    return render_template("print/province.html", province=place, today=today,
                           rows=agencies.licensed_in(place.code, today), live=live,
                           qr=qr_svg(live))


@bp.route("/<lang>/print/agencies/<path:licence_number>")
@pagecache.kept()
def leaflet(licence_number):
    record, licence = agencies.find(licence_number[:100])
    if record is None:
        return render_template("public/not_found.html",
                               query=clean_text(licence_number)[:100]), 404
    if record.licence_number != licence_number:
        # As on the agency page: one address per agency, its newest licence number.
        return redirect(url_for("printed.leaflet", licence_number=record.licence_number),
                        301 if licence else 302)
    record = agencies.get_many([record.id])[0]
    today = agencies.today()
    live = absolute("public.agency", licence_number=record.licence_number)
    return render_template("print/leaflet.html", agency=record, today=today,
                           status=agencies.status_of(record, today), live=live, qr=qr_svg(live))
