"""What every response shares: security headers, error pages (HTML, or JSON under /api/)."""
import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from flask import (abort, current_app, get_flashed_messages, jsonify, render_template, request,
                   send_from_directory)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
       "img-src 'self' data:; style-src 'self'; font-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
#: What every answer carries unless its view set its own.
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}
SECURE_HEADERS = SECURITY_HEADERS | {"Strict-Transport-Security": "max-age=31536000"}

ERROR_MESSAGES = {
    400: _l("The request could not be understood. Please check what you typed and try again."),
    404: _l("This page does not exist."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    414: _l("This address is too long."),
    429: _l("Too many requests. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}


#: The longest address (path and query, as sent) the app answers; a longer one is refused (414)
#: with the error page, JSON under /api/. A search box's 200 characters of Burmese take 1,800.
#: Below gunicorn's --limit-request-line 8190 and nginx's 8 KiB header buffers (deploy/), which
#: answer in their own words: so whatever a server lets through, the app refuses first.
MAX_ADDRESS_LENGTH = 8000


class RepairQueryString:
    """WSGI middleware: a query string holding raw bytes that are not UTF-8 is re-encoded with
    the bad bytes replaced, so no part of the app meets a UnicodeDecodeError (Werkzeug decodes
    strictly)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        raw = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            environ["QUERY_STRING"] = quote(text, safe="=&+%;/:,?@!$'()*-._~")
        return self.wsgi_app(environ, start_response)


@lru_cache(maxsize=256)
def static_version(folder, filename):
    """A short fingerprint of a static file's content: its address changes when it does, so
    nginx lets caches keep it for a year (deploy/nginx.conf)."""
    try:
        return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:10]
    except OSError:
        return None


def session_cookie_sent():
    """Whether the visitor sent a session cookie: without one, the session holds nothing, and
    a public page need not open it (a page that does is sent with Vary: Cookie, which no
    shared cache can keep for everyone)."""
    return cookie_sent(request, current_app.config["SESSION_COOKIE_NAME"])


def cookie_sent(request, name):
    # Most visitors send no cookies at all: nothing to parse (every 304 and kept answer opens
    # the session, issue 10).
    return "HTTP_COOKIE" in request.environ and name in request.cookies


def waiting_messages():
    return get_flashed_messages() if session_cookie_sent() else []


class SessionOnlyIfSent(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the cookie's signer for a visitor who
    sent no cookie (every public request): a new session is empty either way."""

    def open_session(self, app, request):
        if app.secret_key and not cookie_sent(request, app.config["SESSION_COOKIE_NAME"]):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app):
    app.wsgi_app = RepairQueryString(app.wsgi_app)
    app.session_interface = SessionOnlyIfSent()
    app.jinja_env.globals["waiting_messages"] = waiting_messages

    @app.route("/favicon.ico")
    def favicon():
        # Browsers ask for it at the root whatever the page says.
        return send_from_directory(app.static_folder, "favicon.ico", max_age=86400)

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = static_version(app.static_folder, values.get("filename", ""))
            if version:
                values["v"] = version

    @app.before_request
    def refuse_long_addresses():
        # As sent (gunicorn and Werkzeug's server keep it), else as decoded (never longer).
        sent = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        query = request.query_string
        length = len(sent) if sent else len(request.path) + (len(query) + 1 if query else 0)
        if length > MAX_ADDRESS_LENGTH:
            abort(414)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # One pass over the headers, not two per name (Headers.setdefault): every answer,
        # a kept one too, comes through here (issue 10).
        present = {name.lower() for name in headers.keys()}
        for name, value in (SECURE_HEADERS if request.is_secure else SECURITY_HEADERS).items():
            if name.lower() not in present:
                headers.add(name, value)
        if request.path.startswith("/admin"):
            # Staff pages hold complainants' details: no cache anywhere may keep them.
            headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, _l("This form has expired. Please go back, reload the page "
                                      "and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        response = error_response(error.code or 500)
        if error.code == 405 and error.valid_methods:
            # RFC 9110: a 405 says which methods the address accepts.
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        # Never a stack trace to the user; the log keeps it (it holds no complainant data:
        # those fields never enter request parameters of public pages).
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)


def error_response(code, message=None):
    message = str(message or ERROR_MESSAGES.get(code) or ERROR_MESSAGES[400])
    if request.path.startswith(("/api/", "/messaging/")):
        name = {400: "bad_request", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 414: "too_large",
                429: "rate_limited"}.get(code, "server_error")
        return jsonify(error={"code": name, "message": message}), code
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("error page failed")
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
