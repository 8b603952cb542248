"""Page weight and latency of the public pages on the demo registry.

Usage: python bench/pages.py [--requests N]
Builds a fresh SQLite registry from seed/ in a temporary folder, then prints, for each page,
its size raw and gzip-compressed (DESIGN target: <= 40 KB compressed without fonts) and the
latency p50/p95 through the WSGI test client (no network), plus the time the seed took.
"""
import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="registry-bench-")
    os.environ.update(REGISTRY_INSTANCE_DIR=tmp, REGISTRY_SECRET_KEY="bench" * 8,
                      REGISTRY_BASE_URL="http://127.0.0.1:5000")
    from flask_migrate import upgrade

    from registry import create_app
    from registry.cli import seed_command

    app = create_app()
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    app.test_cli_runner().invoke(seed_command)
    seed_seconds = time.perf_counter() - started
    client = app.test_client()
    some = client.get("/api/v1/search?q=&status=suspended&limit=1").json["results"][0]
    lic = some["licence_number"]
    pages = ["/en/", "/km/", "/my/", "/en/search?q=angkor", "/km/search?q=អង្គរ",
             "/en/search?q=&page=3", f"/en/agencies/{lic}", f"/km/agencies/{lic}",
             f"/my/agencies/{lic}", "/en/verify", f"/api/v1/agencies/{lic}",
             "/api/v1/search?q=angkor", "/static/css/site.css"]
    print(f"seed: {seed_seconds:.1f} s; {args.requests} requests per page\n")
    print(f"{'page':42} {'bytes':>8} {'gzip':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for page in pages:
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get(page)
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (page, response.status_code)
        body = response.data
        print(f"{page[:42]:42} {len(body):8d} {len(gzip.compress(body)):7d} "
              f"{percentile(times, 50):7.1f} {percentile(times, 95):7.1f}")


if __name__ == "__main__":
    main()
