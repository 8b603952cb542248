"""Real servers for the deployment tests: gunicorn running the app, Redis, nginx, each started
from Debian's or the virtualenv's binaries on a free loopback port, stopped afterwards."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


#: {port: socket} handed out by free_port and held bound (never listening) until a server
#: is started on them (release): `make test` runs the SQLite and PostgreSQL suites side by
#: side, and a port merely seen free could meanwhile go to a server of the other run, whose
#: answers a test would then take for its own server's.
_held = {}


def free_port():
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    port = held.getsockname()[1]
    _held[port] = held
    return port


def release(*ports):
    for port in ports:
        held = _held.pop(port, None)
        if held is not None:
            held.close()


def wait_for_port(port, process, seconds=60, host="127.0.0.1"):
    """Until `process` (or a process of its session) listens on `port`. Another process
    listening there is an error: a test must never talk to a server it did not start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pass
        except OSError:
            time.sleep(0.1)
            continue
        if not session_listens(process.pid, port):
            raise RuntimeError(f"port {port} is another process's, not {process.args[0]}'s")
        return
    raise TimeoutError(f"nothing listens on {host}:{port}")


def session_listens(session, port):
    """Whether a process of `session` (Server starts each in a session of its own, whose id
    is its pid) holds a TCP socket listening on `port` (Linux's /proc)."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                sockets.add(f"socket:[{fields[9]}]")
    for folder in Path("/proc").iterdir():
        try:
            if not folder.name.isdigit() or os.getsid(int(folder.name)) != session:
                continue
            if any(os.readlink(fd) in sockets for fd in (folder / "fd").iterdir()):
                return True
        except OSError:  # a process that ended meanwhile
            continue
    return False


def request(port, path, method="GET", headers=None, body=None, source="127.0.0.1",
            host="127.0.0.1", tls=False):
    """(status, headers, body bytes) of one request, from a chosen loopback address."""
    kind = http.client.HTTPSConnection if tls else http.client.HTTPConnection
    extra = {}
    if tls:
        import ssl
        extra["context"] = ssl._create_unverified_context()  # the test's self-signed cert
    conn = kind(host, port, timeout=30, source_address=(source, 0), **extra)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Server:
    """A child process, killed at the end (SIGTERM, then SIGKILL). Its log's end is printed
    when it stops: pytest shows it when the test fails (CI keeps no other copy)."""

    def __init__(self, args, env=None, cwd=None, log=None, ports=()):
        release(*ports)  # held by free_port until now
        self.log_path = log
        self.log = open(log, "ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        """SIGKILL: no clean shutdown."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self._close_log()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self):
        if self.log is not subprocess.DEVNULL and not self.log.closed:
            self.log.close()
            print(Path(self.log_path).read_text(errors="replace")[-20000:])


def registry_env(tmp, database_url, port, **extra):
    """The environment of a production node: the README's variables, nothing from tests."""
    tmp = Path(tmp)
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp),
           "REGISTRY_DATABASE_URL": database_url,
           "REGISTRY_SECRET_KEY": "n" * 64,
           "REGISTRY_BASE_URL": f"http://127.0.0.1:{port}",
           "REGISTRY_INSTANCE_DIR": str(tmp / "instance"),
           "REGISTRY_INDEX_DIR": str(tmp / "index"),
           "REGISTRY_CHECKPOINT_LOG": str(tmp / "audit-checkpoints.log")}
    return env | {k: str(v) for k, v in extra.items()}


def gunicorn(env, port, workers=2, gunicorn_bin=None, log=None, host="127.0.0.1"):
    """The README's gunicorn line, on `port`."""
    binary = gunicorn_bin or BIN / "gunicorn"
    # The test virtualenv's gunicorn runs this checkout's code, whichever checkout the
    # virtualenv's editable install names (a second worktree shares one virtualenv).
    code = [] if gunicorn_bin else ["--pythonpath", str(ROOT)]
    Path(env["REGISTRY_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    server = Server([str(binary), "--workers", str(workers), "--timeout", "60",
                     "--limit-request-line", "8190", *code,
                     "--bind", f"{host}:{port}", "registry:create_app()"],
                    env=env, cwd=env["REGISTRY_INSTANCE_DIR"], log=log, ports=[port])
    wait_for_port(port, server.process, host=host)
    return server


def redis(tmp):
    binary = shutil.which("redis-server")
    # No skip: CI installs Debian's redis-server (.ci/run).
    assert binary, "Debian's redis-server is required: apt-get install redis-server"
    port = free_port()
    server = Server([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", str(tmp)], ports=[port])
    wait_for_port(port, server.process)
    return server, f"redis://127.0.0.1:{port}/0"


def self_signed_certificate(folder, host):
    """A certificate and key for `host`, made here (cryptography), for nginx's TLS."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def nginx(tmp, site_conf, ports):
    """Debian's nginx with the shipped site configuration (listening on `ports`), in a prefix
    of its own."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    # No skip: CI installs Debian's nginx (.ci/run).
    assert Path(binary).exists(), "Debian's nginx is required: apt-get install nginx"
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "site.conf").write_text(site_conf)
    temp_paths = "\n".join(f"  {kind}_temp_path {tmp}/{kind};" for kind in (
        "client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"{temp_paths}\n  include {tmp}/site.conf;\n}}\n")
    check = subprocess.run([binary, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return Server([binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g",
                   "daemon off;"], ports=ports)


class Browser:
    """Enough of a browser for the admin forms over real HTTP: one session cookie, the CSRF
    token of the page last read."""

    def __init__(self, port):
        self.port, self.cookie, self.token = port, "", ""

    def _remember(self, headers, body):
        cookie = headers.get("Set-Cookie", "")
        if cookie.startswith("session="):
            self.cookie = cookie.split(";")[0]
        found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        if found:
            self.token = found.group(1).decode()

    def get(self, path):
        status, headers, body = request(self.port, path, headers={"Cookie": self.cookie})
        self._remember(headers, body)
        return status, headers, body

    def post(self, path, fields):
        form = urlencode({"csrf_token": self.token, **fields}).encode()
        status, headers, body = request(
            self.port, path, method="POST", body=form,
            headers={"Cookie": self.cookie,
                     "Content-Type": "application/x-www-form-urlencoded"})
        self._remember(headers, body)
        return status, headers, body
