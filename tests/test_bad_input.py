"""Bad input on every public page and API endpoint (DESIGN sections 4, 7 and 8): whatever
arrives in a path, a query string or a form, the answer is never a 500 and never a stack trace;
API errors are JSON {"error": {"code", "message"}}. Query text is text, never query syntax.

(`hypothesis` is not installed in this project's environment, so the property test at the end
draws its inputs from a seeded random generator instead: reproducible, and still wide.)"""
import json
import random
from urllib.parse import quote

import pytest

from .conftest import agency_row

ZWSP = "\u200b"
KHMER_NAME = f"ក្រុមហ៊ុន{ZWSP}អង្គរ{ZWSP}ម៉ែនផៅវ័រ"
BURMESE_NAME = "ရွှេမြန်မာ လူ့စွမ်းအား အေဂျင်စီ"


@pytest.fixture(autouse=True)
def registry(load):
    load(agencies=[
        agency_row("KH-MLVT-2025-0101", "Angkor Manpower Co., Ltd.", "2024-01-01", "2099-12-31",
                   name_km=KHMER_NAME, province="KH-12", phones="012 345 678",
                   destinations="TH;KR", channels="telegram:@angkor_manpower"),
        agency_row("KH-MLVT-2025-0606", "Shwe Myanmar Manpower", "2024-01-01", "2099-12-31",
                   name_my=BURMESE_NAME, province="KH-12", destinations="TH"),
        agency_row("KH-MLVT-2024-0202", "Bayon Recruitment Agency", "2024-01-01", "2099-12-31",
                   name_km=f"ទីភ្នាក់ងារ{ZWSP}ជ្រើសរើស{ZWSP}បាយ័ន", province="KH-17"),
    ], sanctions=[
        {"licence_number": "KH-MLVT-2024-0202", "kind": "suspension", "decided_on": "2025-01-01",
         "reason_km": "បញ្ជូនពលករដោយទិដ្ឋាការទេសចរណ៍", "decision_ref": "Prakas 20/2025 MLVT",
         "state": "in_force"},
    ])


class Raw(str):
    """A value put into the URL exactly as written (for broken percent-escapes)."""


def encode(value):
    if isinstance(value, Raw):
        return str(value)
    return quote(value, safe="")  # str as UTF-8; bytes byte for byte (invalid UTF-8 stays so)


VALUES = [
    # nothing, or almost nothing
    ("empty", ""),
    ("space", " "),
    ("zwsp-only", ZWSP * 3),
    # identifiers that exist nowhere
    ("unknown-licence", "KH-MLVT-1999-9999"),
    ("unknown-phone", "+855 99 999 999"),
    ("unknown-reference", "V-20260101-ZZZZZZ"),
    # size
    ("huge-100kB", "A" * 100_000),
    ("huge-khmer", "ក" * 34_000),  # 100 kB of UTF-8
    ("huge-syntax", "AND (" * 4_000),
    # control characters and binary
    ("nul", "\x00"),
    ("nul-inside", "KH-MLVT\x00-2025-0101"),
    ("controls", "\x01\x02\x07\x1b[31m\x7f"),
    ("crlf", "a\r\nSet-Cookie: evil=1"),
    ("binary-bytes", bytes(range(256))),
    ("invalid-utf8", b"\xff\xfe\xfd"),
    ("utf8-surrogate", b"\xed\xa0\x80"),
    ("overlong-slash", b"\xc0\xaf"),
    ("truncated-utf8", b"\xe1\x9e"),
    ("broken-percent", Raw("%zz%e1%9e%")),
    ("percent-invalid-utf8", Raw("%ff%fe%C0%AF")),
    ("lone-percent", Raw("%")),
    ("bom-rtl", "\ufeff\u202eevil\u202c"),
    # SQL-ish
    ("sql-or", "' OR '1'='1"),
    ("sql-drop", "'; DROP TABLE agency; --"),
    ("sql-union", "1 UNION SELECT complainant_name FROM complaint_private"),
    ("sql-like", "%' OR 1=1 --"),
    ("sql-quote", '" OR ""="'),
    # Whoosh query syntax, which must be read as text
    ("whoosh-operators", "AND OR NOT"),
    ("whoosh-not", "NOT"),
    ("whoosh-chars", '( ) * ? ~ "'),
    ("whoosh-field", "name:x"),
    ("whoosh-field-wild", "ids:*"),
    ("whoosh-status", "status:licensed"),
    ("whoosh-range", "[a TO b]"),
    ("whoosh-range-open", "{a TO}"),
    ("whoosh-unbalanced", 'Angkor AND (Manpower OR "'),
    ("whoosh-wildcards", "*?*"),
    ("whoosh-fuzzy", "Angkor~2"),
    ("whoosh-boost", "Angkor^100"),
    ("whoosh-escape", "\\"),
    ("whoosh-plugins", "<Angkor> 'Man' @x #y $z"),
    # markup
    ("html", "<script>alert(1)</script>"),
    ("template", "{{7*7}}{% raw %}${7*7}"),
    ("path-traversal", "../../etc/passwd"),
    ("slashes", "//evil.example/\\"),
    # numbers that are no page number
    ("zero", "0"),
    ("negative", "-1"),
    ("decimal", "1.5"),
    ("exponent", "1e9"),
    ("hex", "0x10"),
    ("nan", "NaN"),
    ("too-big-page", "99999999999999999999"),
    ("fullwidth-digit", "１"),
    ("khmer-digits", "០១២ ៣៤៥ ៦៧៨"),
    ("myanmar-digits", "၀၉၁ ၂၃၄ ၅၆၇"),
    ("superscript-two", "²"),  # isdigit() but not a decimal: int() refuses it
    ("4000-digits", "9" * 4000),
    pytest.param("5000-digits", "9" * 5000, id="5000-digits"),  # past int()'s digit limit
    # real text in the region's scripts
    ("khmer-zwsp", KHMER_NAME),
    ("khmer-zwsp-split", f"អង្គ{ZWSP}រ"),
    ("khmer-coeng-only", "\u17d2\u17d2\u17d2"),
    ("khmer-vowel-only", "\u17b6\u17c1"),
    ("burmese", BURMESE_NAME),
    ("burmese-zawgyi", "ေရႊျမန္မာ"),
    ("burmese-marks-only", "\u103a\u1039\u1037"),
    ("thai", "บริษัท จัดหางาน"),
    ("emoji", "🙂" * 50),
    ("combining", "A\u0301\u0301\u0301\u0301"),
]
VALUE_PARAMS = [v if isinstance(v, type(pytest.param())) else pytest.param(*v, id=v[0])
                for v in VALUES]

PAGE_URLS = [
    "/?q={v}",
    "/en/?q={v}",
    "/en/search?q={v}",
    "/km/search?q={v}",
    "/my/search?q={v}&status=licensed",
    "/en/search?q=Angkor&page={v}",
    "/km/search?q=&page={v}&status=suspended",
    "/en/search?status={v}",
    "/en/search?province={v}&destination={v}",
    "/en/search?q={v}&status={v}&province={v}&destination={v}&page={v}",
    "/en/search?{v}",
    "/en/agencies/{v}",
    "/my/agencies/{v}",
    "/en/verify?licence={v}",
    "/verify/{v}",
    "/verify/public-key.pem?{v}",
    "/feeds/sanctions.atom?q={v}",
    "/feeds/agencies/{v}.atom",
    "/language/km?next={v}",
    "/language/{v}?next=/en/",
    "/data/{v}",
    "/data/?{v}",
    "/{v}/",
    "/{v}/search?q=Angkor",
]
API_URLS = [
    "/api/v1/search?q={v}",
    "/api/v1/search?q=Angkor&limit={v}",
    "/api/v1/search?q=Angkor&offset={v}",
    "/api/v1/search?q={v}&limit={v}&offset={v}",
    "/api/v1/search?status={v}",
    "/api/v1/search?province={v}&destination={v}",
    "/api/v1/agencies/{v}",
    "/api/v1/verify?licence={v}",
    "/api/v1/verify?phone={v}",
    "/api/v1/verify?licence={v}&phone={v}",
    "/api/v1/openapi.json?{v}",
    "/api/v1/{v}",
]


def problems_with(response, url):
    """What is wrong with a response to bad input, as a list of strings (empty: all good)."""
    found = []
    body = response.get_data()
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    for trace in (b"Traceback", b'File "'):
        if trace in body:
            found.append(f"{trace!r} in the body")
    if url.startswith("/api/") and not 300 <= response.status_code < 400:
        if not response.is_json:
            found.append(f"API answered {response.content_type}")
        elif response.status_code >= 400:
            error = json.loads(body).get("error")
            if not (isinstance(error, dict) and set(error) == {"code", "message"}
                    and isinstance(error["code"], str) and error["code"]
                    and isinstance(error["message"], str) and error["message"]):
                found.append(f"API error is not {{error: {{code, message}}}}: {body[:200]!r}")
    if "evil" in response.headers.get("Set-Cookie", ""):
        found.append("header injection")
    return [f"{url[:120]} -> {p}" for p in found]


@pytest.mark.parametrize("name, value", VALUE_PARAMS)
def test_bad_value_anywhere_is_never_a_500(client, name, value):
    v = encode(value)
    problems = []
    for template in PAGE_URLS + API_URLS:
        url = template.replace("{v}", v)
        problems += problems_with(client.get(url), url)
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    for form in ({"licence": text, "phone": ""}, {"licence": "", "phone": text}):
        response = client.post("/en/verify", data=form)
        problems += problems_with(response, f"POST /en/verify {sorted(form)}")
        if response.status_code not in (303, 400):
            problems.append(f"POST /en/verify answered {response.status_code}")
    assert not problems, "\n".join(problems)


RAW_QUERY_STRINGS = [
    ("raw-binary", b"q=\xff\xfe\x00"),
    ("raw-cut-khmer", b"q=\xe1\x9e\xa2\xe1\x9e"),  # cut in the middle of a letter
    ("raw-high-bytes", b"q=" + b"\x80" * 10_000),
    ("raw-utf8-khmer", "q=អង្គរ&status=licensed".encode()),  # old phone browsers do this
    ("raw-utf8-burmese", "q=ရွှေမြန်မာ".encode()),
    ("raw-ampersands", b"q=%%%&&&===&page=&&status"),
    ("only-separators", b"&&&&"),
    ("only-equals", b"="),
    ("key-without-value", b"q"),
    ("repeated-keys", b"q=a&q=b&q=" + "ក".encode() * 10),
    ("repeated-page", b"page=1&page=2&page=x"),
]
RAW_PATHS = ["/en/search", "/km/search", "/api/v1/search", "/api/v1/verify", "/en/verify",
             "/feeds/sanctions.atom"]


@pytest.mark.parametrize("path, query_string", [
    pytest.param(path, qs, id=f"{path}-{name}")
    for name, qs in RAW_QUERY_STRINGS for path in RAW_PATHS])
def test_raw_bytes_in_the_query_string(client, path, query_string):
    # Not percent-encoded: the bytes arrive as a WSGI server passes them on (latin-1 str).
    response = client.get(path, environ_overrides={"QUERY_STRING": query_string.decode("latin-1")})
    assert not problems_with(response, path)


def test_raw_utf8_query_string_is_read_as_text(client):
    raw = "q=អង្គរ".encode().decode("latin-1")
    response = client.get("/api/v1/search", environ_overrides={"QUERY_STRING": raw})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["licence_number"] == "KH-MLVT-2025-0101"


@pytest.mark.parametrize("path", [
    "/xx/", "/EN/", "/En/search?q=Angkor", "/../", "/%2e%2e/", "/km-KH/", "/english/",
    "/xx/search?q=Angkor", "/EN/agencies/KH-MLVT-2025-0101", "/zz/verify", "/fr/verify",
    "/../etc/passwd", "/en/..%2f..%2fetc/passwd", "/static/../registry/config.py",
    "/static/%2e%2e/registry/config.py", "/static/..%2fregistry%2fconfig.py",
    "/km/../../", "/\u17a2/", "/%E1%9E%A2/", "/%ff/", "/%00/", "/api/", "/feeds/", "/verify/",
])
def test_unknown_language_prefixes_and_traversal(client, path):
    response = client.get(path)
    assert not problems_with(response, path)
    assert response.status_code in (301, 302, 308, 404), response.status_code
    assert b"REGISTRY_SECRET_KEY" not in response.data
    if response.status_code == 404 and not path.startswith("/api/"):
        assert response.content_type.startswith("text/html")
        assert b"This page does not exist." in response.data


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/v1/search?q=Angkor", "/api/v1/agencies/KH-MLVT-2025-0101",
                                  "/api/v1/verify?licence=KH-MLVT-2025-0101"])
def test_api_refuses_writes_with_a_json_error(client, method, path):
    response = client.open(path, method=method, data=b"\xff\x00{not json")
    assert response.status_code == 405
    assert response.get_json() == {"error": {"code": "method_not_allowed",
                                             "message": response.get_json()["error"]["message"]}}


@pytest.mark.parametrize("path, query", [
    ("/api/v1/search", "limit=0"),
    ("/api/v1/search", "limit=101"),
    ("/api/v1/search", "limit=ten"),
    ("/api/v1/search", "offset=-1"),
    ("/api/v1/search", "status=bogus"),
    ("/api/v1/search", "province=KH-99"),
    ("/api/v1/search", "destination=XYZ"),
    ("/api/v1/verify", ""),
    ("/api/v1/verify", "licence=&phone="),
    ("/api/v1/verify", f"licence={quote(ZWSP)}"),
])
def test_api_bad_parameters_are_400_json(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"]


@pytest.mark.parametrize("offset, expected", [(0, 2), (1, 2), (2, 1), (3, 0), (50, 0)])
def test_api_offset_is_exact_and_past_the_end_is_empty(client, offset, expected):
    everything = [r["licence_number"] for r in
                  client.get("/api/v1/search?q=&limit=100").get_json()["results"]]
    assert len(everything) == 3
    response = client.get(f"/api/v1/search?q=&limit=2&offset={offset}")
    assert response.status_code == 200
    numbers = [r["licence_number"] for r in response.get_json()["results"]]
    assert numbers == everything[offset:offset + 2]
    assert len(numbers) == expected


@pytest.mark.parametrize("path", ["/api/v1/agencies/KH-MLVT-1999-9999", "/api/v1/agencies/%00",
                                  "/api/v1/nothing-here", "/api/v1/agencies/" + "9" * 5000])
def test_api_unknown_is_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/search?q=", "/api/v1/agencies/", "/api/v1/nope/",
                                  "/en/search?q=", "/en/agencies/"])
def test_an_address_over_8000_characters_is_refused_with_414(client, path):
    """Below gunicorn's and nginx's limits (deploy/), so the app answers, in its own shape
    (JSON under /api/) and the visitor's language: docs/operations.md."""
    assert client.get(path + "9" * (8000 - len(path))).status_code != 414
    response = client.get(path + "9" * (8001 - len(path)))
    assert response.status_code == 414
    if path.startswith("/api/"):
        assert response.get_json() == {"error": {"code": "too_large",
                                                 "message": "This address is too long."}}
    else:
        assert response.mimetype == "text/html" and "This address is too long." in response.text


@pytest.mark.parametrize("query, first", [
    (KHMER_NAME, "KH-MLVT-2025-0101"),
    (KHMER_NAME.replace(ZWSP, ""), "KH-MLVT-2025-0101"),
    (KHMER_NAME.replace(ZWSP, " "), "KH-MLVT-2025-0101"),
    (f"{ZWSP}ម៉ែន{ZWSP}ផៅ{ZWSP}", "KH-MLVT-2025-0101"),
    ("ជ្រើស\u200bរើស", "KH-MLVT-2024-0202"),
    (BURMESE_NAME, "KH-MLVT-2025-0606"),
    ("မြန်မာ", "KH-MLVT-2025-0606"),
    ("០១២ ៣៤៥ ៦៧៨", "KH-MLVT-2025-0101"),  # Khmer digits are digits
])
def test_khmer_and_burmese_queries_find_the_agency(client, query, first):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["licence_number"] == first
    page = client.get("/km/search", query_string={"q": query})
    assert page.status_code == 200
    assert f"/km/agencies/{first}" in page.get_data(as_text=True)


@pytest.mark.parametrize("query", ['( ) * ? ~ "', "name:x", "[a TO b]", "AND OR NOT", "*",
                                   "ids:*", "status:licensed", "*:*"])
def test_query_syntax_is_text_and_matches_nothing(client, query):
    """Were these read as Whoosh syntax, 'ids:*' or '*:*' would list every agency."""
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json()["total"] == 0
    page = client.get("/en/search", query_string={"q": query}).get_data(as_text=True)
    assert "/en/agencies/" not in page
    assert "No licence on record" in page


def test_header_injection_through_the_language_switch_is_impossible(client):
    response = client.get("/language/km?next=" + quote("/en/\r\nSet-Cookie: evil=1\r\n"))
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
    assert all("evil" not in v for v in response.headers.getlist("Set-Cookie"))


def test_huge_form_post_is_refused_cleanly(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/en/verify", data={"licence": "K" * (2 * 1024 * 1024)})
    assert response.status_code in (400, 413)
    assert b"Traceback" not in response.data


# -- property test: random query strings ---------------------------------------------------------
PIECES = (
    list("abcxyzAKMLVT0123456789 -_/.,;:+()[]{}<>*?~^!\"'\\&=%#@$|")
    + ["AND", "OR", "NOT", "TO", " AND ", " OR ", " NOT ", "name:", "ids:", "status:", "*:*",
       "[", " TO ", "]", "\x00", "\t", "\n", "\x1b", "\x7f", ZWSP, "\u200c", "\u200d", "\ufeff",
       "\u202e", "\ud7ff", "\ue000", "\U0001f642", "\u0301", "ß", "İ", "ﬁ"]
    + list("កខគងចជញដណតទនបពមយរលវសហអ") + list("ាិីុូេែៃោៅំះ់៉៊្") + list("០១២៣៤៥៦៧៨៩")
    + list("ကခဂငစဆညတထဒနပဖဗမယရလဝသဟအ") + list("ါာိီုူေဲံ့း္်ျြွှ") + list("၀၁၂၃၄၅၆၇၈၉")
    + ["ေ", "ႊ", "ၾ", "ျ"]  # Zawgyi-looking code points
)
KEYS = ["q", "q", "q", "status", "province", "destination", "page", "limit", "offset", "x"]


def random_text(rng):
    return "".join(rng.choice(PIECES) for _ in range(rng.choice((0, 1, 2, 5, 12, 40, 250))))


def random_query_string(rng):
    pairs = [(rng.choice(KEYS), random_text(rng)) for _ in range(rng.randint(1, 4))]
    return "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in pairs)


@pytest.mark.parametrize("seed", range(8))
def test_no_random_query_string_breaks_search(client, seed):
    rng = random.Random(f"registry-{seed}")
    problems = []
    for _ in range(40):
        q = quote(random_text(rng), safe="")
        for url in (f"/en/search?q={q}", f"/api/v1/search?q={q}"):
            response = client.get(url)
            problems += problems_with(response, url)
            if response.status_code != 200:  # any text is a valid query
                problems.append(f"{url[:120]} -> {response.status_code} for a plain query")
        anything = random_query_string(rng)
        for url in (f"/km/search?{anything}", f"/api/v1/search?{anything}"):
            problems += problems_with(client.get(url), url)
    assert not problems, "\n".join(problems)
