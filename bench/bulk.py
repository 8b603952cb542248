"""How long an ad desk's bulk check takes, against the same numbers checked one by one.

Usage: python bench/bulk.py [--sizes 1 100 500]
Loads the demo registry (registry/seed/KH) into a fresh SQLite database, then for each size
sends that many numbers (licence numbers, declared phones and unknown numbers, mixed) to
POST /api/v1/verify/batch, and, as the baseline in the same run, the same numbers one at a time
to GET /api/v1/verify. Prints seconds, milliseconds per number, the answer's size and the
ratio. Every number gets a signed receipt either way; the bulk check adds one for the list.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BASE = "http://127.0.0.1:5000"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 500])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    os.environ.update(REGISTRY_SECRET_KEY="bench" * 8, REGISTRY_BASE_URL=BASE,
                      REGISTRY_INSTANCE_DIR=str(folder))
    from flask_migrate import upgrade
    from sqlalchemy import select

    from registry import create_app
    from registry.extensions import db
    from registry.models import Channel, Licence

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/registry.sqlite3",
                      "REGISTRY_INDEX_DIR": str(folder / "index"), "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    app.test_cli_runner().invoke(args=["seed"])
    with app.app_context():
        licences = [lic.number for lic in db.session.scalars(select(Licence))]
        phones = [c.value for c in db.session.scalars(select(Channel).where(
            Channel.kind == "phone"))]
    client = app.test_client()
    print(f"{'numbers':>8} {'bulk s':>8} {'ms/number':>10} {'answer KB':>10} "
          f"{'one by one s':>13} {'× faster':>9}")
    for size in args.sizes:
        # A third each: licence numbers, declared phones, numbers the registry does not hold.
        asked = [(("licence", licences[i % len(licences)]), ("phone", phones[i % len(phones)]),
                  ("licence", f"KH-NONE-{i}"))[i % 3] for i in range(size)]
        start = time.perf_counter()
        response = client.post("/api/v1/verify/batch", json={"items": [t for _, t in asked]},
                               base_url=BASE)
        bulk = time.perf_counter() - start
        assert response.status_code == 201, response.get_data(as_text=True)
        start = time.perf_counter()
        for kind, text in asked:
            assert client.get("/api/v1/verify", query_string={kind: text},
                              base_url=BASE).status_code == 200
        single = time.perf_counter() - start
        print(f"{size:>8} {bulk:>8.2f} {bulk / size * 1000:>10.2f} "
              f"{len(response.data) / 1024:>10.1f} {single:>13.2f} {single / bulk:>9.2f}")


if __name__ == "__main__":
    main()
