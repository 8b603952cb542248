"""The registry as it is deployed (issue 9): gunicorn workers sharing limits through Redis,
nginx in front, two nodes on one database. Real servers from Debian's packages; no skips."""
import base64
import concurrent.futures
import gzip
import json
import re
import shutil
import subprocess
import time
from collections import Counter
from urllib.parse import urlencode

import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from registry.extensions import db
from registry.models import LoginFailure, Sanction, Verification
from registry.services.signing import canonical

from .admin_helpers import PASSWORD
from .conftest import agency_row
from .servers import (ROOT, Browser, free_port, gunicorn, nginx, redis, registry_env,
                      request, self_signed_certificate, wait_for_port)


@pytest.fixture
def one_agency(load):
    load(agencies=[agency_row("KH-D-1", "Deployed Agency", name_km="ភ្នាក់ងារ ដាក់ឱ្យប្រើ")])


def test_verify_limit_holds_across_two_workers_with_redis(one_agency, database_url, tmp_path):
    """1,000 checks from one address in a minute, spread over two gunicorn workers: the first
    60 (the documented limit) are answered, the rest get 429; another address is unaffected."""
    store, url = redis(tmp_path)
    port = free_port()
    node = gunicorn(registry_env(tmp_path, database_url, port, REGISTRY_PROXY_COUNT=1,
                                 REGISTRY_RATELIMIT_STORAGE_URL=url), port,
                    log=tmp_path / "gunicorn.log")
    try:
        def check(_):
            status, headers, _ = request(port, "/api/v1/verify?licence=KH-D-1",
                                         headers={"X-Forwarded-For": "203.0.113.50"})
            return status, headers.get("Retry-After")

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(check, range(1000)))
        counts = Counter(status for status, _ in answers)
        assert counts == {200: 60, 429: 940}, counts
        assert all(retry and 0 < int(retry) <= 60 for status, retry in answers if status == 429)
        status, _, body = request(port, "/api/v1/verify?licence=KH-D-1",
                                  headers={"X-Forwarded-For": "198.51.100.7"})
        assert status == 200 and json.loads(body)["status"] == "licensed"
    finally:
        node.stop()
        store.stop()


SITE = "registry.example.gov"


def shipped_site(http_port, https_port, app_port, cert, key):
    """deploy/nginx.conf with this machine's ports, certificate and static folder."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};", "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/registry/fullchain.pem": str(cert), "/etc/ssl/registry/privkey.pem": str(key),
        "/srv/registry/static/": str(ROOT / "registry" / "static") + "/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
    }
    for old, new in replacements.items():
        assert old in conf, f"deploy/nginx.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    return conf


def test_behind_the_shipped_nginx(one_agency, app, database_url, tmp_path):
    http_port, https_port, app_port = free_port(), free_port(), free_port()
    cert, key = self_signed_certificate(tmp_path, SITE)
    node = gunicorn(registry_env(tmp_path, database_url, app_port, REGISTRY_PROXY_COUNT=1,
                                 REGISTRY_BASE_URL=f"https://{SITE}"), app_port,
                    log=tmp_path / "gunicorn.log")
    proxy = nginx(tmp_path / "nginx", shipped_site(http_port, https_port, app_port, cert, key),
                  [http_port, https_port])
    try:
        wait_for_port(https_port, proxy.process)

        def get(path, **kw):
            headers = {"Host": SITE, "Accept-Encoding": "gzip", **kw.pop("headers", {})}
            return request(https_port, path, headers=headers, tls=True, **kw)

        status, headers, body = get("/km/")
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        page = gzip.decompress(body).decode()
        assert "Strict-Transport-Security" in headers  # the app knows it is served over TLS
        css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{10})"', page).group(1)
        status, headers, body = get(css)
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        status, headers, _ = get("/static/fonts/NotoSansKhmer-Regular.khmer.woff2")
        assert status == 200 and headers["Cache-Control"] == "public, max-age=86400"
        for path in ("/api/v1/search?q=deployed", "/feeds/sanctions.atom"):
            status, headers, _ = get(path)
            assert status == 200 and headers.get("Content-Encoding") == "gzip", path
        status, headers, _ = request(http_port, "/en/", headers={"Host": SITE})
        assert status == 301 and headers["Location"] == f"https://{SITE}/en/"
        status, headers, _ = get("/admin/login")
        assert status == 200 and headers["Cache-Control"] == "no-store"
        status, _, _ = get("/admin/data/import", method="POST", body=b"x" * (17 * 2 ** 20),
                           headers={"Content-Type": "text/csv"})
        assert status == 413  # refused by nginx before any worker reads it

        # The visitor's address, not nginx's, reaches the sign-in delays.
        status, headers, body = get("/admin/login", source="127.0.0.3")
        cookie = headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          gzip.decompress(body).decode()).group(1)
        form = urlencode({"csrf_token": token, "email": "nobody@m.example",
                          "password": "a wrong password"}).encode()
        status, _, _ = get("/admin/login", method="POST", body=form, source="127.0.0.3",
                           headers={"Cookie": cookie, "Referer": f"https://{SITE}/admin/login",
                                    "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 400
        with app.app_context():
            keys = set(db.session.scalars(select(LoginFailure.key)))
        assert "address:127.0.0.3" in keys, keys
        status, _, _ = request(https_port, "/en/", headers={"Host": "evil.example"}, tls=True)
        assert status == 400  # a Host header that is not the site's
    finally:
        proxy.stop()
        node.stop()


def long_address(prefix, line_length):
    """`prefix` lengthened so that its request line ("GET … HTTP/1.1") is `line_length` long."""
    return prefix + "a" * (line_length - len(f"GET {prefix} HTTP/1.1"))


def assert_json_too_long(status, headers, body, message="This address is too long."):
    assert status == 414, (status, body[:200])
    assert headers["Content-Type"].startswith("application/json"), headers["Content-Type"]
    assert json.loads(body) == {"error": {"code": "too_large", "message": message}}


def test_over_long_addresses_get_the_apis_json_error(one_agency, database_url, tmp_path):
    """An address too long to answer is refused, under /api/ always with the JSON error
    (issue 15): by the app itself up to what gunicorn takes (--limit-request-line 8190), by
    the shipped nginx beyond, whether the line is too long for its buffers or (HTTP/2, no
    request line) the address is; never gunicorn's own page."""
    http_port, https_port, app_port = free_port(), free_port(), free_port()
    cert, key = self_signed_certificate(tmp_path, SITE)
    node = gunicorn(registry_env(tmp_path, database_url, app_port), app_port,
                    log=tmp_path / "gunicorn.log")
    try:
        status, headers, body = request(app_port, long_address("/api/v1/search?q=", 8190),
                                        headers={"Accept-Language": "km"})
        # The app's answer, in a worker, in the language asked for.
        assert_json_too_long(status, headers, body, message="អាសយដ្ឋាននេះវែងពេក។")
        assert headers["Content-Language"] == "km"
        status, headers, _ = request(app_port, long_address("/en/search?q=", 8100))
        assert status == 414 and headers["Content-Type"].startswith("text/html")
        assert request(app_port, "/api/v1/search?q=" + "a" * 7900)[0] == 200
    finally:
        node.stop()
    node = gunicorn(registry_env(tmp_path, database_url, app_port, REGISTRY_PROXY_COUNT=1,
                                 REGISTRY_BASE_URL=f"https://{SITE}"), app_port,
                    log=tmp_path / "gunicorn.log")
    proxy = nginx(tmp_path / "nginx", shipped_site(http_port, https_port, app_port, cert, key),
                  [http_port, https_port])
    try:
        wait_for_port(https_port, proxy.process)
        for length in (8050, 8150, 8190, 8191, 8200, 9000, 20000):
            for prefix in ("/api/v1/search?q=", "/api/v1/agencies/", "/api/v1/nope/"):
                answer = request(https_port, long_address(prefix, length), headers={
                    "Host": SITE}, tls=True)
                assert_json_too_long(*answer)
            status, headers, body = request(https_port, long_address("/en/search?q=", length),
                                            headers={"Host": SITE}, tls=True)
            assert status == 414 and headers["Content-Type"].startswith("text/html"), length
        # HTTP/2 has no request line: nginx measures the address itself.
        for length in (8150, 9000):
            result = subprocess.run(
                ["curl", "--silent", "--insecure", "--http2", "--resolve",
                 f"{SITE}:{https_port}:127.0.0.1", "--write-out",
                 "\\n%{http_version} %{http_code} %{content_type}",
                 f"https://{SITE}:{https_port}" + long_address("/api/v1/search?q=", length)],
                capture_output=True, text=True, timeout=30)
            body, _, outcome = result.stdout.rpartition("\n")
            assert outcome == "2 414 application/json", (outcome, result.stderr)
            assert json.loads(body)["error"]["code"] == "too_large"
        log = (tmp_path / "gunicorn.log").read_text()
        assert "URI Too Long" not in log and "LimitRequestLine" not in log
    finally:
        proxy.stop()
        node.stop()


def officer_with_app(email):
    """An approver with their own password and an enrolled authenticator app."""
    from registry.services import users
    user = users.create_user(email, "approver", PASSWORD, "test")
    user.must_change_password = False
    user.totp_secret, user.totp_enrolled = pyotp.random_base32(), True
    db.session.commit()
    return pyotp.TOTP(user.totp_secret)


def wait_until(check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def api(port, path):
    status, _, body = request(port, path)
    assert status == 200, (path, status, body[:200])
    return json.loads(body)


def test_two_nodes_one_database(app, load, database_url, tmp_path):
    """Two web nodes, each with its own index, one database and one signing key: a sanction
    approved on A shows on B within 5 s; B killed while A writes catches up on restart with
    nothing lost or doubled; receipts from either node check against the one public key."""
    load(agencies=[agency_row("KH-N-1", "Twin Node Agency")],
         sanctions=[{"licence_number": "KH-N-1", "kind": "suspension",
                     "decided_on": "2026-01-05", "decision_ref": "Prakas 12/2026"}])
    with app.app_context():
        totp = officer_with_app("approver@m.example")
        sanction_id = db.session.scalars(select(Sanction.id)).one()
    key = tmp_path / "shared-signing-key.pem"
    ports = {"a": free_port(), "b": free_port()}

    def start(name):
        env = registry_env(tmp_path / name, database_url, ports[name],
                           REGISTRY_SIGNING_KEY_FILE=key, REGISTRY_OUTBOX_POLL_SECONDS=0.3,
                           REGISTRY_INSECURE_COOKIES=1)
        return gunicorn(env, ports[name], workers=1, log=tmp_path / f"{name}.log")

    nodes = {name: start(name) for name in ports}
    try:
        assert api(ports["b"], "/api/v1/agencies/KH-N-1")["status"] == "licensed"
        officer = Browser(ports["a"])
        officer.get("/admin/login")
        status, _, _ = officer.post("/admin/login", {"email": "approver@m.example",
                                                     "password": PASSWORD, "code": totp.now()})
        assert status == 302
        officer.get(f"/admin/sanctions/{sanction_id}")
        status, _, _ = officer.post(f"/admin/sanctions/{sanction_id}/approve", {"version": 1})
        assert status == 302
        approved = time.monotonic()
        shown = wait_until(lambda: api(ports["b"], "/api/v1/agencies/KH-N-1")["status"]
                           == "suspended"
                           and api(ports["b"], "/api/v1/search?q=twin&status=suspended")
                           ["total"] == 1, 5)
        assert shown - approved < 5

        def new_agency(i):
            officer.get("/admin/agencies/new")
            status, _, _ = officer.post("/admin/agencies/new", {
                "name_en": f"Written While Down {i}", "licence_number": f"KH-W-{i:04d}",
                "issued_on": "2025-01-01", "expires_on": "2030-01-01", "province": ""})
            assert status == 302

        new_agency(0)
        nodes["b"].kill()  # SIGKILL: no clean shutdown
        for i in range(1, 6):
            new_agency(i)
        nodes["b"] = start("b")
        wait_until(lambda: api(ports["b"], "/api/v1/search?q=written+while+down")["total"]
                   == 6, 10)
        for i in range(6):
            found = api(ports["b"], f"/api/v1/search?q=KH-W-{i:04d}")
            assert found["total"] == 1, (i, found)
        assert api(ports["b"], "/readyz")["status"] == "ready"

        receipts = [api(ports[name], "/api/v1/verify?licence=KH-N-1")["reference"]
                    for name in ("a", "b")]
        pems = {request(ports[name], "/verify/public-key.pem")[2] for name in ports}
        assert len(pems) == 1
        public = serialization.load_pem_public_key(pems.pop())
        with app.app_context():
            for reference in receipts:
                record = db.session.scalars(select(Verification).where(
                    Verification.reference == reference)).one()
                public.verify(base64.b64decode(record.signature), canonical(record.answer))
    finally:
        for node in nodes.values():
            node.stop()


def test_the_shipped_systemd_unit_is_valid(tmp_path):
    """systemd's own checker on deploy/registry.service (with this machine's binaries and
    user in place of the server's)."""
    binary = shutil.which("systemd-analyze")
    assert binary, "systemd-analyze is required: apt-get install systemd"
    unit = (ROOT / "deploy" / "registry.service").read_text()
    for old, new in (("/srv/registry/venv/bin/gunicorn", shutil.which("true")),
                     ("User=registry", "User=root"), ("Group=registry", "Group=root")):
        assert old in unit
        unit = unit.replace(old, new)
    (tmp_path / "registry.service").write_text(unit)
    result = subprocess.run([binary, "verify", str(tmp_path / "registry.service")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
