"""How fast the CSV import runs, to size the web upload's limit (REGISTRY_MAX_UPLOAD_ROWS).

Usage: python bench/import.py [--sizes 500 2000]
For each size, generates a synthetic registry of that many agencies (bench/synthetic.py: with
their licences, representatives, sanctions and complaints), imports it through the service
the upload and the command line use (all checks, audit entries, one transaction) into a fresh
SQLite database, and prints rows per second and what that means for the web upload's limit
and for a 200,000-row file, against gunicorn's 60 s timeout in deploy/registry.service.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from synthetic import write_registry  # noqa: E402 - beside this file

TIMEOUT = 60


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    args = parser.parse_args()
    os.environ.update(REGISTRY_SECRET_KEY="bench" * 8, REGISTRY_BASE_URL="http://127.0.0.1:5000")
    from flask_migrate import upgrade

    from registry import create_app
    from registry.services.agencies import profile
    from registry.services.import_rows import count_rows
    from registry.services.imports import import_folder

    print(f"{'agencies':>9} {'rows':>7} {'seconds':>8} {'rows/s':>7} "
          f"{'5,000 rows':>11} {'200,000 rows':>13}")
    for size in args.sizes:
        work = tempfile.mkdtemp(prefix=f"registry-import-{size}-")
        os.environ["REGISTRY_INSTANCE_DIR"] = work
        write_registry(f"{work}/data", size)
        rows = count_rows(f"{work}/data")
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/registry.sqlite3",
                          "REGISTRY_INDEX_DIR": f"{work}/index"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            import_folder(f"{work}/data", profile(), "bench")
            seconds = time.perf_counter() - started
        rate = rows / seconds
        print(f"{size:>9} {rows:>7} {seconds:>8.1f} {rate:>7.0f} {5000 / rate:>10.1f}s "
              f"{200000 / rate:>12.0f}s")
    print(f"\ngunicorn --timeout {TIMEOUT} s: the web upload must stay well under it; "
          "larger files go through `flask --app registry import`.")


if __name__ == "__main__":
    main()
