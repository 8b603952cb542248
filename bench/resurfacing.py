"""What the dashboard and an agency page pay for agencies that resurface, after a change.

Usage: python bench/resurfacing.py SQLITE_OR_POSTGRESQL_URL [--rounds 3]

Opens an existing registry (bench/web.py --keep builds one; work on a copy: nothing is
written, but start-up may catch the search index up) and times, in-process, each round as
a count afresh (the kept answers forgotten, as when the day turns or a worker starts; after a
change they are caught up instead, which bench/web.py times): the dashboard's whole-record
figures, its pairs (the newest 100 and how many), and one agency's links (an agency on the
newest pair, the same whichever code runs).
Prints a markdown table of milliseconds, best and worst round.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: What the app keeps under these names (audit.kept_until_changed), forgotten each round.
KEPT = ("registry_dashboard", "registry_pairs")


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def measure(app, rounds):
    from registry.extensions import db
    from registry.services import agencies, dashboard, resurfacing

    rows = {"dashboard figures": [], "dashboard pairs (newest 100 and the count)": [],
            "links_of one agency": [], "links_of one agency, again": []}
    with app.app_context():
        newest = resurfacing.pair_keys(agencies.today())[0]
        for _ in range(rounds):
            for name in KEPT:
                app.extensions.pop(name, None)
            db.session.expire_all()
            rows["dashboard figures"].append(timed(dashboard.figures)[1])
            rows["dashboard pairs (newest 100 and the count)"].append(timed(lambda: (
                resurfacing.all_pairs(limit=100),
                resurfacing.pair_count(agencies.today())))[1])
            for name in KEPT:
                app.extensions.pop(name, None)
            agency = agencies.get_many([newest[0]])[0]
            links, took = timed(lambda: resurfacing.links_of(agency))
            rows["links_of one agency"].append(took)
            rows["links_of one agency, again"].append(
                timed(lambda: resurfacing.links_of(agency))[1])
        pairs = resurfacing.pair_count(agencies.today())
        flagged = len(resurfacing.flagged())
    return rows, pairs, flagged, len(links)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from registry import create_app
    with tempfile.TemporaryDirectory() as index:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": args.url,
                          "REGISTRY_INDEX_DIR": index})
        rows, pairs, flagged, links = measure(app, args.rounds)
    print(f"{flagged} flagged agencies, {pairs} pairs; the agency timed has {links} links\n")
    print("| first call after a change | best ms | worst ms |\n|---|---:|---:|")
    for name, times in rows.items():
        print(f"| {name} | {min(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
