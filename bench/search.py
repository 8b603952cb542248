"""Search benchmark: the registry's search against Whoosh's default analyzer and SQLite FTS5.

Usage: python bench/search.py [--sizes 10000 100000] [--queries 600] [--seed 7]

For each size: generates a fictional registry (bench/synthetic.py) with the agencies of the
labelled set (bench/queries.json) added, loads it into a fresh SQLite database, builds the
registry's index with its own indexer (registry.search, the code the app runs), and builds
the two baselines over the same names, aliases, licence numbers and phones:
- Whoosh with its default StandardAnalyzer (a TEXT field; the query's tokens ANDed);
- SQLite FTS5 with its default unicode61 tokenizer (the query's words as ANDed strings).
Then prints index build time and size, latency p50/p95/p99 over a mix of Latin, Khmer,
Burmese, misspelt, licence and phone queries drawn from the data, and recall@3 and MRR on the
labelled set. Zawgyi queries are converted before any engine sees them, as the app's doors do.

The load is a bulk path for the benchmark only: rows are read and checked by the import's own
reader, then inserted without audit entries; complaints are left out (nothing searches them).
"""
import argparse
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
LABELLED = HERE / "queries.json"
TOP = 20


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def folder_size(path):
    path = Path(path)
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files)


# -- data ----------------------------------------------------------------------------------------

def write_data(folder, size, seed, labelled):
    import csv

    import synthetic
    synthetic.write_registry(folder, size, seed=seed, reference_date=date.today())
    os.remove(Path(folder) / "complaints.csv")
    with open(Path(folder) / "agencies.csv", "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        header = synthetic.HEADERS["agencies"].split(",")
        for agency in labelled["agencies"]:
            writer.writerow([agency.get(column, "") for column in header])


def bulk_load(folder):
    """Agencies, licences, channels, representatives and sanctions as the import stores them."""
    from registry.extensions import db
    from registry.models import Agency, Channel, Licence, Representative, Sanction
    from registry.normalise import channel_key, phone_key
    from registry.services.agencies import profile
    from registry.services.import_rows import read_folder
    from registry.services.imports import AGENCY_FIELDS, SANCTION_FIELDS, Planner

    region = profile().phone_region
    rows, problems = read_folder(folder, profile())
    plan = Planner(rows, problems, profile())
    plan.check_links()
    assert not problems, [str(p) for p in problems[:5]]
    agencies, licences, channels, by_key = [], [], [], {}
    for agency_id, (_, members) in enumerate(plan.groups, 1):
        newest = members[-1].values
        agencies.append({"id": agency_id, "version": 1,
                         **{f: newest[f] for f in AGENCY_FIELDS}})
        for row in members:
            v = row.values
            by_key[v["licence_number"]] = agency_id
            licences.append({"agency_id": agency_id, "number": v["licence_number_text"],
                             "number_key": v["licence_number"],
                             "issued_on": v["licence_issued_on"],
                             "expires_on": v["licence_expires_on"]})
        for kind, value in [("phone", p) for p in newest["phones"]] + newest["channels"]:
            channels.append({"agency_id": agency_id, "kind": kind, "value": value,
                             "lookup_key": channel_key(kind, value, region)})
    reps = [{"agency_id": by_key[v["licence_number"]], "name": v["name"],
             "id_number": v["id_number"] or None, "phone": v["phone"],
             "phone_key": phone_key(v["phone"], region), "province": v["province"],
             "authorised_from": v["authorised_from"], "authorised_to": v["authorised_to"]}
            for v in (r.values for r in rows["representatives.csv"])]
    sanctions = [{"agency_id": by_key[v["licence_number"]], "drafted_by": "bench", "version": 1,
                  **{f: v[f] for f in SANCTION_FIELDS}, "decision_ref": v["decision_ref"] or None,
                  "currency": v["currency"] or ("" if v["amount"] is None else profile().currency)}
                 for v in (r.values for r in rows["sanctions.csv"])]
    for model, values in ((Agency, agencies), (Licence, licences), (Channel, channels),
                          (Representative, reps), (Sanction, sanctions)):
        for start in range(0, len(values), 5000):
            db.session.execute(db.insert(model), values[start:start + 5000])
    db.session.commit()
    return len(agencies)


def agency_texts():
    """(agency id, [names and aliases], [licence numbers], [phones]) from the database."""
    from sqlalchemy.orm import selectinload

    from registry.extensions import db
    from registry.models import Agency
    query = db.select(Agency).options(selectinload(Agency.licences),
                                      selectinload(Agency.channels))
    for agency in db.session.scalars(query):
        names = [agency.name_en, agency.name_km, agency.name_my, *(agency.aliases or [])]
        yield (agency.id, [n for n in names if n], [lic.number for lic in agency.licences],
               [c.value for c in agency.channels if c.kind == "phone"])


# -- the two baselines ---------------------------------------------------------------------------

class WhooshDefault:
    name = "Whoosh StandardAnalyzer"

    def __init__(self, folder, texts):
        from whoosh import index
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import NUMERIC, TEXT, Schema
        self.analyzer = StandardAnalyzer()
        schema = Schema(agency_id=NUMERIC(stored=True), text=TEXT(analyzer=self.analyzer))
        os.makedirs(folder)
        self.ix = index.create_in(folder, schema)
        writer = self.ix.writer(limitmb=256)
        for agency_id, names, numbers, phones in texts:
            writer.add_document(agency_id=agency_id, text=" ".join(names + numbers + phones))
        writer.commit()
        self.searcher = self.ix.searcher()

    def search(self, text):
        from whoosh.query import And, Term
        tokens = [t.text for t in self.analyzer(text)]
        if not tokens:
            return []
        hits = self.searcher.search(And([Term("text", t) for t in tokens]), limit=TOP)
        return [hit["agency_id"] for hit in hits]


class Fts5:
    name = "SQLite FTS5 (unicode61)"

    def __init__(self, path, texts):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE VIRTUAL TABLE names USING fts5(text)")
        self.db.executemany("INSERT INTO names (rowid, text) VALUES (?, ?)",
                            ((agency_id, " ".join(names + numbers + phones))
                             for agency_id, names, numbers, phones in texts))
        self.db.commit()

    def search(self, text):
        words = ['"' + w.replace('"', '""') + '"' for w in text.split()]
        if not words:
            return []
        try:
            rows = self.db.execute("SELECT rowid FROM names WHERE names MATCH ? ORDER BY rank "
                                   "LIMIT ?", (" AND ".join(words), TOP)).fetchall()
        except sqlite3.OperationalError:
            return []
        return [row[0] for row in rows]


class Registry:
    name = "registry search"

    def search(self, text):
        from registry import search
        return search.query(text, limit=TOP).agency_ids


# -- queries -------------------------------------------------------------------------------------

def query_mix(count, seed):
    """Queries drawn from the data, in six kinds, as people type them."""
    from registry.extensions import db
    from registry.models import Agency, Channel, Licence
    rng = random.Random(seed)
    names = db.session.execute(db.select(Agency.name_en, Agency.name_km, Agency.name_my)).all()
    burmese = [n.name_my for n in names if n.name_my]
    numbers = db.session.scalars(db.select(Licence.number)).all()
    phones = db.session.scalars(db.select(Channel.value).where(Channel.kind == "phone")).all()

    def words(text):
        return [w for w in re.split(r"[\s\u200b]+", text) if w]

    def run(text, joiner):
        parts = words(text)
        start = rng.randrange(len(parts))
        return joiner.join(parts[start:start + rng.randint(1, 3)])

    def latin():
        parts = [w for w in words(rng.choice(names).name_en) if w[0].isalpha()][:4]
        return " ".join(parts[:rng.randint(1, len(parts))])

    def misspelt():
        word = list(latin())
        i = rng.randrange(len(word))
        word[i] = rng.choice("aeioukhrn") if rng.random() < 0.7 else ""
        return "".join(word)

    def licence():
        number = rng.choice(numbers)
        return rng.choice((number, number.lower(), number.replace("-", " "),
                           number.replace("-", "")))

    def phone():
        digits = re.sub(r"\D", "", rng.choice(phones))
        local = digits[3:] if digits.startswith("855") else digits.lstrip("0")
        return rng.choice((f"0{local}", f"+855 {local[:2]} {local[2:5]} {local[5:]}",
                           f"0{local[:2]}-{local[2:5]}-{local[5:]}"))

    khmer = [n.name_km for n in names if n.name_km]
    kinds = {"latin": latin, "khmer": lambda: run(rng.choice(khmer), ""),
             "burmese": lambda: run(rng.choice(burmese), rng.choice(("", " "))),
             "misspelt": misspelt, "licence": licence, "phone": phone}
    return [(kind, make()) for _ in range(count // len(kinds)) for kind, make in kinds.items()]


def latencies(engine, queries):
    """Milliseconds per query: a first pass on the freshly built index (caches empty), then a
    second pass, as a worker that has served a while answers."""
    passes = []
    for _ in range(2):
        times = []
        for _, text in queries:
            started = time.perf_counter()
            engine.search(text)
            times.append((time.perf_counter() - started) * 1000)
        passes.append(times)
    return passes


def quality(engine, labelled, agency_of):
    """recall@3, MRR, and the labelled queries missed (not in the top 3)."""
    from registry.zawgyi import to_unicode, to_zawgyi
    found3, reciprocal, missed = 0, 0.0, []
    for item in labelled["queries"]:
        text = to_zawgyi(item["q"]) if item.get("zawgyi") else item["q"]
        text, _ = to_unicode(text)
        ranked = engine.search(text)
        want = agency_of[item["expect"]]
        rank = ranked.index(want) + 1 if want in ranked else None
        found3 += bool(rank and rank <= 3)
        reciprocal += 1 / rank if rank else 0.0
        if not rank or rank > 3:
            missed.append((item.get("kind", ""), item["q"], rank))
    total = len(labelled["queries"])
    return found3 / total, reciprocal / total, missed


# -- running -------------------------------------------------------------------------------------

def measure(size, args, labelled):
    """One row per engine for one registry size."""
    work = tempfile.mkdtemp(prefix=f"registry-bench-{size}-")
    os.environ.update(REGISTRY_INSTANCE_DIR=work, REGISTRY_SECRET_KEY="bench" * 8,
                      REGISTRY_BASE_URL="http://127.0.0.1:5000")
    from flask_migrate import upgrade

    from registry import create_app, search
    from registry.extensions import db
    from registry.models import Licence
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/registry.sqlite3",
                      "REGISTRY_INDEX_DIR": f"{work}/index", "REGISTRY_OUTBOX_POLL_SECONDS": 1e9})
    started = time.perf_counter()
    write_data(f"{work}/data", size, args.seed, labelled)
    with app.app_context():
        upgrade()
        agencies = bulk_load(f"{work}/data")
        print(f"\n{agencies} agencies generated and loaded in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        agency_of = dict(db.session.execute(db.select(Licence.number, Licence.agency_id)).all())
        queries = query_mix(args.queries, args.seed)
        engines = []
        for make in (lambda: (search.rebuild(), Registry())[1],
                     lambda: WhooshDefault(f"{work}/whoosh-default", agency_texts()),
                     lambda: Fts5(f"{work}/fts5.sqlite3", agency_texts())):
            started = time.perf_counter()
            engine = make()
            engines.append((engine, time.perf_counter() - started))
        sizes = [folder_size(f"{work}/index"), folder_size(f"{work}/whoosh-default"),
                 folder_size(f"{work}/fts5.sqlite3")]
        rows = []
        for (engine, build), disk in zip(engines, sizes):
            first, times = latencies(engine, queries)
            recall, mrr, missed = quality(engine, labelled, agency_of)
            by_kind = {}
            for (kind, _), ms in zip(queries, times):
                by_kind.setdefault(kind, []).append(ms)
            rows.append((agencies, engine.name, build, disk, recall, mrr, times, first, by_kind,
                         missed))
            print(f"{engine.name}: done", file=sys.stderr)
    return rows


def print_table(rows, labelled, verbose):
    print(f"\nlabelled set: {len(labelled['queries'])} queries for "
          f"{len(labelled['agencies'])} agencies. Latency in ms over the query mix "
          f"({len(rows[0][6])} queries), second pass; 'p95 1st' is the first pass, on the "
          f"freshly built index\n")
    print("| agencies | engine | build s | index MB | recall@3 | MRR | p50 | p95 | p99 | p95 1st |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for agencies, name, build, disk, recall, mrr, times, first, _, _ in rows:
        print(f"| {agencies:,} | {name} | {build:.1f} | {disk / 2**20:.1f} | {recall:.3f} | "
              f"{mrr:.3f} | {percentile(times, 50):.1f} | {percentile(times, 95):.1f} | "
              f"{percentile(times, 99):.1f} | {percentile(first, 95):.1f} |")
    kinds = list(rows[0][8])
    print("\np95 by kind of query (second pass), ms\n\n| agencies | engine | "
          + " | ".join(kinds) + " |")
    print("|---:|---|" + "---:|" * len(kinds))
    for agencies, name, *_, by_kind, _ in rows:
        print(f"| {agencies:,} | {name} | "
              + " | ".join(f"{percentile(by_kind[k], 95):.1f}" for k in kinds) + " |")
    print("\nrecall@3 by kind of labelled query\n")
    kinds = list(dict.fromkeys(q.get("kind", "") for q in labelled["queries"]))
    sizes = {k: sum(q.get("kind", "") == k for q in labelled["queries"]) for k in kinds}
    print("| agencies | engine | " + " | ".join(f"{k} ({sizes[k]})" for k in kinds) + " |")
    print("|---:|---|" + "---:|" * len(kinds))
    for agencies, name, *_, missed in rows:
        lost = [kind for kind, _, _ in missed]
        print(f"| {agencies:,} | {name} | "
              + " | ".join(f"{1 - lost.count(k) / sizes[k]:.2f}" for k in kinds) + " |")
    print("\nlabelled queries outside the top 3 (kind, query, rank or None):")
    for agencies, name, *_, missed in rows:
        shown = missed if verbose else missed[:8]
        print(f"- {agencies:,} {name}: {len(missed)}"
              + "".join(f"\n    {kind}: {q!r} {rank}" for kind, q, rank in shown)
              + ("\n    …" if len(shown) < len(missed) else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--queries", type=int, default=600, help="latency queries per engine")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="list every missed query")
    args = parser.parse_args()
    labelled = json.loads(LABELLED.read_text(encoding="utf-8"))
    started = time.perf_counter()
    rows = [row for size in args.sizes for row in measure(size, args, labelled)]
    print_table(rows, labelled, args.verbose)
    print(f"\ntotal run time {(time.perf_counter() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
