"""The dashboard: status mix, sanctions per month, complaints, compensation, leads."""
from flask import Blueprint, render_template

from .. import wording
from ..auth import role_required
from ..services import dashboard, resurfacing
from ..services.agencies import today
from .common import EVERYONE

bp = Blueprint("admin", __name__, url_prefix="/admin")
#: Agencies sharing a phone, page or address with a sanctioned one: the newest, as leads (a
#: national registry holds thousands of such pairs, mostly shared branch addresses).
PAIRS_SHOWN = 100


def named(rows, names):
    return [(str(names.get(code, code)), n) for code, n in rows]


@bp.route("/")
@role_required(*EVERYONE)
def dashboard_page():
    figures = dashboard.figures()
    charts = [
        (wording.ADMIN_CHARTS["status"], named(figures["by_status"], wording.STATUS_NAMES)),
        (wording.ADMIN_CHARTS["sanctions"], figures["per_month"]),
        (wording.ADMIN_CHARTS["categories"],
         named(figures["by_category"], wording.COMPLAINT_CATEGORIES)),
        (wording.ADMIN_CHARTS["outcomes"],
         named(figures["by_outcome"], wording.COMPLAINT_STATUSES)),
    ]
    return render_template("admin/dashboard.html", figures=figures, charts=charts,
                           pairs=resurfacing.all_pairs(limit=PAIRS_SHOWN),
                           pairs_total=resurfacing.pair_count(today()))
