"""The public web pages (DESIGN sections 3, 4 and 8): language prefixes and the switcher, search,
the agency page and its status banner, the verify page and its signed receipts, feeds, ETags
and security headers. Dates are relative to today, because status is always "as of today"."""
import base64
import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask_babel import force_locale

from registry.wording import NOTHING_FOUND

from .conftest import agency_row

TODAY = date.today()
ZWSP = "\u200b"
HOTLINE = "1297"  # the KH profile's example hotline
ATOM = "{http://www.w3.org/2005/Atom}"


def day(offset):
    return TODAY + timedelta(days=offset)


def iso(offset):
    return day(offset).isoformat()


def shown(d):
    """A date as the English pages print it (CLDR medium format)."""
    return format_date(d, "medium", locale="en")


# -- the data set ---------------------------------------------------------------------------------
LICENSED = "KH-MLVT-2025-0101"
LICENSED_OLD = "KH-MLVT-2022-0040"  # the same agency's previous licence
SUSPENDED_OPEN = "KH-MLVT-2024-0202"
SUSPENDED_DATED = "KH-MLVT-2024-0303"
REVOKED = "KH-MLVT-2023-0404"
EXPIRED = "KH-MLVT-2020-0505"
BURMESE = "KH-MLVT-2025-0606"

# Khmer names carry zero-width spaces between words, as Khmer typists write them.
ANGKOR_KM = f"ក្រុមហ៊ុន{ZWSP}អង្គរ{ZWSP}ម៉ែនផៅវ័រ"
BAYON_KM = f"ទីភ្នាក់ងារ{ZWSP}ជ្រើសរើស{ZWSP}បាយ័ន"
TONLE_KM = "ក្រុមហ៊ុន ពលករ ទន្លេសាប"
LOTUS_MY = "ရွှေကြာ အလုပ်အကိုင် ကုမ္ပဏီ"
SHWE_MY = "ရွှေမြန်မာ လူ့စွမ်းအား အေဂျင်စီ"

LICENSED_ISSUED, LICENSED_EXPIRES = day(-400), day(700)
SUSPENSION_OPEN_FROM = day(-30)
SUSPENSION_DATED_FROM, SUSPENSION_DATED_TO = day(-5), day(60)
REVOCATION_FROM = day(-90)
EXPIRED_ON = day(-60)

AGENCIES = [
    agency_row(LICENSED_OLD, "Angkor Manpower Co., Ltd.", iso(-1500), iso(-401),
               name_km=ANGKOR_KM, province="KH-12"),
    agency_row(LICENSED, "Angkor Manpower Co., Ltd.", LICENSED_ISSUED.isoformat(),
               LICENSED_EXPIRES.isoformat(), previous_licence_number=LICENSED_OLD,
               name_km=ANGKOR_KM, name_my="အင်္ကော ဝန်ထမ်း ကုမ္ပဏီ", province="KH-12",
               aliases="Angkor Jobs", phones="012 345 678;+855 23 880 881",
               channels="facebook:https://www.facebook.com/angkormanpower;"
                        "telegram:@angkor_manpower;branch:Battambang branch, Street 3",
               email="info@angkor-manpower.example", destinations="TH;KR",
               address_km="ផ្ទះលេខ ១២ ផ្លូវលេខ ២៧១ រាជធានីភ្នំពេញ"),
    agency_row(SUSPENDED_OPEN, "Bayon Recruitment Agency", iso(-700), iso(400),
               name_km=BAYON_KM, province="KH-17", destinations="MY", phones="063 966 100"),
    agency_row(SUSPENDED_DATED, "Tonle Sap Workers Co.", iso(-300), iso(800),
               name_km=TONLE_KM, province="KH-2", destinations="JP"),
    agency_row(REVOKED, "Golden Lotus Employment", iso(-800), iso(300),
               name_my=LOTUS_MY, province="KH-12", destinations="MY;TH"),
    agency_row(EXPIRED, "Mekong Link Services", iso(-2000), EXPIRED_ON.isoformat(),
               province="KH-8", destinations="TH"),
    agency_row(BURMESE, "Shwe Myanmar Manpower", iso(-100), iso(900),
               name_my=SHWE_MY, province="KH-12", destinations="TH"),
]

SANCTIONS = [
    {"licence_number": LICENSED, "kind": "fine", "decided_on": iso(-200), "amount": "8000000",
     "currency": "KHR", "paid": "no", "reason_en": "Charging fees above the legal limit",
     "reason_km": "យកថ្លៃសេវាលើសពីការកំណត់ដោយច្បាប់", "decision_ref": "Prakas 12/2025 MLVT",
     "state": "overturned"},
    {"licence_number": LICENSED, "kind": "suspension", "decided_on": iso(-3),
     "effective_from": iso(-3), "reason_en": "Draft: unlicensed village brokers",
     "decision_ref": "Prakas 99/2026 MLVT DRAFT", "state": "pending"},
    {"licence_number": SUSPENDED_OPEN, "kind": "suspension", "decided_on": iso(-31),
     "effective_from": SUSPENSION_OPEN_FROM.isoformat(),
     "reason_en": "Sending workers abroad on tourist visas",
     "reason_km": "បញ្ជូនពលករទៅធ្វើការដោយប្រើទិដ្ឋាការទេសចរណ៍",
     "decision_ref": "Prakas 20/2026 MLVT", "state": "in_force"},
    {"licence_number": SUSPENDED_DATED, "kind": "suspension", "decided_on": iso(-6),
     "effective_from": SUSPENSION_DATED_FROM.isoformat(),
     "effective_to": SUSPENSION_DATED_TO.isoformat(),
     "reason_en": "Keeping workers' passports", "decision_ref": "Prakas 31/2026 MLVT",
     "state": "under_appeal"},
    {"licence_number": REVOKED, "kind": "revocation", "decided_on": iso(-95),
     "effective_from": REVOCATION_FROM.isoformat(), "reason_en": "Recruiting children under 18",
     "reason_my": "အသက် ၁၈ နှစ်အောက် ကလေးများကို အလုပ်ခေါ်ယူခြင်း",
     "decision_ref": "Prakas 5/2026 MLVT", "state": "in_force"},
    {"licence_number": REVOKED, "kind": "warning", "decided_on": iso(-400),
     "reason_en": "Late quarterly report", "decision_ref": "Warning 7/2025 MLVT",
     "state": "in_force"},
]

COMPLAINTS = [
    {"licence_number": LICENSED, "received_on": iso(-300), "category": "excessive_fees",
     "destination": "TH", "workers_affected": "5", "status": "resolved",
     "compensation_amount": "4000000", "currency": "KHR", "closed_on": iso(-250),
     "complainant_name": "ចាន់ សុភា", "complainant_phone": "097 111 2222",
     "details": "ពលករត្រូវបង់ប្រាក់ ៩០០ ដុល្លារ", "case_ref": "C-2025-0001"},
    {"licence_number": LICENSED, "received_on": iso(-100), "category": "excessive_fees",
     "destination": "TH", "workers_affected": "2", "status": "investigating",
     "case_ref": "C-2026-0002"},
    {"licence_number": LICENSED, "received_on": iso(-50), "category": "deception",
     "destination": "KR", "workers_affected": "10", "status": "mediated",
     "compensation_amount": "500", "currency": "USD", "closed_on": iso(-20),
     "case_ref": "C-2026-0003"},
]

REPRESENTATIVES = [
    {"licence_number": LICENSED, "name": "សុខ ដារ៉ា", "id_number": "REP-KH-0001",
     "phone": "+855 98 625 377", "province": "KH-12", "authorised_from": iso(-100),
     "authorised_to": iso(300)},
    {"licence_number": LICENSED, "name": "Chan Vuthy", "id_number": "REP-KH-0002",
     "phone": "010 617 744", "province": "KH-2", "authorised_from": iso(-400),
     "authorised_to": iso(-10)},
]


@pytest.fixture
def registry(load):
    load(agencies=AGENCIES, sanctions=SANCTIONS, complaints=COMPLAINTS,
         representatives=REPRESENTATIVES)


# -- helpers ---------------------------------------------------------------------------------------
def text(response):
    return response.get_data(as_text=True)


def html_lang(response):
    match = re.search(r'<html lang="([^"]+)"', text(response))
    return match and match.group(1)


def location_path(response):
    """The redirect target without scheme and host, with its query string."""
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "registry.test"), response.headers["Location"]
    return parts.path + (f"?{parts.query}" if parts.query else "")


def result_numbers(response):
    """Licence numbers of the search results, in page order."""
    match = re.search(r'<ol class="results">(.*?)</ol>', text(response), re.S)
    if not match:
        return []
    return re.findall(r'href="/[a-z]{2}/agencies/([^"]+)"', match.group(1))


def switcher_link(response, lang):
    match = re.search(rf'<a href="([^"]+)" lang="{lang}" hreflang="{lang}">', text(response))
    assert match, f"no language link to {lang}"
    return html.unescape(match.group(1))


def verdict(response):
    match = re.search(r'<section class="verdict verdict-([a-z_]+)"[^>]*>(.*?)</section>',
                      text(response), re.S)
    assert match, "no status banner"
    inline = re.sub(r"</?(?:span|strong|time|a|abbr)\b[^>]*>", "", match.group(2))
    return match.group(1), " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def section(response, heading):
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(.*?)</section>", text(response), re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


# -- languages -------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers, expected", [
    ({}, "km"),  # the KH profile's default
    ({"Accept-Language": "en-US,en;q=0.9"}, "en"),
    ({"Accept-Language": "my-MM,my;q=0.9,en;q=0.5"}, "my"),
    ({"Accept-Language": "fr-FR,de;q=0.8"}, "km"),
    ({"Accept-Language": "en", "Cookie": "my"}, "my"),
    ({"Accept-Language": "my", "Cookie": "en"}, "en"),
    ({"Accept-Language": "en", "Cookie": "xx"}, "en"),  # an unknown cookie is ignored
    ({"Cookie": "../etc"}, "km"),
], ids=["country-default", "accept-en", "accept-my", "accept-unsupported", "cookie-beats-header",
        "cookie-en", "bad-cookie-ignored", "hostile-cookie-ignored"])
def test_root_redirects_by_cookie_then_accept_language_then_country(client, headers, expected):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")  # a visitor who states no preference
    headers = dict(headers)
    if "Cookie" in headers:
        client.set_cookie("lang", headers.pop("Cookie"), domain="registry.test")
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert location_path(response) == f"/{expected}/"


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_home_page_in_each_language(client, registry, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    assert html_lang(response) == lang
    assert 'name="q"' in text(response)
    assert HOTLINE in text(response)
    assert "6 agencies" in text(response) or lang != "en"


@pytest.mark.parametrize("page, target", [
    ("/en/", "km"),
    ("/km/search?q=Angkor&status=licensed&page=1", "my"),
    ("/my/search?q=%E1%9E%A2%E1%9E%84%E1%9F%92%E1%9E%82%E1%9E%9A&province=KH-12", "en"),
    (f"/en/agencies/{LICENSED}", "km"),
    ("/km/verify", "en"),
], ids=["home", "search-filters", "search-khmer-query", "agency", "verify"])
def test_language_switcher_keeps_page_and_query(client, registry, page, target):
    source_lang = page.split("/")[1]
    response = client.get(page)
    assert response.status_code == 200
    link = switcher_link(response, target)
    assert link.startswith(f"/language/{target}?next=")

    switched = client.get(link)
    assert switched.status_code == 302
    assert f"lang={target}" in switched.headers["Set-Cookie"]
    landed = location_path(switched)
    source = urlsplit(page)
    landed_parts = urlsplit(landed)
    assert landed_parts.path == source.path.replace(f"/{source_lang}/", f"/{target}/", 1)
    assert parse_qs(landed_parts.query) == parse_qs(source.query)

    final = client.get(landed)
    assert final.status_code == 200
    assert html_lang(final) == target
    # The cookie now decides where / leads.
    assert location_path(client.get("/")) == f"/{target}/"


@pytest.mark.parametrize("target, exactly_root", [
    ("https://evil.example/", True),
    ("//evil.example/en/", True),
    ("http:/evil.example", True),
    ("javascript:alert(1)", True),
    ("evil.example/en/", True),
    ("\\\\evil.example", True),
    ("/\t/evil.example", True),
    # Browsers read a backslash as a slash: the Location must not become "/\evil.example".
    ("/\\evil.example", False),
    ("/%5Cevil.example", False),
])
def test_language_switch_refuses_to_leave_the_site(client, target, exactly_root):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    as_browser = urlsplit(location.replace("\\", "/"))
    assert as_browser.netloc in ("", "registry.test"), location
    assert as_browser.scheme in ("", "http", "https"), location
    if exactly_root:
        assert location_path(response) == "/"


def test_unknown_language_code_in_switcher_is_404(client):
    assert client.get("/language/fr?next=/en/").status_code == 404


# -- search ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, expected_first", [
    ("Angkor Manpower", LICENSED),
    ("angkor", LICENSED),
    ("Angkhor Manpower", LICENSED),  # transliterations vary
    ("Angkor Jobs", LICENSED),  # alias
    ("kh mlvt 2025 0101", LICENSED),
    ("khmlvt20250101", LICENSED),
    ("KH-MLVT-2022-0040", LICENSED),  # the older licence number finds the same agency
    ("+855 12 345 678", LICENSED),
    ("012-345-678", LICENSED),
    ("85512345678", LICENSED),
    ("(0)23 880 881", LICENSED),
    ("098625377", LICENSED),  # a representative's phone leads to the agency
    ("អង្គរ", LICENSED),
    (f"អង្គ{ZWSP}រ ម៉ែន{ZWSP}ផៅវ័រ", LICENSED),  # zero-width spaces never change a match
    ("អង្គរម៉ែនផៅវ័រ", LICENSED),
    ("ជ្រើសរើសបាយ័ន", SUSPENDED_OPEN),
    ("ရွှေမြန်မာ", BURMESE),
    ("ရွှေကြာ", REVOKED),
    ("Mekong Link", EXPIRED),
])
def test_search_finds_the_agency(client, registry, query, expected_first):
    response = client.get("/en/search", query_string={"q": query})
    assert response.status_code == 200
    numbers = result_numbers(response)
    assert numbers and numbers[0] == expected_first, numbers
    assert "No licence on record: do not pay" not in text(response)


@pytest.mark.parametrize("filters, expected", [
    ({"status": "suspended"}, {SUSPENDED_OPEN, SUSPENDED_DATED}),
    ({"status": "revoked"}, {REVOKED}),
    ({"status": "expired"}, {EXPIRED}),
    ({"status": "licensed"}, {LICENSED, BURMESE}),
    ({"province": "KH-17"}, {SUSPENDED_OPEN}),
    ({"province": "KH-12"}, {LICENSED, REVOKED, BURMESE}),
    ({"destination": "JP"}, {SUSPENDED_DATED}),
    ({"destination": "th"}, {LICENSED, REVOKED, EXPIRED, BURMESE}),
    ({"status": "licensed", "destination": "TH", "province": "KH-12"}, {LICENSED, BURMESE}),
    ({"q": "Angkor", "status": "suspended"}, set()),
    ({"q": "Manpower", "province": "KH-12"}, {LICENSED, BURMESE}),
])
def test_search_filters_narrow_results(client, registry, filters, expected):
    response = client.get("/en/search", query_string=filters)
    assert response.status_code == 200
    assert set(result_numbers(response)) == expected
    if not expected:
        assert "No licence on record" in text(response)


def test_empty_search_lists_every_agency(client, registry):
    everything = set(result_numbers(client.get("/en/search?q=")))
    assert everything == {LICENSED, SUSPENDED_OPEN, SUSPENDED_DATED, REVOKED, EXPIRED, BURMESE}


def test_unknown_filter_is_ignored_with_a_notice(client, registry):
    response = client.get("/en/search?q=Angkor&status=bogus&province=KH-99")
    assert response.status_code == 200
    assert result_numbers(response)[0] == LICENSED
    assert "status filter was not understood" in text(response)
    assert "province filter was not understood" in text(response)


def test_search_pages(app, client, registry):
    app.config["RESULTS_PER_PAGE"] = 2
    seen, pages = [], []
    for page in (1, 2, 3):
        response = client.get(f"/en/search?q=&page={page}")
        assert response.status_code == 200
        numbers = result_numbers(response)
        assert len(numbers) == 2
        seen += numbers
        pages.append(text(response))
    assert len(set(seen)) == 6, "each agency on exactly one page"
    assert "Page 1 of 3" in pages[0] and 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="prev"' in pages[1] and 'rel="next"' in pages[1]
    assert "Page 3 of 3" in pages[2] and 'rel="next"' not in pages[2]


def test_page_past_the_end_repeats_no_results(app, client, registry):
    app.config["RESULTS_PER_PAGE"] = 2
    response = client.get("/en/search?q=&page=9")
    assert response.status_code == 302  # to the last page
    response = client.get(location_path(response))
    assert "Page 3 of 3" in text(response) and "Page 9 of 3" not in text(response)


def test_page_past_the_end_of_a_match_does_not_say_no_licence(app, client, registry):
    app.config["RESULTS_PER_PAGE"] = 1
    response = client.get("/en/search?q=Manpower&province=KH-12&page=5")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        response = client.get(location_path(response))
    assert "do not pay fees to this agency" not in text(response)
    assert "verdict-not_licensed" not in text(response)


def test_search_page_links_keep_query_and_filters(app, client, registry):
    app.config["RESULTS_PER_PAGE"] = 1
    response = client.get("/en/search?q=Manpower&province=KH-12")
    assert "2 agencies found." in text(response)
    link = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', text(response)).group(1))
    assert parse_qs(urlsplit(link).query) == {"q": ["Manpower"], "province": ["KH-12"],
                                              "page": ["2"]}
    second = client.get(link)
    assert len(result_numbers(second)) == 1
    assert set(result_numbers(response) + result_numbers(second)) == {LICENSED, BURMESE}


@pytest.mark.parametrize("lang", ["en", "km", "my"])
@pytest.mark.parametrize("query", ["KH-MLVT-1999-9999", "099 999 999", "kh mlvt 1999 O999"])
def test_an_unknown_number_says_no_licence_and_shows_hotline(client, registry, lang, query):
    response = client.get(f"/{lang}/search", query_string={"q": query})
    assert response.status_code == 200
    assert result_numbers(response) == []
    assert 'class="verdict verdict-not_licensed"' in text(response)
    assert f'href="tel:{HOTLINE}"' in text(response)
    if lang == "en":
        assert "No licence on record: do not pay fees to this agency." in text(response)


@pytest.mark.parametrize("lang", ["en", "km", "my"])
@pytest.mark.parametrize("query", ["Zzyzx Qwerty Overseas", "ភ្នាក់ងារ ក្លែងក្លាយ", "ကုမ္ပဏီတု"])
def test_an_unknown_name_never_says_no_licence(client, registry, app, lang, query):
    """A name may be spelt in a way no rule foresaw (issue 14): the page says the name was not
    found, how to search better, and not to pay until the agency is found; not "no licence"."""
    response = client.get(f"/{lang}/search", query_string={"q": query})
    assert response.status_code == 200
    assert result_numbers(response) == []
    page = text(response)
    assert "verdict-not_licensed" not in page and 'class="verdict verdict-unknown"' in page
    assert f'href="tel:{HOTLINE}"' in page
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert str(NOTHING_FOUND["name"]) in page
        assert str(NOTHING_FOUND["identifier"]) not in page


def test_filters_that_match_nothing_say_so(client, registry):
    response = client.get("/en/search", query_string={"status": "revoked", "province": "KH-25"})
    assert "No agency matches these filters." in text(response)
    assert "verdict-not_licensed" not in text(response)


# -- agency page -----------------------------------------------------------------------------------
STATUS_CASES = [
    (LICENSED, "licensed", "Licensed",
     f"Licence {LICENSED} is valid from {shown(LICENSED_ISSUED)} to {shown(LICENSED_EXPIRES)}."),
    (SUSPENDED_OPEN, "suspended", "Suspended",
     f"Suspended from {shown(SUSPENSION_OPEN_FROM)} until further notice "
     "(decision Prakas 20/2026 MLVT)."),
    (SUSPENDED_DATED, "suspended", "Suspended",
     f"Suspended from {shown(SUSPENSION_DATED_FROM)} to {shown(SUSPENSION_DATED_TO)} "
     "(decision Prakas 31/2026 MLVT)."),
    (REVOKED, "revoked", "Licence revoked",
     f"Revoked from {shown(REVOCATION_FROM)} (decision Prakas 5/2026 MLVT)."),
    (EXPIRED, "expired", "Licence expired", f"Licence {EXPIRED} ended on {shown(EXPIRED_ON)}."),
]


@pytest.mark.parametrize("number, code, badge, reason", STATUS_CASES,
                         ids=["licensed", "suspended-open", "suspended-dated", "revoked",
                              "expired"])
def test_agency_status_banner(client, registry, number, code, badge, reason):
    response = client.get(f"/en/agencies/{number}")
    assert response.status_code == 200
    banner_code, banner = verdict(response)
    assert banner_code == code
    assert badge in banner
    assert reason in banner
    assert f"Status on {shown(TODAY)}." in banner


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_agency_page_in_each_language(client, registry, lang):
    response = client.get(f"/{lang}/agencies/{REVOKED}")
    assert response.status_code == 200
    assert html_lang(response) == lang
    assert verdict(response)[0] == "revoked"
    assert LOTUS_MY in text(response)
    if lang == "my":  # the Burmese reason on the Burmese page
        assert "အသက် ၁၈ နှစ်အောက် ကလေးများကို အလုပ်ခေါ်ယူခြင်း" in text(response)


def test_khmer_name_keeps_its_zero_width_spaces_on_the_page(client, registry):
    response = client.get(f"/km/agencies/{LICENSED}")
    assert f"<h1>{ANGKOR_KM}</h1>" in text(response)


def test_overturned_sanction_is_shown_as_overturned(client, registry):
    sanctions = section(client.get(f"/en/agencies/{LICENSED}"), "Sanctions")
    assert 'class="sanction sanction-overturned"' in sanctions
    assert "Overturned (cancelled on appeal)" in sanctions
    assert "Prakas 12/2025 MLVT" in sanctions
    assert "Charging fees above the legal limit" in sanctions


def test_overturned_and_pending_sanctions_do_not_change_the_status(client, registry):
    assert verdict(client.get(f"/en/agencies/{LICENSED}"))[0] == "licensed"


def test_pending_sanction_is_not_public(client, registry):
    for lang in ("en", "km", "my"):
        page = text(client.get(f"/{lang}/agencies/{LICENSED}"))
        assert "Prakas 99/2026 MLVT DRAFT" not in page
        assert "unlicensed village brokers" not in page
        assert "sanction-pending" not in page
        assert "Awaiting approval" not in page


def test_sanction_timeline_shows_dates_and_kinds(client, registry):
    suspended = section(client.get(f"/en/agencies/{SUSPENDED_OPEN}"), "Sanctions")
    assert f"From {shown(SUSPENSION_OPEN_FROM)} until further notice" in suspended
    dated = section(client.get(f"/en/agencies/{SUSPENDED_DATED}"), "Sanctions")
    assert (f"From {shown(SUSPENSION_DATED_FROM)} to {shown(SUSPENSION_DATED_TO)}" in dated)
    assert "Under appeal (still applies)" in dated
    revoked = section(client.get(f"/en/agencies/{REVOKED}"), "Sanctions")
    assert "Revocation" in revoked and "Warning" in revoked
    assert f"From {shown(REVOCATION_FROM)}" in revoked


def test_complaint_summary(client, registry):
    complaints = section(client.get(f"/en/agencies/{LICENSED}"), "Complaints")
    assert "3 complaints on record." in complaints
    assert "17 workers affected." in complaints
    assert re.search(r'Charged too much in fees</td><td class="num">2<', complaints)
    assert re.search(r'Lied about the job</td><td class="num">1<', complaints)
    for outcome in ("Resolved", "Being investigated", "Settled by mediation"):
        assert re.search(rf'{outcome}</td><td class="num">1<', complaints), outcome
    # The riel without decimals (the country profile), other currencies as CLDR has them.
    for shown in ("KHR4,000,000<", html.escape(format_currency(Decimal("500"), "USD",
                                                                locale="en"))):
        assert shown in complaints
    assert "KHR4,000,000.00" not in complaints
    assert complaints.count('<tr><td data-label="Received"><time') == 3
    assert '<details class="all-complaints">' in complaints  # the list folds away


def test_agency_without_complaints_says_so(client, registry):
    page = text(client.get(f"/en/agencies/{EXPIRED}"))
    assert "No complaints on record." in page
    assert "No sanctions on record." in page


def test_representatives_are_listed_with_authorisation(client, registry):
    reps = section(client.get(f"/en/agencies/{LICENSED}"), "Authorised brokers and representatives")
    rows = re.findall(r'<tr><td data-label="Name">(.*?)</tr>', reps, re.S)
    by_name = {re.match(r"([^<]+)", row).group(1): row for row in rows}
    assert set(by_name) == {"សុខ ដារ៉ា", "Chan Vuthy"}
    assert "REP-KH-0001" in by_name["សុខ ដារ៉ា"] and "+855 98 625 377" in by_name["សុខ ដារ៉ា"]
    assert "Yes" in by_name["សុខ ដារ៉ា"]
    assert "No longer" in by_name["Chan Vuthy"]


def test_agency_without_representatives_warns(client, registry):
    page = text(client.get(f"/en/agencies/{SUSPENDED_OPEN}"))
    assert "No representatives are registered." in page


def test_official_channels_are_listed(client, registry):
    channels = section(client.get(f"/en/agencies/{LICENSED}"),
                       "Official phone numbers, pages and offices")
    for value in ("012 345 678", "+855 23 880 881", "https://www.facebook.com/angkormanpower",
                  "@angkor_manpower", "Battambang branch, Street 3",
                  "info@angkor-manpower.example"):
        assert value in channels, value
    assert "Facebook page" in channels and "Telegram" in channels and "Branch office" in channels


def test_agency_facts(client, registry):
    page = text(client.get(f"/en/agencies/{LICENSED}"))
    assert "Phnom Penh" in page  # province from the country profile
    assert "Thailand" in page and "South Korea" in page  # destinations from CLDR
    assert "Angkor Jobs" in page
    history = section(client.get(f"/en/agencies/{LICENSED}"), "Licence history")
    assert history.index(LICENSED) < history.index(LICENSED_OLD), "newest licence first"


@pytest.mark.parametrize("lang, asked", [
    ("en", LICENSED_OLD),
    ("en", LICENSED.lower()),
    ("km", "kh mlvt 2025 0101"),
    ("my", "KH/MLVT/2025/0101"),
    ("en", f"{LICENSED[:6]}{ZWSP}{LICENSED[6:]}"),
])
def test_other_spellings_redirect_permanently_to_canonical_url(client, registry, lang, asked):
    response = client.get(f"/{lang}/agencies/{asked}")
    assert response.status_code == 301
    assert location_path(response) == f"/{lang}/agencies/{LICENSED}"
    assert client.get(location_path(response)).status_code == 200


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_unknown_licence_is_a_404_that_says_no_licence(client, registry, lang):
    response = client.get(f"/{lang}/agencies/KH-MLVT-1999-0001")
    assert response.status_code == 404
    assert html_lang(response) == lang
    assert verdict(response)[0] == "not_licensed"
    assert "KH-MLVT-1999-0001" in text(response)
    assert f'href="tel:{HOTLINE}"' in text(response)
    if lang == "en":
        assert "No licence on record: do not pay fees to this agency." in text(response)


# -- verify and receipts ---------------------------------------------------------------------------
def verify(client, lang="en", **form):
    """Ask on the verify page; the receipt's address, in the language asked in."""
    response = client.post(f"/{lang}/verify", data=form)
    assert response.status_code == 303, text(response)[:500]
    path = location_path(response)
    assert re.fullmatch(rf"/{lang}/verify/V-\d{{8}}-[0-9A-HJKMNP-TV-Z]{{6}}", path), path
    return path


def receipt_parts(response):
    page = text(response)
    payload = html.unescape(re.search(r'<pre class="payload"[^>]*>(.*?)</pre>', page, re.S)
                            .group(1))
    signature = re.search(r'<p class="meta signature"[^>]*>([^<]+)</p>', page).group(1).strip()
    return payload, signature


def signature_is_valid(client, payload, signature):
    key_response = client.get("/verify/public-key.pem")
    assert key_response.status_code == 200
    key = load_pem_public_key(key_response.data)
    try:
        key.verify(base64.b64decode(signature), payload.encode("utf-8"))
    except Exception:  # noqa: BLE001 - InvalidSignature or a malformed signature
        return False
    return True


def test_verify_page_form(client, registry):
    response = client.get("/km/verify")
    assert response.status_code == 200
    assert html_lang(response) == "km"
    assert 'name="licence"' in text(response) and 'name="phone"' in text(response)


@pytest.mark.parametrize("form, answer, status", [
    ({"licence": "kh mlvt 2025 0101"}, "YES: licensed on that day.", "licensed"),
    ({"licence": LICENSED_OLD}, "YES: licensed on that day.", "licensed"),
    ({"licence": "", "phone": "+855 12 345 678"}, "YES: licensed on that day.", "licensed"),
    ({"licence": "", "phone": "0986 253 77"}, "YES: licensed on that day.", "licensed"),
    ({"licence": SUSPENDED_OPEN}, "NO: not licensed on that day.", "suspended"),
    ({"licence": REVOKED}, "NO: not licensed on that day.", "revoked"),
    ({"licence": EXPIRED}, "NO: not licensed on that day.", "expired"),
    ({"licence": "KH-MLVT-1999-0001"}, "NO: not licensed on that day.", "not_licensed"),
    ({"licence": "", "phone": "099 999 999"}, "NO: not licensed on that day.", "not_licensed"),
])
def test_verify_gives_a_signed_receipt(client, registry, form, answer, status):
    path = verify(client, **form)
    response = client.get(path)
    assert response.status_code == 200
    page = text(response)
    assert answer in page
    assert f"verdict-{status}" in page
    assert "<svg" in page  # the QR code, inline
    payload, signature = receipt_parts(response)
    data = json.loads(payload)
    assert data["status"] == status
    assert data["verified"] is (status == "licensed")
    assert data["reference"] == path.rsplit("/", 1)[1]
    assert data["url"].endswith(f"/verify/{data['reference']}")  # any language: it redirects
    assert payload == json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert signature_is_valid(client, payload, signature)
    if status == "not_licensed":
        assert data["agency"] is None
        assert "No licence on record: do not pay fees to this agency." in page


def test_receipt_signature_fails_for_an_altered_payload(client, registry):
    payload, signature = receipt_parts(client.get(verify(client, licence=SUSPENDED_OPEN)))
    forged = payload.replace('"verified":false', '"verified":true')
    assert forged != payload
    assert signature_is_valid(client, payload, signature)
    assert not signature_is_valid(client, forged, signature)


def test_receipt_keeps_the_old_answer_after_the_agency_is_suspended(client, load, registry):
    path = verify(client, licence=LICENSED)
    before = client.get(path)
    assert "YES: licensed on that day." in text(before)

    load(agencies=[], sanctions=[{
        "licence_number": LICENSED, "kind": "suspension", "decided_on": iso(0),
        "effective_from": iso(0), "reason_en": "Workers stranded abroad",
        "decision_ref": "Prakas 77/2026 MLVT", "state": "in_force"}])
    assert verdict(client.get(f"/en/agencies/{LICENSED}"))[0] == "suspended"

    after = client.get(path)
    assert after.status_code == 200
    assert "YES: licensed on that day." in text(after)
    assert receipt_parts(after) == receipt_parts(before)
    assert signature_is_valid(client, *receipt_parts(after))
    # ...while a new check gives the new answer.
    fresh = client.get(verify(client, licence=LICENSED))
    assert "NO: not licensed on that day." in text(fresh)
    assert json.loads(receipt_parts(fresh)[0])["status"] == "suspended"


def test_receipt_reference_is_case_insensitive(client, registry):
    path = verify(client, licence=LICENSED)
    assert client.get(path.lower().replace("/verify/v-", "/verify/V-")).status_code == 200


@pytest.mark.parametrize("form", [
    {}, {"licence": "", "phone": ""}, {"licence": "   "}, {"licence": " ", "phone": "\t"},
    {"licence": ZWSP * 3},  # invisible only: empty too
])
def test_verify_empty_form_is_400_with_a_message(client, registry, form):
    response = client.post("/en/verify", data=form)
    assert response.status_code == 400
    assert "Type a licence number, a phone number or a clearance number." in text(response)
    assert 'role="alert"' in text(response)


def test_verify_phone_only_post_without_licence_field(client, registry):
    response = client.post("/en/verify", data={"phone": "+855 12 345 678"})
    assert response.status_code == 303
    assert "YES: licensed on that day." in text(client.get(location_path(response)))


def test_verify_too_long_input_is_400(client, registry):
    response = client.post("/en/verify", data={"licence": "K" * 101})
    assert response.status_code == 400
    assert 'role="alert"' in text(response)


@pytest.mark.parametrize("reference", ["V-20260101-ZZZZZZ", "nothing", "V-" + "9" * 40])
def test_unknown_receipt_is_404(client, registry, reference):
    response = client.get(f"/verify/{reference}")
    assert response.status_code == 404
    assert "No check with this reference" in text(response)


# -- caching and headers ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/en/", f"/en/agencies/{LICENSED}", "/km/search?q=Angkor",
                                 "/feeds/sanctions.atom", f"/feeds/agencies/{LICENSED}.atom"])
def test_etag_revalidation_gives_304(client, registry, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers.get("ETag")
    assert etag
    assert "no-cache" in first.headers.get("Cache-Control", "")
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""


def test_etag_changes_when_the_status_changes(client, load, registry):
    url = f"/en/agencies/{BURMESE}"
    etag = client.get(url).headers["ETag"]
    load(agencies=[], sanctions=[{
        "licence_number": BURMESE, "kind": "revocation", "decided_on": iso(0),
        "effective_from": iso(0), "decision_ref": "Prakas 88/2026 MLVT", "state": "in_force"}])
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert verdict(response)[0] == "revoked"


@pytest.mark.parametrize("url", ["/en/", "/km/search?q=x", f"/my/agencies/{LICENSED}",
                                 "/en/agencies/NOPE-1", "/en/verify", "/xx/",
                                 "/feeds/sanctions.atom", "/data/", "/api/v1/search?q=Angkor",
                                 "/api/v1/agencies/NOPE-1"])
def test_security_headers(client, registry, url):
    response = client.get(url)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'none'" in csp or "script-src 'self'" in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_pages_load_nothing_from_other_hosts(client, registry):
    for url in ("/en/", f"/km/agencies/{LICENSED}", "/my/search?q=Shwe"):
        page = text(client.get(url))
        for src in re.findall(r'(?:src|href)="([^"]+)"', page):
            if src.startswith(("tel:", "mailto:")):
                continue
            assert urlsplit(src).netloc in ("", "registry.test"), src


# -- feeds -----------------------------------------------------------------------------------------
def feed_entries(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # raises on invalid XML
    assert root.tag == f"{ATOM}feed"
    return [{"id": e.findtext(f"{ATOM}id"), "title": e.findtext(f"{ATOM}title"),
             "summary": e.findtext(f"{ATOM}summary")} for e in root.iter(f"{ATOM}entry")]


def test_sanctions_feed_is_valid_atom_without_pending(client, registry):
    entries = feed_entries(client.get("/feeds/sanctions.atom"))
    summaries = " ".join(e["summary"] for e in entries)
    assert len(entries) == 5  # six sanctions, one of them pending
    assert "Prakas 99/2026 MLVT DRAFT" not in summaries
    for ref in ("Prakas 12/2025 MLVT", "Prakas 20/2026 MLVT", "Prakas 31/2026 MLVT",
                "Prakas 5/2026 MLVT", "Warning 7/2025 MLVT"):
        assert ref in summaries
    overturned = [e for e in entries if "Prakas 12/2025 MLVT" in e["summary"]][0]
    assert "Overturned" in overturned["title"]
    assert len({e["id"] for e in entries}) == len(entries)


def test_agency_feed_is_valid_atom_without_pending(client, registry):
    entries = feed_entries(client.get(f"/feeds/agencies/{LICENSED}.atom"))
    assert len(entries) == 1
    assert "Prakas 12/2025 MLVT" in entries[0]["summary"]
    assert "DRAFT" not in client.get(f"/feeds/agencies/{LICENSED}.atom").get_data(as_text=True)


def test_agency_feed_by_older_licence_number_and_unknown(client, registry):
    assert len(feed_entries(client.get(f"/feeds/agencies/{LICENSED_OLD}.atom"))) == 1
    assert feed_entries(client.get(f"/feeds/agencies/{EXPIRED}.atom")) == []
    assert client.get("/feeds/agencies/KH-MLVT-1999-0001.atom").status_code == 404


def test_agency_page_links_its_feed(client, registry):
    page = text(client.get(f"/en/agencies/{SUSPENDED_OPEN}"))
    assert f'type="application/atom+xml" href="/feeds/agencies/{SUSPENDED_OPEN}.atom"' in page


def test_feeds_stay_valid_xml_with_markup_characters_in_data(client, load):
    load(agencies=[agency_row("KH-MLVT-2025-0777", "Mekong Manpower & Services Co., Ltd.")],
         sanctions=[{"licence_number": "KH-MLVT-2025-0777", "kind": "warning",
                     "decided_on": iso(-10), "reason_en": "Fees <above> the limit & more",
                     "decision_ref": "Prakas 9/2026 MLVT", "state": "in_force"}])
    for url in ("/feeds/sanctions.atom", "/feeds/agencies/KH-MLVT-2025-0777.atom",
                "/feeds/sanctions.atom?a=1&b=2"):
        entries = feed_entries(client.get(url))
        assert entries[0]["title"].endswith("Mekong Manpower & Services Co., Ltd.")
        assert "Fees <above> the limit & more" in entries[0]["summary"]
