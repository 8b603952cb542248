"""Search benchmark: the registry's search against Whoosh, SQLite FTS5 and a fuzzy matcher.

Usage: python bench/search.py [--sizes 10000 100000] [--queries 600] [--seed 7] [--verbose]
                              [--fuzzy-max 20000] [--country KH|MM]

--country (default KH, Cambodia) picks the country profile: the registry is generated in its
vocabulary (bench/synthetic.py; Myanmar's is bench/myanmar.py) and the app runs with
REGISTRY_COUNTRY set to it, so that the profile decides how phones are parsed, which regions
exist and the currency.

Labelled sets, reported separately: bench/queries.json ("regression": written beside the
analysers, a regression test) and bench/queries_independent.json ("independent": written by
someone else, same structure, agencies may carry "representatives": [{"name", "phone"}]; if the
file is missing or unreadable it is skipped with a note). A file's top level is Cambodia's set;
another country's is under its code, in the same structure (bench/queries.json "MM": Myanmar's,
agencies modelled on its demo data, with 'romanised' queries: Burmese names written by ear
another common way). A file without the country's set is skipped with a note (the independent
set is Cambodian only).

For each size: generates a fictional registry (bench/synthetic.py) and appends the agencies of
the sets, and their representatives (id REP-L0001…, the agency's province, authorised over a
range covering today). So that each label names one agency, a generated agency is dropped, with
its licences, representatives and sanctions, when its licence number, phone or channel is also a
labelled agency's (or a labelled representative's phone), or when one of its names or aliases is
a labelled agency's but for case, spaces and legal form (the independent set copies names from
the demo data, which the generator makes again); a generated representative with such a phone
is dropped too. The folder is loaded into a fresh SQLite database, the registry's index is built
with its own indexer (registry.search, the code the app runs), and four baselines over the same
names, aliases, licence numbers and phones:
- Whoosh with its default StandardAnalyzer (a TEXT field; the query's tokens ANDed);
- SQLite FTS5 with its default unicode61 tokenizer (the query's words as ANDed strings);
- SQLite FTS5 with the trigram tokenizer (words of 3+ characters as ANDed strings, shorter ones
  skipped; nothing left: no result);
- rapidfuzz: process.extract(text, choices, scorer=fuzz.WRatio, limit=20) over one string per
  name, alias, licence number and phone, mapped back to agencies in rank order; only on
  registries up to --fuzzy-max agencies (at 100k it takes about 2 s a query).

The registry is searched as the site's doors do: search.typed_query(raw) (Zawgyi detection and
conversion), search.query(text, limit=20), and when that finds nothing search.lookalikes(text),
all inside the timed call. Zawgyi queries reach it raw; the baselines get them already
converted with registry.zawgyi.to_unicode (untimed).

Printed (markdown): index build time and size; latency p50/p95/p99 over a mix of --queries
queries in fifteen kinds taken in turn, drawn from the data (Latin, Khmer and Burmese runs of
words, never a legal form alone; misspelt Latin, Khmer and Burmese; Zawgyi; single syllables;
licence numbers whole and partial; phones; native digits; words in another order; made-up names
that match nothing, so the zero-result path runs; and legal forms alone). "legal-only" queries
are left out of the overall percentiles and shown in their own column. A kind with nothing to
draw from is left out: on a Myanmar registry (no Khmer names) the two Khmer kinds; there phones
are written as in Myanmar (09 420 123 456, +95 9 …), native digits are Myanmar's, words in
another order are Latin or Burmese, and a kind "romanised" is added: words of an English name
with its Burmese syllables spelt another way by ear (Chaw for Kyaw, Laing for Hlaing,
bench/romanised.py), so that its p95 is measured. Then p95 by kind, second and first pass, and
the kinds the registry answered from lookalikes; recall@3 and MRR (rank in the top 20, or in the
lookalikes when nothing was found) and recall@3 by kind, for each labelled set; the memory of a
worker: a fresh process opens the app on the same database and index, serves the mix twice
through the registry's path and reads /proc/self/smaps_rollup (private = Private_Clean +
Private_Dirty), beside a process that only opens the app; and the goals per size: misspelt Khmer
and Burmese p95 <= 10 ms (second pass), single syllable p95 <= 20 ms on the first pass of that
fresh worker (a freshly opened index), worker private memory <= 300 MB.

The load is a bulk path for the benchmark only: rows are read and checked by the import's own
reader, then inserted without audit entries; complaints are left out (nothing searches them).
"""
import argparse
import csv
import json
import multiprocessing
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
SETS = (("regression", HERE / "queries.json"), ("independent", HERE / "queries_independent.json"))
#: The country profile when --country is not given; its labelled sets are the files' top level.
DEFAULT_COUNTRY = "KH"
TOP = 20
#: Kept out of the overall percentiles: a legal form alone is no name, and how long the registry
#: takes to say so should not hide (or dominate) how it answers names.
APART = "legal-only"
GOALS = {"misspelt p95 ms": 10, "syllable 1st p95 ms": 20, "worker private MB": 300}


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values \
        else float("nan")


def folder_size(path):
    path = Path(path)
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files)


# -- labelled sets -------------------------------------------------------------------------------

def load_sets(country=DEFAULT_COUNTRY):
    """[(name, set)] of the labelled sets that can be read for `country`, and notes about those
    that cannot. A file's top level is Cambodia's set; another country's is under its code
    ("MM": {"about", "agencies", "queries"})."""
    sets, notes = [], []
    for name, path in SETS:
        if not path.exists():
            notes.append(f"{name} set skipped: {path.name} is missing")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            # It is being written while this runs: a half-saved file is skipped, not fatal.
            notes.append(f"{name} set skipped: {path.name} is unreadable ({error})")
            continue
        if country != DEFAULT_COUNTRY:
            if not isinstance(data.get(country), dict):
                notes.append(f"{name} set skipped for {country}: {path.name} has no "
                             f"\"{country}\" set (its queries are for {DEFAULT_COUNTRY} only)")
                continue
            data = data[country]
        try:
            assert data["agencies"] and data["queries"], "no agencies or no queries"
        except (KeyError, AssertionError) as error:
            notes.append(f"{name} set skipped: {path.name} is unreadable ({error})")
            continue
        sets.append((name, data))
    return sets, notes


def labelled_agencies(sets):
    """Every labelled agency once. The same licence in two sets must be the same agency, or a
    label would point at two."""
    by_number = {}
    for name, data in sets:
        for agency in data["agencies"]:
            other = by_number.setdefault(agency["licence_number"], agency)
            if other != agency:
                sys.exit(f"{agency['licence_number']} differs between the labelled sets "
                         f"({name}); give one of them another licence number")
    return list(by_number.values())


# -- scripts -------------------------------------------------------------------------------------

KHMER_START = re.compile(r"(?<!\u17d2)[\u1780-\u17b3]")
BURMESE_START = re.compile(r"(?<!\u1039)[\u1000-\u102a\u103f\u104c-\u104f](?![\u1039\u103a])")
KHMER = {"start": KHMER_START, "vowels": [chr(c) for c in range(0x17B6, 0x17C6)],
         # ឝ and ឞ are obsolete: no keyboard slip gives them.
         "consonants": [chr(c) for c in range(0x1780, 0x17A3) if c not in (0x179D, 0x179E)],
         "legal": {"ក្រុមហ៊ុន", "ឯ.ក", "ខូអិលធីឌី"}}
BURMESE = {"start": BURMESE_START, "vowels": [chr(c) for c in range(0x102B, 0x1033)],
           "consonants": [chr(c) for c in range(0x1000, 0x1022)],
           "legal": {"ကုမ္ပဏီလီမိတက်", "ကုမ္ပဏီ", "လီမိတက်"}}
LATIN_LEGAL = re.compile(r"(co\.?,?|ltd\.?|company|limited|\(cambodia\)|plc\.?|inc\.?)",
                         re.IGNORECASE)
LEGAL_ONLY = ("Co., Ltd.", "ក្រុមហ៊ុន", "ក្រុមហ៊ុន ឯ.ក", "ကုမ္ပဏီလီမိတက်", "company limited")
NATIVE_DIGITS = (str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"),
                 str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉"))


def words(text):
    return [w for w in re.split(r"[\s\u200b]+", text) if w]


# -- data ----------------------------------------------------------------------------------------

def agency_keys(row, region):
    """What finds an agency row: its licence numbers, phones and channels, as the index keys
    them (so '097 612 3456' and '+855 97 612 3456' collide)."""
    from registry.normalise import channel_key, licence_key, phone_key
    keys = {licence_key(row[c]) for c in ("licence_number", "previous_licence_number")
            if row.get(c)}
    keys.update(phone_key(p, region) for p in (row.get("phones") or "").split(";"))
    for channel in filter(None, (row.get("channels") or "").split(";")):
        kind, _, value = channel.partition(":")
        keys.add(channel_key(kind, value, region))
    return keys - {""}


def name_keys(row):
    """Each name and alias of an agency row, without case, spaces or legal form."""
    found = set()
    for name in [row.get(c) or "" for c in ("name_en", "name_km", "name_my")] \
            + (row.get("aliases") or "").split(";"):
        key = "".join(w for w in words(name.casefold()) if not LATIN_LEGAL.fullmatch(w)
                      and w not in KHMER["legal"] and w not in BURMESE["legal"])
        found.add(re.sub(r"[^\w\u1780-\u17ff\u1000-\u109f]", "", key))
    return found - {""}


def rewrite(path, keep):
    """Keep the rows of a CSV file for which keep(row as a dict) is true; how many went."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    kept = [rows[0]] + [r for r in rows[1:] if keep(dict(zip(rows[0], r)))]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(kept)
    return len(rows) - len(kept)


def labelled_representatives(agencies):
    """Representatives rows for the labelled agencies, authorised today (an expired authority
    could be left out of search or shown differently: the label would then test that)."""
    today = date.today()
    start = min(date(2024, 1, 1), today - timedelta(days=365)).isoformat()
    end = max(date(2030, 12, 31), today + timedelta(days=365)).isoformat()
    rows = []
    for agency in agencies:
        for rep in agency.get("representatives") or []:
            rows.append([agency["licence_number"], rep["name"], f"REP-L{len(rows) + 1:04d}",
                         rep.get("phone", ""), agency.get("province", ""), start, end])
    return rows


def write_data(folder, size, seed, agencies, region, country=DEFAULT_COUNTRY):
    """The generated registry (in `country`'s vocabulary) with the labelled agencies added and
    collisions removed; returns (generated agencies dropped for a licence number, phone or
    channel; for a name; generated representatives dropped)."""
    import synthetic
    from registry.normalise import licence_key, phone_key
    synthetic.write_registry(folder, size, seed=seed, reference_date=date.today(),
                             country=country)
    folder = Path(folder)
    os.remove(folder / "complaints.csv")
    reps = labelled_representatives(agencies)
    taken = set().union(*(agency_keys(a, region) for a in agencies))
    taken |= {phone_key(rep[3], region) for rep in reps} - {""}
    names = set().union(*(name_keys(a) for a in agencies))
    # Renewals name the licence they renew, and come after it: the chain's first licence is
    # the agency. An agency is dropped whole, or its other licence would still answer.
    with open(folder / "agencies.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    agency_of, keys, named = {}, {}, {}
    for row in rows:
        number, previous = licence_key(row["licence_number"]), row["previous_licence_number"]
        agency_of[number] = agency_of.get(licence_key(previous), number) if previous else number
        keys.setdefault(agency_of[number], set()).update(agency_keys(row, region))
        named.setdefault(agency_of[number], set()).update(name_keys(row))
    by_key = {root for root, found in keys.items() if found & taken}
    # A generated namesake (same name but for case, spaces and legal form) makes a label as
    # ambiguous as a shared phone: no engine can tell which of two identical names is meant.
    by_name = {root for root, found in named.items() if found & names} - by_key
    dropped = by_key | by_name
    gone = {number for number, root in agency_of.items() if root in dropped}
    rewrite(folder / "agencies.csv", lambda r: licence_key(r["licence_number"]) not in gone)
    rewrite(folder / "sanctions.csv", lambda r: licence_key(r["licence_number"]) not in gone)
    reps_dropped = rewrite(folder / "representatives.csv",
                           lambda r: licence_key(r["licence_number"]) not in gone
                           and phone_key(r["phone"], region) not in taken)
    header = synthetic.HEADERS["agencies"].split(",")
    with open(folder / "agencies.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([a.get(column, "") for column in header] for a in agencies)
    with open(folder / "representatives.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(reps)
    return len(by_key), len(by_name), reps_dropped


def bulk_load(folder):
    """Agencies, licences, channels, representatives and sanctions as the import stores them."""
    from registry.extensions import db
    from registry.models import AddressKey, Agency, Channel, Licence, Representative, Sanction
    from registry.normalise import address_digests, channel_key, phone_key
    from registry.services.agencies import profile
    from registry.services.import_rows import read_folder
    from registry.services.imports import AGENCY_FIELDS, Planner
    from registry.services.sanctions import file_values

    region = profile().phone_region
    rows, problems = read_folder(folder, profile())
    plan = Planner(rows, problems, profile())
    plan.check_links()
    assert not problems, [str(p) for p in problems[:5]]
    agencies, licences, channels, address_keys, by_key = [], [], [], [], {}
    for agency_id, (_, members) in enumerate(plan.groups, 1):
        newest = members[-1].values
        agencies.append({"id": agency_id, "version": 1,
                         **{f: newest[f] for f in AGENCY_FIELDS}})
        address_keys += [{"agency_id": agency_id, "lang": lang, "key": key}
                         for key, lang in address_digests(
                             (lang, newest[f"address_{lang}"]) for lang in ("en", "km", "my")
                         ).items()]
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
    # As a historic load records them: the file's state, approved by another officer.
    sanctions = [{"agency_id": by_key[v["licence_number"]], "drafted_by": "bench", "editors": [],
                  "version": 1, "state": v["state"], **file_values(v, profile().currency),
                  "approved_by": "" if v["state"] == "pending" else "approver@bench.example"}
                 for v in (r.values for r in rows["sanctions.csv"])]
    for model, values in ((Agency, agencies), (Licence, licences), (Channel, channels),
                          (AddressKey, address_keys), (Representative, reps),
                          (Sanction, sanctions)):
        for start in range(0, len(values), 5000):
            db.session.execute(db.insert(model), values[start:start + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # The planner's row counts from before the load (often an empty table's) would choose
        # nested loops over thousands of rows: a full PostgreSQL test run once took 515 s
        # for resurfacing's pairs, against 0.25-0.5 s once the tables are analysed.
        with db.engine.begin() as connection:
            for model in (Agency, Licence, Channel, AddressKey, Representative, Sanction):
                connection.execute(db.text(f"ANALYZE {model.__tablename__}"))
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


# -- the baselines -------------------------------------------------------------------------------
# `raw`: the engine is given the query as typed (it converts Zawgyi itself); the others get it
# converted beforehand. `warms`: a second pass can differ from the first (caches).

class WhooshDefault:
    name = "Whoosh StandardAnalyzer"
    raw, warms = False, True

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
    tokenizer = "unicode61"
    raw, warms = False, True

    def __init__(self, path, texts):
        self.db = sqlite3.connect(path)
        self.db.execute(f"CREATE VIRTUAL TABLE names USING fts5(text, tokenize='{self.tokenizer}')")
        self.db.executemany("INSERT INTO names (rowid, text) VALUES (?, ?)",
                            ((agency_id, " ".join(names + numbers + phones))
                             for agency_id, names, numbers, phones in texts))
        self.db.commit()

    def words(self, text):
        return text.split()

    def search(self, text):
        words = ['"' + w.replace('"', '""') + '"' for w in self.words(text)]
        if not words:
            return []
        try:
            rows = self.db.execute("SELECT rowid FROM names WHERE names MATCH ? ORDER BY rank "
                                   "LIMIT ?", (" AND ".join(words), TOP)).fetchall()
        except sqlite3.OperationalError:
            return []
        return [row[0] for row in rows]


class Fts5Trigram(Fts5):
    name = "SQLite FTS5 (trigram)"
    tokenizer = "trigram"

    def words(self, text):
        # A trigram index cannot look up fewer than three characters (it would scan them all).
        return [w for w in text.split() if len(w) >= 3]


class Fuzzy:
    """Every name, alias, licence number and phone as one choice string; WRatio as rapidfuzz
    documents it, without a processor (rapidfuzz's default_process would strip Khmer and Burmese
    signs as non-alphanumeric)."""
    name = "rapidfuzz WRatio"
    raw, warms = False, False

    def __init__(self, texts):
        self.choices, self.owners = [], []
        for agency_id, names, numbers, phones in texts:
            for choice in names + numbers + phones:
                self.choices.append(choice)
                self.owners.append(agency_id)

    def search(self, text):
        from rapidfuzz import fuzz, process
        found = process.extract(text, self.choices, scorer=fuzz.WRatio, limit=TOP)
        return list(dict.fromkeys(self.owners[i] for _, _, i in found))


class Registry:
    """The site's path: convert and cut the query as the doors do, search, and when nothing is
    found look for lookalikes (what the zero-result page does, leads aside)."""
    name = "registry search"
    raw, warms = True, True

    def __init__(self):
        self.fell_back = False

    def search(self, raw):
        from registry import search
        text, _ = search.typed_query(raw)
        found = search.query(text, limit=TOP)
        self.fell_back = bool(text and not found.total)
        return search.lookalikes(text) if self.fell_back else found.agency_ids


# -- queries -------------------------------------------------------------------------------------

def clusters(word, script):
    """A word cut before each letter that starts a syllable (roughly: not under a virama or
    coeng, and for Burmese not killed by an asat)."""
    starts = [0] + [m.start() for m in script["start"].finditer(word) if m.start()]
    return [word[a:b] for a, b in zip(starts, starts[1:] + [len(word)])]


def misspell(rng, run, script):
    """One vowel sign changed or dropped, or one syllable's first letter changed, or one
    syllable dropped: the slips of a phone keyboard."""
    run = [clusters(w, script) for w in run]
    spots = [(i, j) for i, word in enumerate(run) for j in range(len(word))]
    vowels = [(i, j, k) for i, j in spots for k, c in enumerate(run[i][j])
              if c in script["vowels"]]
    how = rng.choice(("vowel", "vowel", "cluster", "cluster") if vowels else ("cluster",))
    drop = rng.random() < 0.5
    if how == "vowel":
        i, j, k = rng.choice(vowels)
        new = "" if drop else rng.choice([v for v in script["vowels"] if v != run[i][j][k]])
        run[i][j] = run[i][j][:k] + new + run[i][j][k + 1:]
    else:
        i, j = rng.choice(spots)
        new = "" if drop else rng.choice([c for c in script["consonants"]
                                          if c != run[i][j][0]])
        run[i][j] = new and new + run[i][j][1:]
    return ["".join(word) for word in run if "".join(word)]


def query_mix(count, seed):
    """`count` queries drawn from the data, taking the kinds in turn, as people type them.
    Kinds the registry has nothing to draw from (Khmer on a Myanmar registry) are left out;
    the country profile decides how phones are written, and Myanmar's adds 'romanised'."""
    import phonenumbers

    import romanised
    from registry.extensions import db
    from registry.models import Agency, Channel, Licence
    from registry.services.agencies import profile
    from registry.zawgyi import to_zawgyi
    rng = random.Random(seed)
    country = profile().code
    calling = str(phonenumbers.country_code_for_region(profile().phone_region))
    names = db.session.execute(db.select(Agency.name_en, Agency.name_km, Agency.name_my)).all()
    khmer = [n.name_km for n in names if n.name_km]
    burmese = [n.name_my for n in names if n.name_my]
    numbers = db.session.scalars(db.select(Licence.number)).all()
    phones = db.session.scalars(db.select(Channel.value).where(Channel.kind == "phone")).all()
    everything = "\n".join(n for row in names for n in row if n).casefold()

    def name_words(name, script):
        return [w for w in words(name) if w not in script["legal"]]

    def run(pool, script, joiner):
        """One to three words of a name; never its legal form alone (that is 'legal-only')."""
        while True:
            parts = words(rng.choice(pool))
            start = rng.randrange(len(parts))
            chosen = parts[start:start + rng.randint(1, 3)]
            if set(chosen) - script["legal"]:
                return joiner.join(chosen)

    def long_run(pool, script):
        """One to three words of a name, with three syllables or more between them."""
        while True:
            parts = name_words(rng.choice(pool), script)
            if not parts:
                continue
            start = rng.randrange(len(parts))
            for end in range(start + 1, min(start + 3, len(parts)) + 1):
                if sum(len(clusters(w, script)) for w in parts[start:end]) >= 3:
                    return parts[start:end]

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
        # Stored as typed, Myanmar digits too: the query is typed in ASCII digits.
        digits = "".join(str(unicodedata.digit(c)) for c in rng.choice(phones) if c.isdigit())
        local = digits[len(calling):] if digits.startswith(calling) else digits.lstrip("0")
        if country == DEFAULT_COUNTRY:
            return rng.choice((f"0{local}", f"+855 {local[:2]} {local[2:5]} {local[5:]}",
                               f"0{local[:2]}-{local[2:5]}-{local[5:]}"))
        # Myanmar: 09 420 123 456 (the mobile 9 alone), 01 234 567 (the area code alone).
        head = [local[0], local[1:-6]] if local.startswith("9") else [local[:-6]]
        groups = [g for g in head + [local[-6:-3], local[-3:]] if g]
        return rng.choice((f"0{local}", f"+{calling} " + " ".join(groups),
                           "0" + " ".join(groups), "0" + "-".join(groups)))

    def syllable():
        pool, script = rng.choice([(p, s) for p, s in ((khmer, KHMER), (burmese, BURMESE)) if p])
        name = rng.choice(pool)
        parts = name_words(name, script) or words(name)
        return rng.choice(clusters(rng.choice(parts), script))

    native = (khmer, KHMER) if khmer else (burmese, BURMESE)

    def order():
        """Latin words, or the words of the registry's national script (Khmer in Cambodia,
        Burmese in Myanmar), in another order."""
        while True:
            if rng.random() < 0.5:
                parts = name_words(rng.choice(native[0]), native[1])
            else:
                parts = [w for w in words(rng.choice(names).name_en)
                         if not LATIN_LEGAL.fullmatch(w)]
            if len(set(parts)) >= 2:
                shuffled = parts[:]
                while shuffled == parts:
                    rng.shuffle(shuffled)
                return " ".join(shuffled)

    def made_up(script):
        if script is None:  # Latin: rare letters, far from any word by two edits or more
            return "".join(rng.choice("qxzvjw") + rng.choice("aeiouy")
                           for _ in range(rng.randint(3, 4))).capitalize()
        return "".join(rng.choice(script["consonants"]) + rng.choice(script["vowels"])
                       for _ in range(rng.randint(3, 4)))

    def no_match():
        while True:
            script = rng.choice((None,) + ((KHMER,) if khmer else ())
                                + ((BURMESE,) if burmese else ()))
            text = " ".join(made_up(script) for _ in range(rng.randint(1, 2)))
            if not any(w.casefold() in everything for w in text.split()):
                return text

    kinds = {
        "latin": latin, "khmer": lambda: run(khmer, KHMER, ""),
        "burmese": lambda: run(burmese, BURMESE, rng.choice(("", " "))),
        "misspelt": misspelt, "licence": licence, "phone": phone,
        "khmer-misspelt": lambda: "".join(misspell(rng, long_run(khmer, KHMER), KHMER)),
        "burmese-misspelt": lambda: rng.choice(("", " ")).join(
            misspell(rng, long_run(burmese, BURMESE), BURMESE)),
        "zawgyi": lambda: to_zawgyi(run(burmese, BURMESE, rng.choice(("", " ")))),
        "syllable": syllable,
        "licence-partial": lambda: "-".join(rng.choice(numbers).split("-")[-2:]),
        # Khmer digits only where people write Khmer: not on a Myanmar registry.
        "native-digits": lambda: rng.choice((phone, lambda: rng.choice(numbers)))().translate(
            rng.choice(NATIVE_DIGITS if khmer else NATIVE_DIGITS[1:])),
        "order": order, "no-match": no_match,
        "legal-only": lambda: rng.choice([t for t in LEGAL_ONLY
                                          if khmer or not KHMER_START.search(t)]),
    }
    respellable = [n.name_en for n in names if n.name_en and romanised.respellable(n.name_en)] \
        if country == "MM" else []
    if respellable:  # Myanmar's: after 'misspelt', the English name spelt another way by ear
        mix = list(kinds.items())
        mix.insert(list(kinds).index("misspelt") + 1, ("romanised", lambda: romanised.respell(
            rng, rng.choice(respellable), LATIN_LEGAL.fullmatch)))
        kinds = dict(mix)
    # Kinds with nothing to draw from are left out (a registry without Khmer, or Burmese, names).
    needs = {"khmer": khmer, "khmer-misspelt": khmer, "burmese": burmese,
             "burmese-misspelt": burmese, "zawgyi": burmese, "syllable": khmer or burmese,
             "order": native[0], "licence": numbers, "licence-partial": numbers, "phone": phones,
             "native-digits": phones and numbers}
    kinds = {k: v for k, v in kinds.items() if needs.get(k, True)}
    turn = list(kinds)
    return [(kind, kinds[kind]()) for kind in (turn[i % len(turn)] for i in range(count))]


def typed_for(engine, text):
    """What an engine is given: the registry takes the query as typed; the baselines get
    Zawgyi already converted, as the doors would hand it to them."""
    from registry.zawgyi import to_unicode
    return text if engine.raw else to_unicode(text)[0]


def latencies(engine, queries):
    """Milliseconds per query: a first pass on the freshly built index (caches empty), then a
    second pass, as a worker that has served a while answers; and the kinds of query the
    registry answered with lookalikes (nothing found) on the second pass."""
    texts = [typed_for(engine, text) for _, text in queries]
    passes, fell_back = [], {}
    for number in range(2 if engine.warms else 1):
        times = []
        for (kind, _), text in zip(queries, texts):
            started = time.perf_counter()
            engine.search(text)
            times.append((time.perf_counter() - started) * 1000)
            if number and getattr(engine, "fell_back", False):
                fell_back[kind] = fell_back.get(kind, 0) + 1
        passes.append(times)
    if not engine.warms:  # nothing to warm: the one pass is both (and halves the run time)
        passes.append(passes[0])
    return passes[0], passes[1], fell_back


def quality(engine, labelled, agency_of):
    """recall@3, MRR, the labelled queries missed (not in the top 3), how many of the found
    came from lookalikes, and queries whose expected agency is not in the registry."""
    from registry.normalise import licence_key
    from registry.zawgyi import to_zawgyi
    found3, reciprocal, missed, via_lookalikes, unknown = 0, 0.0, [], 0, []
    for item in labelled["queries"]:
        want = agency_of.get(licence_key(item["expect"]))
        if want is None:
            unknown.append(item["expect"])
            continue
        text = to_zawgyi(item["q"]) if item.get("zawgyi") else item["q"]
        ranked = engine.search(typed_for(engine, text))
        rank = ranked.index(want) + 1 if want in ranked else None
        found3 += bool(rank and rank <= 3)
        via_lookalikes += bool(rank and rank <= 3 and getattr(engine, "fell_back", False))
        reciprocal += 1 / rank if rank else 0.0
        if not rank or rank > 3:
            missed.append((item.get("kind", ""), item["q"], rank))
    total = max(1, len(labelled["queries"]) - len(unknown))
    return {"recall": found3 / total, "mrr": reciprocal / total, "missed": missed,
            "via_lookalikes": via_lookalikes, "unknown": unknown}


# -- memory of a worker --------------------------------------------------------------------------
# Run in processes of their own (multiprocessing 'spawn'): the benchmark's process holds the
# generated data and every baseline, so its memory says nothing about a worker's.

def private_memory():
    """(private MB, RSS MB) of this process: private = pages no other process maps."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[name] = int(value.split()[0])
    return ((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024, fields["Rss"] / 1024)


def idle_app(config):
    from registry import create_app
    create_app(config)
    return private_memory()


def serving_worker(config, queries):
    """Open the app on the built index, serve the mix twice through the registry's path; its
    memory then, and the two passes' times (the first on a freshly opened index)."""
    from registry import create_app
    with create_app(config).app_context():
        first, second, _ = latencies(Registry(), queries)
    return private_memory(), first, second


def in_fresh_process(function, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


# -- running -------------------------------------------------------------------------------------

def by_kind(queries, times):
    kinds = {}
    for (kind, _), value in zip(queries, times):
        kinds.setdefault(kind, []).append(value)
    return kinds


def overall(queries, times):
    return [value for (kind, _), value in zip(queries, times) if kind != APART]


def measure(size, args, sets):
    """Rows per engine for one registry size, and the worker's memory."""
    work = tempfile.mkdtemp(prefix=f"registry-bench-{args.country}-{size}-")
    os.environ.update(REGISTRY_INSTANCE_DIR=work, REGISTRY_SECRET_KEY="bench" * 8,
                      REGISTRY_BASE_URL="http://127.0.0.1:5000", REGISTRY_COUNTRY=args.country)
    from flask_migrate import upgrade

    from registry import create_app, search
    from registry.extensions import db
    from registry.models import Licence
    from registry.normalise import licence_key
    from registry.services.agencies import profile
    # The country profile decides phone parsing, regions and currency, here and in the
    # workers (they get this config).
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/registry.sqlite3",
              "REGISTRY_INDEX_DIR": f"{work}/index", "REGISTRY_OUTBOX_POLL_SECONDS": 1e9,
              "REGISTRY_COUNTRY": args.country}
    app = create_app(config)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        dropped = write_data(f"{work}/data", size, args.seed, labelled_agencies(sets),
                             profile().phone_region, profile().code)
        agencies = bulk_load(f"{work}/data")
        print(f"\n{agencies} agencies generated and loaded in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        agency_of = {licence_key(number): agency_id for number, agency_id in
                     db.session.execute(db.select(Licence.number, Licence.agency_id)).all()}
        queries = query_mix(args.queries, args.seed)
        makers = ((lambda: (search.rebuild(), Registry())[1], f"{work}/index"),
                  (lambda: WhooshDefault(f"{work}/whoosh-default", agency_texts()),
                   f"{work}/whoosh-default"),
                  (lambda: Fts5(f"{work}/fts5.sqlite3", agency_texts()), f"{work}/fts5.sqlite3"),
                  (lambda: Fts5Trigram(f"{work}/trigram.sqlite3", agency_texts()),
                   f"{work}/trigram.sqlite3"),
                  (lambda: Fuzzy(agency_texts()), None))
        # rapidfuzz compares the query with every name: about 2 s a query at 100k agencies,
        # over half an hour for the mix and both labelled sets.
        makers = makers if size <= args.fuzzy_max else makers[:-1]
        rows = []
        for make, disk in makers:
            started = time.perf_counter()
            engine = make()
            build = time.perf_counter() - started
            started = time.perf_counter()
            first, times, fell_back = latencies(engine, queries)
            rows.append({"agencies": agencies, "engine": engine.name, "build": build,
                         "disk": folder_size(disk) if disk else None,
                         "kinds": by_kind(queries, times),
                         "kinds_first": by_kind(queries, first), "fell_back": fell_back,
                         "quality": {name: quality(engine, data, agency_of)
                                     for name, data in sets}})
            print(f"{engine.name}: done in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
    idle = in_fresh_process(idle_app, config)
    serving, first, second = in_fresh_process(serving_worker, config, queries)
    worker = {"idle": idle, "serving": serving, "kinds_first": by_kind(queries, first),
              "kinds": by_kind(queries, second), "first": overall(queries, first),
              "times": overall(queries, second)}
    return {"agencies": agencies, "dropped": dropped, "rows": rows, "worker": worker,
            "kinds": Counter(kind for kind, _ in queries)}


# -- printing ------------------------------------------------------------------------------------

def p95(values):
    return f"{percentile(values, 95):.1f}"


def mixed(kinds):
    """The times of every kind but the one kept apart."""
    return [value for kind, values in kinds.items() if kind != APART for value in values]


def print_latency(results, count):
    print(f"\nLatency in ms over the query mix ({count} queries; '{APART}' is left out of p50, "
          f"p95, p99 and 'p95 1st' and shown in its own column), second pass; 'p95 1st' is the "
          f"first pass, on the freshly built index. rapidfuzz keeps no cache: one pass, shown "
          f"as both.\n")
    print(f"| agencies | engine | build s | index MB | p50 | p95 | p99 | p95 1st | "
          f"{APART} p95 |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["rows"]:
            times, first = mixed(row["kinds"]), mixed(row["kinds_first"])
            disk = "–" if row["disk"] is None else f"{row['disk'] / 2**20:.1f}"
            print(f"| {row['agencies']:,} | {row['engine']} | {row['build']:.1f} | {disk} | "
                  f"{percentile(times, 50):.1f} | {percentile(times, 95):.1f} | "
                  f"{percentile(times, 99):.1f} | {percentile(first, 95):.1f} | "
                  f"{p95(row['kinds'].get(APART, []))} |")
    for label, key in (("second pass", "kinds"), ("first pass", "kinds_first")):
        kinds = list(results[0]["kinds"])
        print(f"\np95 by kind of query ({label}), ms; queries per kind: "
              + ", ".join(f"{k} {n}" for k, n in results[0]["kinds"].items()) + "\n")
        print("| agencies | engine | " + " | ".join(kinds) + " |")
        print("|---:|---|" + "---:|" * len(kinds))
        for result in results:
            for row in result["rows"]:
                print(f"| {row['agencies']:,} | {row['engine']} | "
                      + " | ".join(p95(row[key].get(k, [])) for k in kinds) + " |")
    for result in results:
        fell_back = result["rows"][0]["fell_back"]
        print(f"\n{result['agencies']:,}: registry queries answered by the zero-result path "
              f"(lookalikes): " + (", ".join(f"{k} {n}/{result['kinds'][k]}"
                                            for k, n in fell_back.items()) or "none"))


def print_quality(results, name, labelled, verbose):
    print(f"\n### {name} set: {len(labelled['queries'])} queries for "
          f"{len(labelled['agencies'])} agencies\n")
    print("| agencies | engine | recall@3 | MRR | top 3 via lookalikes |")
    print("|---:|---|---:|---:|---:|")
    for result in results:
        for row in result["rows"]:
            q = row["quality"][name]
            via = q["via_lookalikes"] if row["engine"] == Registry.name else "–"
            print(f"| {row['agencies']:,} | {row['engine']} | {q['recall']:.3f} | "
                  f"{q['mrr']:.3f} | {via} |")
    unknown = results[0]["rows"][0]["quality"][name]["unknown"]
    if unknown:
        print(f"\n{len(unknown)} queries left out: their 'expect' is no licence in the "
              f"registry: {', '.join(sorted(set(unknown)))}")
    kinds = list(dict.fromkeys(q.get("kind", "") for q in labelled["queries"]))
    sizes = {k: sum(q.get("kind", "") == k for q in labelled["queries"]) for k in kinds}
    print(f"\nrecall@3 by kind of labelled query ({name})\n")
    print("| agencies | engine | " + " | ".join(f"{k} ({sizes[k]})" for k in kinds) + " |")
    print("|---:|---|" + "---:|" * len(kinds))
    for result in results:
        for row in result["rows"]:
            lost = [kind for kind, _, _ in row["quality"][name]["missed"]]
            print(f"| {row['agencies']:,} | {row['engine']} | "
                  + " | ".join(f"{1 - lost.count(k) / sizes[k]:.2f}" for k in kinds) + " |")
    print(f"\n{name}: labelled queries outside the top 3 (kind, query, rank or None):")
    for result in results:
        for row in result["rows"]:
            missed = row["quality"][name]["missed"]
            shown = missed if verbose else missed[:8]
            print(f"- {row['agencies']:,} {row['engine']}: {len(missed)}"
                  + "".join(f"\n    {kind}: {q!r} {rank}" for kind, q, rank in shown)
                  + ("\n    …" if len(shown) < len(missed) else ""))


def print_memory(results):
    print("\nMemory of the registry's search in a worker: a fresh process opens the app on the "
          "same database and index and serves the whole mix twice through the registry's path "
          "('worker'); another only opens the app ('idle app'). Private = Private_Clean + "
          "Private_Dirty of /proc/self/smaps_rollup; p95 over the mix in that worker, "
          f"'{APART}' left out\n")
    print("| agencies | idle app private MB | idle app RSS MB | worker private MB | "
          "worker RSS MB | search's share MB | worker p95 1st | worker p95 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        w = result["worker"]
        (idle, idle_rss), (private, rss) = w["idle"], w["serving"]
        print(f"| {result['agencies']:,} | {idle:.0f} | {idle_rss:.0f} | {private:.0f} | "
              f"{rss:.0f} | {private - idle:.0f} | {p95(w['first'])} | {p95(w['times'])} |")


def print_goals(results):
    print("\nGoals (registry search):")
    for result in results:
        registry, worker = result["rows"][0], result["worker"]
        misspelt = {k: percentile(registry["kinds"].get(k, []), 95)
                    for k in ("khmer-misspelt", "burmese-misspelt") if k in registry["kinds"]}
        syllable = percentile(worker["kinds_first"].get("syllable", []), 95)
        in_process = percentile(registry["kinds_first"].get("syllable", []), 95)
        private = worker["serving"][0]
        checks = [
            (max(misspelt.values()) <= GOALS["misspelt p95 ms"],
             "misspelt Khmer/Burmese p95 <= 10 ms: "
             + ", ".join(f"{k} {v:.1f} ms" for k, v in misspelt.items())),
            (syllable <= GOALS["syllable 1st p95 ms"],
             f"single syllable first-pass p95 <= 20 ms: {syllable:.1f} ms in a fresh worker "
             f"(freshly opened index; {in_process:.1f} ms in this process after the rebuild)"),
            (private <= GOALS["worker private MB"],
             f"worker private memory <= 300 MB: {private:.0f} MB"),
        ]
        print(f"- {result['agencies']:,} agencies: "
              + "; ".join(f"{text}: {'met' if ok else 'NOT MET'}" for ok, text in checks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--queries", type=int, default=600, help="latency queries per engine")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fuzzy-max", type=int, default=20000,
                        help="largest registry the rapidfuzz baseline runs on")
    parser.add_argument("--verbose", action="store_true", help="list every missed query")
    parser.add_argument("--country", choices=("KH", "MM"), default=DEFAULT_COUNTRY,
                        help="country profile and vocabulary of the registry (REGISTRY_COUNTRY)")
    args = parser.parse_args()
    sets, notes = load_sets(args.country)
    if not sets:
        sys.exit("no labelled set to measure: " + "; ".join(notes))
    started = time.perf_counter()
    results = [measure(size, args, sets) for size in args.sizes]
    print("\n" + "\n".join(f"Note: {note}." for note in notes))
    if args.country != DEFAULT_COUNTRY:
        print(f"Country {args.country}: the registry generated with its vocabulary "
              f"(bench/synthetic.py --country {args.country}) and served with "
              f"REGISTRY_COUNTRY={args.country}; labelled sets from the \"{args.country}\" "
              f"part of each file.")
    for name, data in sets:
        print(f"Labelled {name} set: {len(data['queries'])} queries for "
              f"{len(data['agencies'])} agencies.")
    for result in results:
        by_key, by_name, reps = result["dropped"]
        print(f"{result['agencies']:,}: dropped {by_key} generated agencies whose licence "
              f"number, phone or channel is a labelled agency's and {by_name} that bear a "
              f"labelled agency's name (with their representatives and sanctions); "
              f"{reps} generated representatives in all (theirs, or with a labelled phone).")
    print_latency(results, args.queries)
    for name, data in sets:
        print_quality(results, name, data, args.verbose)
    print_memory(results)
    print_goals(results)
    print(f"\ntotal run time {(time.perf_counter() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
