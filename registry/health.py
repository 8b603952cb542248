"""Health checks for load balancers: /healthz (the process answers) and /readyz (it can serve:
the database answers and this node's search index is caught up with the outbox)."""
import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from . import search
from .extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - not ready is an answer, not an error page
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        checks["database"] = "unreachable"
        return jsonify(status="not ready", checks=checks), 503
    lag = search.lag()
    checks["index_lag"] = lag
    ready = lag is not None and lag <= current_app.config["REGISTRY_READY_MAX_LAG"]
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503
