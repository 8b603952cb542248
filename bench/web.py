"""Throughput of the public pages and API under gunicorn, against a bare Flask page in the same run.

Usage: python bench/web.py [--sizes seed 100000] [--complaints-per-agency 10] [--seconds 10]
                           [--keep DIR] [--only TEXT]

For each size: builds a registry in a temporary folder (`seed`: the demo data through
`flask seed`; a number: that many generated agencies, bench/synthetic.py, loaded in bulk as
bench/search.py does, with complaints added until there are --complaints-per-agency times as
many complaints as agencies, then the search index built), starts the registry and a
hello-world Flask app (one Jinja template) under the same gunicorn (2 sync workers each), and
drives every address with wrk (1 thread, 8 connections) for --seconds after a short warm-up,
one server at a time. The baseline is measured before and after the registry's addresses; the
ratio uses their mean. Revalidation (304) sends the ETag of a first answer in If-None-Match.
The regulators' dashboard is timed in-process through the test client after a real sign-in
(password and authenticator code): viewed once, then the first view after each of 20 changes
to the record (a sanction drafted; median, p95 and worst), then 30 views.

Prints a markdown table: requests/s, ratio to the hello-world page, p50 and p99 latency, and
the goal of issue 10 (same run, same gunicorn, ratio to the hello-world page).
"""
import argparse
import csv
import itertools
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
VENV_BIN = Path(sys.executable).parent

HELLO_APP = '''
import secrets
import sqlite3
from flask import Flask, jsonify, render_template
app = Flask(__name__)

@app.get("/")
def hello():
    return render_template("hello.html", name="world")

# The floor of a page that keeps what it answered: one row written and committed (sqlite3,
# WAL, its default synchronous=FULL, as the registry's SQLite) before the answer.
db = sqlite3.connect("hello.sqlite3", isolation_level=None, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA busy_timeout=10000")
db.execute("CREATE TABLE IF NOT EXISTS receipt (id INTEGER PRIMARY KEY, reference TEXT UNIQUE)")

@app.get("/write")
def write():
    reference = secrets.token_hex(8)  # 32 bits met a kept table's rows: a 500, wrk failed
    db.execute("INSERT INTO receipt (reference) VALUES (?)", (reference,))
    return jsonify(reference=reference)
'''
HELLO_TEMPLATE = ("<!doctype html><html lang=en><title>Hello</title>"
                  "<p>Hello, {{ name }}!</p></html>")

#: (label, goal for seed data, goal at 100k) as ratios to the hello-world page.
GOALS = {
    "agency page (en)": (0.40, 0.35), "agency page (km)": (0.40, 0.35),
    "search page": (0.30, 0.25), "API search": (0.45, 0.40), "API agency": (0.50, 0.45),
    "agency page, revalidated (304)": (0.80, 0.80), "search page, revalidated (304)": (0.80, 0.80),
    "API agency, revalidated (304)": (0.80, 0.80), "verify (writes a receipt)": (0.25, 0.25),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 sync workers, as deploy/registry.service runs the registry."""

    def __init__(self, app, cwd, env):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", app], cwd=cwd, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/favicon.ico", timeout=5)
                return
            except urllib.error.HTTPError:
                return  # the hello app has no favicon: it answered
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{app} did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def wrk(url, seconds, headers=(), script=None):
    """(requests/s, p50 ms, p99 ms) from wrk; refuses a run with errors or non-2xx/3xx."""
    extra = list(itertools.chain.from_iterable(("-H", h) for h in headers))
    extra += ["-s", str(script)] if script else []
    for run in (["-d2s"], [f"-d{seconds}s", "--latency"]):  # a warm-up, then the measure
        done = subprocess.run(["wrk", "-t1", "-c8", *run, *extra, url], capture_output=True,
                              text=True)
        out = done.stdout
        if done.returncode or "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"{url}: wrk exited {done.returncode}\n{out}{done.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, latency(out, "50%"), latency(out, "99%")


def latency(out, label):
    value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def etag_of(url):
    with urllib.request.urlopen(url) as response:
        return response.headers["ETag"]


# -- building a registry -------------------------------------------------------------------------

def build(size, folder, per_agency):
    """A registry in `folder` (database and index): (the app on it, its counts)."""
    from flask_migrate import upgrade

    from registry import create_app
    from registry import search as registry_search

    # In-process only to build and to time the dashboard: no CSRF tokens to scrape.
    app = create_app(config(folder) | {"WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        if size == "seed":
            app.test_cli_runner().invoke(args=["seed"])
        else:
            load_generated(int(size), folder / "csv", per_agency)
            registry_search.rebuild()
    (folder / "built").touch()
    return opened(folder, app)


def opened(folder, app=None):
    """The app on a built registry, and how many agencies, complaints and sanctions it holds."""
    from flask_migrate import upgrade

    from registry import create_app
    from registry.extensions import db

    app = app or create_app(config(folder) | {"WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()  # a registry kept from an earlier run, brought to this code's schema
        counts = {name: db.session.scalar(db.text(f"SELECT count(*) FROM {name}"))
                  for name in ("agency", "complaint", "sanction")}
    return app, counts


def load_generated(size, csv_folder, per_agency):
    import search as bench_search  # bench/search.py: the bulk path its benchmark uses
    import synthetic
    from registry.extensions import db
    from registry.models import Complaint, Licence

    synthetic.write_registry(csv_folder, size, seed=7, reference_date=date.today())
    complaints = list(csv.DictReader(open(csv_folder / "complaints.csv", encoding="utf-8")))
    os.remove(csv_folder / "complaints.csv")
    bench_search.bulk_load(csv_folder)
    agency_of = dict(db.session.execute(db.select(Licence.number, Licence.agency_id)).all())
    wanted, rows = size * per_agency, []
    # The generator's complaints, repeated until there are enough: their spread over agencies
    # (a few agencies draw most complaints) stays as generated.
    for copy in itertools.count():
        for c in complaints:
            if len(rows) == wanted:
                break
            rows.append({
                "case_ref": f"{c['case_ref']}-{copy}", "agency_id": agency_of[c["licence_number"]],
                "received_on": date.fromisoformat(c["received_on"]), "category": c["category"],
                "destination": c["destination"], "status": c["status"], "version": 1,
                "workers_affected": int(c["workers_affected"]) if c["workers_affected"] else None,
                "compensation_amount": c["compensation_amount"] or None,
                "compensation_currency": c["currency"],
                "closed_on": date.fromisoformat(c["closed_on"]) if c["closed_on"] else None})
        else:
            continue
        break
    for start in range(0, len(rows), 20000):
        db.session.execute(db.insert(Complaint), rows[start:start + 20000])
    db.session.commit()


def config(folder):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/registry.sqlite3",
            "REGISTRY_INDEX_DIR": str(folder / "index")}


def sample_agency(app):
    """A suspended agency with sanctions and a median number of complaints among agencies that
    have complaints: a page with something in every section, neither empty nor extreme."""
    from registry.extensions import db
    from registry.services import agencies

    with app.app_context():
        counts = db.session.execute(db.text(
            "SELECT agency_id, count(*) AS n FROM complaint GROUP BY agency_id ORDER BY n")).all()
        median = counts[len(counts) // 2][1]
        for agency_id, n in counts:
            if n < median:
                continue
            agency = agencies.get_many([agency_id])[0]
            if agencies.status_of(agency).code == "suspended":
                return agency.licence_number, n
    raise RuntimeError("no suspended agency with complaints")


#: Each request asks for one of these pages at random (wrk's Lua), so a page is rendered unless
#: a worker kept it from an earlier request.
RANDOM_PAGES = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


def random_agencies(app, folder, count=20000):
    """A wrk script for the English pages of up to `count` agencies at random (their current
    licence numbers), and how many: what a broadcast's viewers do, each checking their own."""
    from registry.extensions import db

    with app.app_context():
        numbers = db.session.scalars(db.text(
            "SELECT l.number FROM licence l JOIN (SELECT agency_id, max(issued_on) AS newest "
            "FROM licence GROUP BY agency_id) x ON x.agency_id = l.agency_id "
            "AND l.issued_on = x.newest ORDER BY l.id")).all()
    numbers = numbers[::max(1, len(numbers) // count)][:count]
    paths, script = folder / "random-agencies.txt", folder / "random-agencies.lua"
    paths.write_text("".join(f"/en/agencies/{n}\n" for n in numbers))
    script.write_text(RANDOM_PAGES % paths)
    return script, len(numbers)


# -- measuring -----------------------------------------------------------------------------------

def measure(size, args):
    if args.keep:  # built once, measured again (building 100k agencies takes minutes)
        folder = Path(args.keep) / f"web-{size}"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-web-{size}-"))
    started = time.perf_counter()
    kept = (folder / "built").exists()
    if kept:
        app, counts = opened(folder)
    else:
        app, counts = build(size, folder, args.complaints_per_agency)
    built = None if kept else time.perf_counter() - started
    licence, complaints = sample_agency(app)
    hello_dir = folder / "hello"
    (hello_dir / "templates").mkdir(parents=True, exist_ok=True)
    (hello_dir / "hello.py").write_text(HELLO_APP)
    (hello_dir / "templates" / "hello.html").write_text(HELLO_TEMPLATE)
    env = {**os.environ, "REGISTRY_INSTANCE_DIR": str(folder),
           "REGISTRY_DATABASE_URL": config(folder)["SQLALCHEMY_DATABASE_URI"],
           "REGISTRY_INDEX_DIR": str(folder / "index"), **{
               f"REGISTRY_LIMIT_{name}": "1000000 per minute"
               for name in ("SEARCH", "VERIFY", "OPEN_DATA")}}
    rows = []

    def hello_run(writes=False):
        server = Gunicorn("hello:app", hello_dir, env)
        try:
            return (wrk(server.base + "/", args.seconds),
                    wrk(server.base + "/write", args.seconds) if writes else None)
        finally:
            server.stop()

    first, writing = hello_run(writes=args.only in "verify (writes a receipt)")
    server = Gunicorn("wsgi:app", ROOT, env)
    try:
        base = server.base
        agency = f"/en/agencies/{licence}"
        plain = [("agency page (en)", agency), ("agency page (km)", f"/km/agencies/{licence}"),
                 ("search page", "/en/search?q=manpower"),
                 ("API search", "/api/v1/search?q=manpower"),
                 ("API agency", f"/api/v1/agencies/{licence}"),
                 ("verify (writes a receipt)", f"/api/v1/verify?licence={licence}")]
        for label, path in plain:
            if args.only in label:
                rows.append((label, path, wrk(base + path, args.seconds)))
        script, many = random_agencies(app, folder)
        label = f"agency pages, {many:,} agencies at random (rendered unless kept)"
        if args.only in label:
            rows.append((label, "/en/agencies/…", wrk(base + "/", args.seconds, script=script)))
        for label, path in (("agency page, revalidated (304)", agency),
                            ("search page, revalidated (304)", "/en/search?q=manpower"),
                            ("API agency, revalidated (304)", f"/api/v1/agencies/{licence}")):
            if args.only not in label:
                continue
            tag = etag_of(base + path)
            rows.append((label, path, wrk(base + path, args.seconds, [f"If-None-Match: {tag}"])))
    finally:
        server.stop()
    last, _ = hello_run()
    hello = (first[0] + last[0]) / 2
    dashboard = time_dashboard(app) if args.only in "regulators' dashboard" else None
    return {"size": size, "counts": counts, "built": built, "licence": licence,
            "complaints": complaints, "hello": (first, last, hello), "writing": writing,
            "rows": rows, "dashboard": dashboard}


#: How many changes and later views the dashboard is timed over (report's labels say them).
CHANGES, VIEWS = 20, 30


def time_dashboard(app, changes=CHANGES, views=VIEWS):
    """The dashboard signed in as an approver (ms), in a warm process (viewed once first, as a
    running server has been): the first view after each of `changes` changes to the record
    (a sanction drafted: everything counted afresh), its median, p95 and worst, then p50 and
    p95 of `views` views after the last change."""
    import pyotp
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Agency, User
    from registry.services import sanctions, users

    password = "a long bench passphrase"
    with app.app_context():
        if not db.session.scalar(select(User.id).where(User.email == "bench@example.org")):
            users.create_user("bench@example.org", "approver", password,
                              actor="bench").must_change_password = False
            db.session.commit()
    client = app.test_client()
    site = {"base_url": os.environ["REGISTRY_BASE_URL"]}  # its host is the trusted one
    client.post("/admin/login", data={"email": "bench@example.org", "password": password},
                **site)
    client.get("/admin/second-factor", **site)
    with app.app_context():
        secret = db.session.scalars(select(User.totp_secret).where(
            User.email == "bench@example.org")).one()
    client.post("/admin/second-factor", data={"code": pyotp.TOTP(secret).now()}, **site)

    def view():
        started = time.perf_counter()
        response = client.get("/admin/", **site)
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - started) * 1000

    view()
    firsts = []
    for _ in range(changes):
        with app.app_context():
            bench_user = db.session.scalars(select(User).where(
                User.email == "bench@example.org")).one()
            sanctions.draft(db.session.get(Agency, 1), {
                "kind": "warning", "decided_on": date.today(), "effective_from": date.today(),
                "effective_to": None, "amount": None, "currency": "", "paid": None,
                "reason_en": "bench/web.py", "reason_km": "", "reason_my": "",
                "decision_ref": f"bench {secrets.token_hex(6)}"}, bench_user)
        firsts.append(view())
    rest = sorted(view() for _ in range(views))
    firsts.sort()
    return firsts[len(firsts) // 2], p95(firsts), firsts[-1], rest[len(rest) // 2], p95(rest)


def p95(ordered):
    """The nearest-rank 95th percentile of sorted values (of 20: the second largest)."""
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def how_built(seconds):
    return "built earlier" if seconds is None else f"built in {seconds:.0f} s"


def report(result):
    size, counts = result["size"], result["counts"]
    big = size != "seed"
    print(f"\n### {'demo data' if not big else f'{int(size):,} agencies'}: "
          f"{counts['agency']:,} agencies, {counts['complaint']:,} complaints, "
          f"{counts['sanction']:,} sanctions ({how_built(result['built'])})\n")
    print(f"Sample agency {result['licence']}: suspended, {result['complaints']} complaints.\n")
    first, last, hello = result["hello"]
    print("| endpoint | req/s | × hello-world | p50 ms | p99 ms | goal | met |")
    print("|---|---:|---:|---:|---:|---:|:-:|")
    print(f"| hello-world Flask page (before / after) | {first[0]:,.0f} / {last[0]:,.0f} | 1.00 "
          f"| {first[1]:.2f} | {first[2]:.2f} | | |")
    writing = result["writing"]
    if writing:
        print(f"| hello-world page that writes a row (sqlite3, WAL) | {writing[0]:,.0f} | "
              f"{writing[0] / hello:.2f} | {writing[1]:.2f} | {writing[2]:.2f} | | |")
    for label, _, (rate, p50, p99) in result["rows"]:
        ratio = rate / hello
        if label not in GOALS:  # measured for what it tells, with no goal of its own
            print(f"| {label} | {rate:,.0f} | {ratio:.2f} | {p50:.2f} | {p99:.2f} | | |")
            continue
        goal = GOALS[label][1 if big else 0]
        print(f"| {label} | {rate:,.0f} | {ratio:.2f} | {p50:.2f} | {p99:.2f} | ≥ {goal:.2f} "
              f"| {'yes' if ratio >= goal else 'NO'} |")
    if result["dashboard"] is None:
        return
    first, first_p95, worst, p50, later_p95 = result["dashboard"]
    goal = 300 if big else 50
    print(f"| regulators' dashboard (in-process), first view after each of {CHANGES} changes "
          f"(median / p95; worst) | | | {first:.1f} | p95 {first_p95:.1f}; worst {worst:.1f} "
          f"| p95 ≤ {goal} ms | {'yes' if first_p95 <= goal else 'NO'} |")
    print(f"| regulators' dashboard (in-process), {VIEWS} views after it | | | {p50:.1f} "
          f"| p95 {later_p95:.1f} | p95 ≤ {goal} ms | {'yes' if later_p95 <= goal else 'NO'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["seed", "100000"])
    parser.add_argument("--complaints-per-agency", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--keep", metavar="DIR", help="build each registry in DIR/web-<size> "
                        "once, and measure an existing one there again")
    parser.add_argument("--only", default="", metavar="TEXT",
                        help="measure only the rows whose label holds TEXT (and the baseline)")
    args = parser.parse_args()
    os.environ.update(REGISTRY_SECRET_KEY="bench" * 8, REGISTRY_BASE_URL="http://127.0.0.1:5000")
    print(f"bench/web.py on {os.cpu_count()} cores, {date.today()}; wrk -t1 -c8 "
          f"-d{args.seconds}s; gunicorn --workers 2 (sync) for both apps")
    for size in args.sizes:
        report(measure(size, args))


if __name__ == "__main__":
    main()
