"""Posters and leaflets to print (issue 11): a province's licensed agencies (A4) and one agency's
leaflet (A5). Web tests through the test client; PDF tests print the pages with Debian's
Chromium (Playwright) and read the PDFs back with poppler-utils."""
import html
import re
import shutil
import subprocess
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import event
from werkzeug.serving import make_server

from registry import create_app
from registry.countries import for_config
from registry.extensions import db
from registry.models import Agency
from registry.qrcode import qr_svg
from registry.services.agencies import profile
from registry.services.imports import import_folder

from .conftest import agency_row, historic_approver, write_folder
from .test_browser import CHROMIUM, FLAGS
from .test_languages import catalog, visible_text
from . import test_privacy as privacy

TODAY = date.today()
ZWSP = "\u200b"


def iso(offset):
    return (TODAY + timedelta(days=offset)).isoformat()


ANGKOR = "KH-MLVT-2025-0101"
AMBER = "KH-MLVT-2025-0102"  # lower-case English name: before "Angkor" all the same
BAYON = "KH-MLVT-2024-0202"
REVOKED = "KH-MLVT-2023-0404"
EXPIRED = "KH-MLVT-2020-0505"
NOT_YET = "KH-MLVT-2026-0707"
PENDING = "KH-MLVT-2025-0808"  # a pending suspension changes nothing until it is approved
ELSEWHERE = "KH-MLVT-2025-0909"
ANGKOR_KM = f"ក្រុមហ៊ុន{ZWSP}អង្គរ{ZWSP}ម៉ែនផៅវ័រ"
SHWE_MY = "ရွှေမြန်မာ လူ့စွမ်းအား အေဂျင်စီ"
LISTED = [AMBER, ANGKOR, PENDING]  # in the order of their English names


@pytest.fixture
def province_registry(load):
    load(agencies=[
        agency_row(ANGKOR, "Angkor Manpower Co., Ltd.", iso(-400), iso(700), name_km=ANGKOR_KM,
                   name_my=SHWE_MY, province="KH-12", phones="012 345 678;023 880 990"),
        agency_row(AMBER, "amber workers", iso(-10), iso(300), province="KH-12"),
        agency_row(BAYON, "Bayon Recruitment Agency", iso(-400), iso(700), province="KH-12"),
        agency_row(REVOKED, "Mekong Revoked Ltd", iso(-400), iso(700), province="KH-12"),
        agency_row(EXPIRED, "Old Expired Ltd", iso(-800), iso(-1), province="KH-12"),
        agency_row(NOT_YET, "Not Yet Ltd", iso(5), iso(800), province="KH-12"),
        agency_row(PENDING, "Pending Sanction Ltd", iso(-400), iso(700), province="KH-12"),
        agency_row(ELSEWHERE, "Battambang Licensed Ltd", iso(-400), iso(700), province="KH-2"),
    ], sanctions=[
        {"licence_number": BAYON, "kind": "suspension", "decided_on": iso(-20),
         "effective_from": iso(-20), "reason_en": "Kept passports", "state": "in_force"},
        {"licence_number": REVOKED, "kind": "revocation", "decided_on": iso(-30),
         "effective_from": iso(-30), "reason_en": "Trafficking", "state": "in_force"},
    ])
    load(agencies=[], sanctions=[
        {"licence_number": PENDING, "kind": "suspension", "decided_on": iso(-2),
         "effective_from": iso(-2), "reason_en": "Awaiting approval"}])


def text(response):
    return html.unescape(response.get_data(as_text=True))


def listed(response):
    """Licence numbers on a poster, in order."""
    return re.findall(r'<li class="entry">.*?<span class="nobreak">([^<]+)</span>', text(response),
                      re.S)


def test_province_poster_lists_exactly_the_agencies_licensed_there_today(client,
                                                                        province_registry):
    response = client.get("/en/print/province/KH-12")
    assert response.status_code == 200
    assert listed(response) == LISTED
    page = text(response)
    assert "Phnom Penh" in page
    for number in (BAYON, REVOKED, EXPIRED, NOT_YET, ELSEWHERE):
        assert number not in page
    assert "Angkor Manpower Co., Ltd." in page and "012 345 678, 023 880 990" in page
    assert 'href="tel:1297"' in page  # the hotline
    assert f"Printed on {TODAY.strftime('%b')} {TODAY.day}, {TODAY.year}" in page
    assert "check again before paying" in page
    assert page.count("<svg") >= 1 + len(LISTED)  # the QR code, and a badge per agency
    assert "http://registry.test/en/search?province=KH-12" in page  # where the QR code leads
    assert "<script" not in page and "style=" not in page
    assert '/static/css/print' in page


def test_the_qr_code_encodes_the_live_list(client, province_registry):
    with client.application.test_request_context():
        expected = qr_svg("http://registry.test/en/search?province=KH-12")
    assert str(expected) in client.get("/en/print/province/KH-12").get_data(as_text=True)


def test_province_with_no_licensed_agency_says_so(client, province_registry):
    response = client.get("/en/print/province/KH-9")
    assert response.status_code == 200 and listed(response) == []
    assert "No agency of this province holds a licence today." in text(response)


@pytest.mark.parametrize("url", ["/en/print/province/KH-99", "/en/print/province/kh-12",
                                 "/en/print/province/Phnom%20Penh", "/fr/print/province/KH-12"])
def test_unknown_province_is_the_404_page(client, province_registry, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_leaflet_shows_one_agency(client, province_registry):
    response = client.get(f"/en/print/agencies/{ANGKOR}")
    assert response.status_code == 200
    page = text(response)
    assert "Angkor Manpower Co., Ltd." in page and ANGKOR in page
    assert "012 345 678, 023 880 990" in page and 'href="tel:1297"' in page
    assert "badge-licensed" in page and "check again before paying" in page
    assert f"http://registry.test/en/agencies/{ANGKOR}" in page


def test_leaflet_of_a_suspended_agency_says_suspended(client, province_registry):
    page = text(client.get(f"/en/print/agencies/{BAYON}"))
    assert "badge-suspended" in page and "badge-licensed" not in page


def test_a_leaflet_has_one_address_per_agency(app, client, province_registry):
    with app.app_context():
        public_id = db.session.scalar(db.select(Agency.public_id).where(
            Agency.name_en == "amber workers"))
    for asked, code in ((public_id, 302), (AMBER.lower(), 301)):
        response = client.get(f"/en/print/agencies/{asked}")
        assert response.status_code == code, asked
        assert response.headers["Location"].endswith(f"/en/print/agencies/{AMBER}")


def test_unknown_leaflet_is_the_agency_404_page(client, province_registry):
    response = client.get("/en/print/agencies/KH-MLVT-1999-0001")
    assert response.status_code == 404
    assert "No licence on record: do not pay fees to this agency." in text(response)


def test_the_agency_page_links_to_its_leaflet(client, province_registry):
    page = text(client.get(f"/en/agencies/{ANGKOR}"))
    assert f'href="/en/print/agencies/{ANGKOR}"' in page and "Print a leaflet" in page


@pytest.mark.parametrize("lang, words", [
    ("km", ["ពិនិត្យម្ដងទៀតមុនពេលបង់ប្រាក់"]),
    ("my", ["ငွေမပေးခင် ထပ်မံစစ်ဆေးပါ"]),
])
def test_khmer_and_burmese_posters_are_translated(client, province_registry, lang, words):
    for url in (f"/{lang}/print/province/KH-12", f"/{lang}/print/agencies/{ANGKOR}"):
        page = text(client.get(url))
        assert f'<html lang="{lang}">' in page
        for word in words:
            assert word in page, url
        for english in ("check again before paying", "Printed on", "Licensed recruitment"):
            assert english not in page, url
    assert ANGKOR_KM in text(client.get("/km/print/province/KH-12"))
    assert SHWE_MY in text(client.get(f"/my/print/agencies/{ANGKOR}"))


@pytest.mark.parametrize("lang", ["km", "my"])
def test_no_english_ui_text_on_khmer_and_burmese_posters(client, province_registry, lang):
    english = {m.id for m in catalog(lang) if isinstance(m.id, str) and len(m.id) > 12}
    for url in (f"/{lang}/print/province/KH-12", f"/{lang}/print/agencies/{ANGKOR}",
                f"/{lang}/print/province/KH-9"):
        shown = visible_text(client.get(url).get_data(as_text=True))
        leaked = [s for s in english if s in shown]
        assert not leaked, (url, leaked[:3])


def test_posters_keep_the_strict_csp(client, province_registry):
    for url in ("/en/print/province/KH-12", f"/en/print/agencies/{ANGKOR}"):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert "style-src 'self'" in csp and "'unsafe-inline'" not in csp, csp


@pytest.mark.parametrize("country", ["MM"])
def test_a_myanmar_region_has_its_poster(client, load, country):
    region = for_config({"REGISTRY_COUNTRY": "MM"}).provinces[0]
    load(agencies=[agency_row("MM-LIC-0001", "Shwe Pyi Manpower", iso(-10), iso(300),
                              name_my=SHWE_MY, province=region.code)])
    page = text(client.get(f"/my/print/province/{region.code}"))
    assert region.name("my") in page and SHWE_MY in page and "MM-LIC-0001" in page
    assert client.get("/my/print/province/KH-12").status_code == 404


def test_no_complainant_data_on_posters_or_leaflets(client, load):
    load(agencies=privacy.AGENCIES, sanctions=privacy.SANCTIONS, complaints=privacy.COMPLAINTS,
         representatives=privacy.REPRESENTATIVES)
    problems = []
    for lang in ("en", "km", "my"):
        for url in [f"/{lang}/print/province/KH-12", f"/{lang}/print/province/KH-17",
                    *(f"/{lang}/print/agencies/{row['licence_number']}"
                      for row in privacy.AGENCIES)]:
            response = client.get(url)
            assert response.status_code == 200, url
            problems += [f"{url}: {leak}" for leak in privacy.leaks(privacy.body_text(response))]
    assert not problems, "\n".join(problems)


def many(count, province, prefix):
    return [agency_row(f"{prefix}-{i:03d}", f"{prefix} Agency {i:03d}", iso(-100), iso(500),
                       province=province, phones=f"012 {i:03d} 111") for i in range(count)]


def test_the_poster_takes_as_many_queries_for_60_agencies_as_for_5(app, client, load):
    load(agencies=many(5, "KH-1", "FEW") + many(60, "KH-2", "MANY"),
         sanctions=[{"licence_number": f"MANY-{i:03d}", "kind": "warning", "decided_on": iso(-9),
                     "reason_en": "Late report", "state": "in_force"} for i in range(0, 60, 3)])
    app.extensions["registry_pages"].answers = None  # the view's own work, not a kept page
    counts = {}
    for code, expected in (("KH-1", 5), ("KH-2", 60)):
        client.get(f"/en/print/province/{code}")  # anything cached once per process, cached
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                response = client.get(f"/en/print/province/{code}")
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        assert len(listed(response)) == expected
        counts[code] = len(statements)
    assert counts["KH-1"] == counts["KH-2"], counts
    # The search index's catch-up check, then the agencies, their licences, sanctions, phones
    # (the record's version, pagecache.py, is read by the driver directly: not counted here).
    assert counts["KH-2"] == 5, statements


# -- printed to PDF by Chromium, read back with poppler-utils ------------------------------------
#: The layout of print.css, in millimetres: an A4 sheet, its margins, the poster's head on the
#: first sheet and each entry's fixed height.
A4_HEIGHT, A4_MARGIN, HEAD, ENTRY = 297, 12, 90, 20
FIRST_SHEET = (A4_HEIGHT - 2 * A4_MARGIN - HEAD) // ENTRY  # 9 agencies under the head
NEXT_SHEETS = (A4_HEIGHT - 2 * A4_MARGIN) // ENTRY  # 13 on each sheet after it
WALL = 60  # agencies on the printed poster
SHEETS = 1 + -(-(WALL - FIRST_SHEET) // NEXT_SHEETS)
KHMER_DIGITS, BURMESE_DIGITS = "០១២៣៤៥៦៧៨៩", "၀၁၂၃၄၅၆၇၈၉"
POPPLER = ("pdffonts", "pdftotext", "pdfinfo")


def in_digits(number, digits):
    return "".join(digits[int(d)] for d in f"{number:02d}")


def wall_row(i):
    return agency_row(f"KH-WALL-{i:03d}", f"Mekong Workers {i:02d}", iso(-100), iso(400),
                      name_km=f"ក្រុមហ៊ុន ពលករ មេគង្គ {in_digits(i, KHMER_DIGITS)}",
                      name_my=f"မဲခေါင် အလုပ်သမား အေဂျင်စီ {in_digits(i, BURMESE_DIGITS)}",
                      province="KH-12", phones=f"012 400 {i:03d}")


@pytest.fixture(scope="module")
def printing_site(tmp_path_factory):
    """A registry with 60 licensed agencies in Phnom Penh (and one suspended), served on a free
    loopback port for Chromium."""
    tmp = tmp_path_factory.mktemp("posters")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/site.db",
                      "REGISTRY_INDEX_DIR": str(tmp / "index"),
                      "REGISTRY_SIGNING_KEY_FILE": str(tmp / "key.pem"),
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
        folder = write_folder(tmp / "import", agencies=[
            *(wall_row(i) for i in range(WALL)),
            agency_row(BAYON, "Bayon Recruitment Agency", iso(-400), iso(700), province="KH-12")],
            sanctions=[{"licence_number": BAYON, "kind": "suspension", "decided_on": iso(-20),
                        "effective_from": iso(-20), "state": "in_force"}])
        import_folder(folder, profile(), "test", approved_by=historic_approver())
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    # No skip: CI installs Debian's chromium and poppler-utils (.ci/run); without them these
    # tests must fail, not vanish.
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    missing = [tool for tool in POPPLER if not shutil.which(tool)]
    assert not missing, f"{missing} required: apt-get install poppler-utils"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def printed(chromium, url, path):
    """The page as Chromium prints it: paper size from the page's @page rule, no JavaScript."""
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    errors = []  # a CSP violation, a missing font or style sheet is logged as an error
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    fonts = []
    page.on("requestfinished", lambda r: fonts.append(r.url.rsplit("/", 1)[-1].split("?")[0])
            if "/static/fonts/" in r.url else None)
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    assert not errors, errors
    # The registry's own font, not one this machine happens to have (it has none for these
    # scripts: tests/test_browser.py), is the one printed.
    lang = url.split("/")[3]
    expected = {"km": ["NotoSansKhmer-Regular.khmer.woff2"],
                "my": ["NotoSansMyanmar-Regular.myanmar.woff2"]}.get(lang, [])
    assert fonts == expected, fonts
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    context.close()
    return path


def poppler(tool, path, *args):
    return subprocess.run([tool, *args, str(path)] if tool != "pdftotext" else
                          [tool, *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def embedded_fonts(path):
    """{font name: embedded?} from pdffonts' table."""
    lines = poppler("pdffonts", path).splitlines()[2:]
    return {line.split()[0]: line.split()[-5] == "yes" for line in lines}


def info(path):
    return dict(line.split(":", 1) for line in poppler("pdfinfo", path).splitlines())


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_the_province_poster_prints_on_a4(printing_site, chromium, tmp_path, lang):
    pdf = printed(chromium, f"{printing_site}/{lang}/print/province/KH-12",
                  tmp_path / f"poster-{lang}.pdf")
    about = info(pdf)
    assert "A4" in about["Page size"], about["Page size"]
    assert int(about["Pages"]) == SHEETS == 5
    words = poppler("pdftotext", pdf)
    for i in range(WALL):
        assert f"KH-WALL-{i:03d}" in words
        assert f"Mekong Workers {i:02d}" in words
    assert BAYON not in words
    if lang == "en":
        assert "check again before paying" in words.replace("\n", " ")
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    script = {"km": "NotoSansKhmer", "my": "NotoSansMyanmar"}.get(lang)
    if script:
        assert any(script in name for name in fonts), fonts
        for i in range(WALL):
            assert wall_row(i)[f"name_{lang}"] in words, i


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_the_leaflet_prints_on_one_a5_sheet(printing_site, chromium, tmp_path, lang):
    row = wall_row(7)
    pdf = printed(chromium, f"{printing_site}/{lang}/print/agencies/{row['licence_number']}",
                  tmp_path / f"leaflet-{lang}.pdf")
    about = info(pdf)
    assert "A5" in about["Page size"] and int(about["Pages"]) == 1, about
    words = poppler("pdftotext", pdf)
    assert row["licence_number"] in words and row["name_en"] in words
    assert "012 400 007" in words and "1297" in words
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    if lang != "en":
        assert row[f"name_{lang}"] in words
        script = {"km": "NotoSansKhmer", "my": "NotoSansMyanmar"}[lang]
        assert any(script in name for name in fonts), fonts
