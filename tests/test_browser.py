"""Real Chromium (Debian's) driven by Playwright: fonts, language switcher, no-JavaScript use,
accessibility (axe-core) and screenshots in test-artifacts/."""
import json
import re
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from registry import create_app
from registry.cli import seed_command

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FONT = {"km": ("Noto Sans Khmer", "ក"), "my": ("Noto Sans Myanmar", "က")}


#: Each country's demo registry (issue 12): a word people search for, the site's own language.
COUNTRIES = {"KH": ("angkor", "km"), "MM": ("shwe", "my")}


@pytest.fixture(scope="module", params=sorted(COUNTRIES))
def site(tmp_path_factory, request):
    """A country's demo registry served on a free loopback port, in its own database and index."""
    country = request.param
    tmp = tmp_path_factory.mktemp(f"browser-{country}")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/site.db",
                      "REGISTRY_INDEX_DIR": str(tmp / "index"),
                      "REGISTRY_SIGNING_KEY_FILE": str(tmp / "key.pem"),
                      "REGISTRY_COUNTRY": country, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(seed_command).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = app.test_client()
    suspended = client.get("/api/v1/search?status=suspended&limit=1").json["results"][0]
    query, lang = COUNTRIES[country]
    native = next(r["name"][lang] for r in client.get(
        "/api/v1/search?status=licensed&limit=50").json["results"] if r["name"][lang])
    # Screenshots of the Cambodian site keep their names; the Myanmar site's start with mm-.
    yield {"url": f"http://127.0.0.1:{server.server_port}", "licence":
           suspended["licence_number"], "query": query, "lang": lang,
           "native": native.split()[-2] if len(native.split()) > 2 else native.split()[0],
           "agencies": agency_per_state(app), "shots": "" if country == "KH" else "mm-"}
    server.shutdown()


def agency_per_state(app):
    """A licence number of the demo registry for each way an agency page looks: each status,
    a licence that has not started yet, and the agency with the most complaints."""
    from registry.extensions import db
    from registry.models import Agency
    from registry.services import agencies
    from registry.wording import shown
    found = {}
    with app.app_context():
        everyone = db.session.scalars(db.select(Agency)).all()
        for agency in everyone:
            found.setdefault(shown(agencies.status_of(agency)), agency.licence_number)
        busiest = max(everyone, key=lambda a: len(a.complaints))
        found["complaints"] = busiest.licence_number
        db.session.remove()
    return found


@pytest.fixture(scope="module")
def browser():
    # No skip: CI installs Debian's chromium; without it these tests must fail, not vanish.
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def pages(site, lang):
    return {"home": f"/{lang}/", "search": f"/{lang}/search?q={site['query']}",
            "agency": f"/{lang}/agencies/{site['licence']}", "verify": f"/{lang}/verify",
            "bulk": f"/{lang}/verify/bulk"}


def open_page(browser, url, javascript=True):
    context = browser.new_context(java_script_enabled=javascript,
                                  viewport={"width": 400, "height": 800})
    page = context.new_page()
    transferred = []
    page.on("requestfinished", lambda r: transferred.append(
        (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
    page.goto(url, wait_until="networkidle")
    if javascript:
        # On a busy machine a font can still be in flight when the network looks idle.
        page.evaluate("document.fonts.ready.then(() => true)")
    return page, transferred


@pytest.mark.parametrize("lang", ["km", "my"])
@pytest.mark.parametrize("name", ["home", "search", "agency", "verify"])
def test_pages_render_with_the_script_font(site, browser, lang, name):
    page, transferred = open_page(browser, site["url"] + pages(site, lang)[name])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{site['shots']}{lang}-{name}.png"), full_page=True)
    family, sample = FONT[lang]
    assert page.evaluate("document.documentElement.lang") == lang
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "f => [...document.fonts].filter(x => x.family.replace(/\"/g, '') === f"
        " && x.status === 'loaded').length", family)
    assert loaded == 1, f"{family} was not loaded"
    assert page.evaluate("([f, s]) => document.fonts.check(`16px \"${f}\"`, s)", [family, sample])
    assert any("/static/fonts/NotoSans" in url for url, _ in transferred)
    assert not drawn_without(page), f"text drawn without {family}"
    page.context.close()


TEXT_ELEMENTS = ("h1", "h2", ".brand", "nav.main a", "label", "p", "button", "li", "td", "th",
                 "dt", "dd", "caption", "summary", "pre")


SCRIPT_FONTS = {"Noto Sans Khmer": re.compile(r"[\u1780-\u17ff]"),
                "Noto Sans Myanmar": re.compile(r"[\u1000-\u109f]")}


def drawn_without(page, selectors=TEXT_ELEMENTS):
    """Elements with Khmer or Burmese text that Chromium drew with no glyph of the shipped font
    for that script (what a reader sees as empty boxes: this machine has no system Khmer or
    Burmese font), asked of Chromium itself through DevTools."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    wrong = []
    for selector in selectors:
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root,
                                                      "selector": selector})["nodeIds"]:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            families = [f["familyName"] for f in fonts]
            if not families or "Language Names" in families:
                continue
            text = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
            text = re.sub(r"<[^>]+>", "", text)
            for family, script in SCRIPT_FONTS.items():
                if script.search(text) and family not in families:
                    wrong.append((selector, families, text[:80]))
    return wrong


def test_first_visit_bytes_and_no_script_font_on_english_pages(site, browser):
    report = {}
    for lang in ("en", "km", "my"):
        page, transferred = open_page(browser, site["url"] + f"/{lang}/")
        report[lang] = {"bytes": sum(size for _, size in transferred),
                        "requests": len(transferred),
                        "fonts": [url.rsplit("/", 1)[-1] for url, _ in transferred
                                  if "/fonts/" in url]}
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{site['shots']}first-visit-bytes.json").write_text(
        json.dumps(report, indent=2))
    names = {"LanguageNames-Khmer.woff2", "LanguageNames-Myanmar.woff2"}  # the switcher
    assert set(report["en"]["fonts"]) == names
    assert set(report["km"]["fonts"]) == names | {"NotoSansKhmer-Regular.khmer.woff2"}
    assert set(report["my"]["fonts"]) == names | {"NotoSansMyanmar-Regular.myanmar.woff2"}


def test_language_switcher_keeps_the_page_and_query(site, browser):
    query, lang = site["query"], site["lang"]
    page, _ = open_page(browser, site["url"] + f"/en/search?q={query}&status=licensed")
    page.click(f"nav.langs a[hreflang={lang}]")
    page.wait_for_load_state()
    assert re.search(rf"/{lang}/search\?q={query}&status=licensed$", page.url), page.url
    assert page.evaluate("document.documentElement.lang") == lang
    page.context.close()


def test_search_and_verify_work_with_javascript_off(site, browser):
    lang = site["lang"]
    page, _ = open_page(browser, site["url"] + f"/{lang}/", javascript=False)
    page.fill("#q", site["native"])
    page.click("form.search button")
    page.wait_for_load_state()
    assert f"/{lang}/search?q=" in page.url and page.locator("ol.results li").count() >= 1
    page.goto(site["url"] + f"/{lang}/verify")
    page.fill("#licence", site["licence"].lower())
    page.click("form.verify button")
    page.wait_for_load_state()
    assert re.search(r"/verify/V-\d{8}-[0-9A-Z]{6}$", page.url), page.url
    assert page.locator(".verdict-suspended").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"{site['shots']}{lang}-receipt-no-js.png"),
                    full_page=True)
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "km", "my"])
def test_no_serious_accessibility_violations(site, browser, lang):
    axe = Axe()
    for name, path in pages(site, lang).items():
        page, _ = open_page(browser, site["url"] + path)
        results = axe.run(page)
        serious = [(v["id"], v["impact"], len(v["nodes"]))
                   for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert not serious, (lang, name, serious)
        page.context.close()


# -- on a migrant's phone: 360 px wide (issue 13) --------------------------------------------
PHONE = {"width": 360, "height": 740}
STATES = ("licensed", "suspended", "revoked", "expired", "not_yet", "complaints")
SCRIPT_TEXT = re.compile(r"[\u1000-\u109f\u1780-\u17ff]")

# Where each line of a text node starts, measured with one Range per character.
LINE_STARTS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    if (!/[\\u1000-\\u109f\\u1780-\\u17ff]/.test(text)) continue;
    if (node.parentElement.closest('pre')) continue;  // the signed record: one long line
    let top = null; const starts = [];
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (top !== null && box.top > top + box.height / 2) starts.push(i);
      top = box.top;
    }
    if (starts.length) found.push([text, starts]);
  }
  return found;
}"""


def phone_pages(site, lang):
    found = {name: f"/{lang}/agencies/{number}" for name, number in site["agencies"].items()
             if name in STATES}
    return {"home": f"/{lang}/", "search": f"/{lang}/search?q={site['native']}",
            "verify": f"/{lang}/verify", "bulk": f"/{lang}/verify/bulk", **found}


def open_phone(browser, url):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    return page


KHMER_CLUSTER = re.compile(r"[\u1780-\u17b3\u17dc](?:\u17d2[\u1780-\u17b3]|[\u17b4-\u17d1\u17d3\u17dd])*")
KHMER_VOWEL = re.compile(r"[\u17b6-\u17c5\u17d0]")
KHMER_FINAL_MARK = re.compile(r"[\u17cb\u17cd\u17ce]")  # bantoc, toandakhiat, kakabat


def syllable_starts(text):
    """Where a Khmer or Burmese syllable starts, so where a line may break. A Khmer consonant
    cluster with no vowel after one that has a vowel closes that syllable (ទេ+ស is ទេស, ប៉ុ+ន
    is ប៉ុន, ប័+ណ្ណ is ប័ណ្ណ), as does one with a final sign (សម្គា+ល់). A Burmese
    consonant killed by asat or stacked belongs to the syllable before it (ဖုန်း, ကုမ္ပ)."""
    starts = set()
    clusters = list(KHMER_CLUSTER.finditer(text))
    previous_vowel = False
    for k, m in enumerate(clusters):
        cluster = m.group()
        vowel = bool(KHMER_VOWEL.search(cluster))
        joined = k > 0 and clusters[k - 1].end() == m.start()
        following = clusters[k + 1] if k + 1 < len(clusters) and \
            clusters[k + 1].start() == m.end() else None
        # A vowel-less cluster closes the syllable before it, unless what follows is its
        # own vowel or final (then it begins a syllable: ខ្យ+ល់, ប+ណ្តា).
        opens = following is not None and (KHMER_VOWEL.search(following.group())
                                            or KHMER_FINAL_MARK.search(following.group()))
        final = joined and (bool(KHMER_FINAL_MARK.search(cluster))
                            or previous_vowel and not vowel and not opens)
        if not final:
            starts.add(m.start())
        previous_vowel = vowel and not final
    for i, ch in enumerate(text):
        if not ("\u1000" <= ch <= "\u102a" or ch == "\u103f"):
            continue
        marks = re.match(r"[\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064"
                         r"\u1067-\u106d\u1071-\u1074\u1082-\u108d\u108f\u109a-\u109d]*",
                         text[i + 1:]).group()
        killed = "\u103a" in marks[:2] or text[i + 1:i + 2] == "\u1039"
        stacked_below = text[i - 1:i] == "\u1039"
        if ch >= "\u1023" or not (killed or stacked_below):
            starts.add(i)
    return starts


def line_breaks_inside_syllables(page):
    """Line starts in Khmer or Burmese text that split a syllable (ប្រទេស drawn as ប្រ/ទេ/ស:
    unreadable). The browser's own dictionary breaking may break between the words of a
    compound, which is a syllable boundary."""
    wrong = []
    for text, starts in page.evaluate(LINE_STARTS):
        allowed = syllable_starts(text)
        wrong += [text[max(0, i - 6):i] + "|" + text[i:i + 6] for i in starts
                  if SCRIPT_TEXT.match(text[i:i + 1]) and SCRIPT_TEXT.match(text[i - 1:i])
                  and i not in allowed]
    return wrong


def test_the_syllable_oracle():
    """The test's own notion of a syllable, on the words the issue saw broken."""
    def cut(text):
        starts = sorted(syllable_starts(text) | {len(text)})
        return [text[a:b] for a, b in zip(starts, starts[1:])]
    assert cut("ប្រទេស") == ["ប្រ", "ទេស"]
    assert cut("ជប៉ុន") == ["ជ", "ប៉ុន"]
    assert cut("លេខសម្គាល់") == ["លេខ", "ស", "ម្គាល់"]
    assert cut("អាជ្ញាប័ណ្ណ") == ["អា", "ជ្ញា", "ប័ណ្ណ"]
    assert cut("ကုမ္ပဏီ") == ["ကုမ္ပ", "ဏီ"]
    assert cut("ဖုန်းနံပါတ်") == ["ဖုန်း", "နံ", "ပါတ်"]
    assert cut("មេខ្យល់") == ["មេ", "ខ្យល់"]
    assert cut("បណ្តុះបណ្តាល") == ["ប", "ណ្តុះ", "ប", "ណ្តាល"]


def overflowing(page):
    return page.evaluate("""() => {
      const wide = [...document.querySelectorAll('table, pre, main, dl, ul, ol')]
        .filter(el => el.scrollWidth > el.clientWidth + 1)
        .map(el => el.tagName + '.' + el.className);
      if (document.documentElement.scrollWidth > window.innerWidth) wide.push('page');
      return wide;
    }""")


def broken_numbers(page):
    """Numbers, phones, amounts, licence numbers and dates drawn over more than one line."""
    return page.evaluate("""() => [...document.querySelectorAll('main .nobreak, main time')]
      .filter(el => el.getClientRects().length > 1).map(el => el.textContent)""")


@pytest.mark.parametrize("lang", ["km", "my"])
def test_on_a_phone_pages_fit_and_words_stay_whole(site, browser, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in phone_pages(site, lang).items():
        page = open_phone(browser, site["url"] + path)
        page.screenshot(path=str(ARTIFACTS / f"{site['shots']}phone-{lang}-{name}.png"),
                        full_page=True)
        if name == "complaints":
            page.click("details.all-complaints summary")  # the full list, opened
            page.screenshot(path=str(ARTIFACTS / f"{site['shots']}phone-{lang}-complaints-open.png"),
                            full_page=True)
        assert not overflowing(page), (name, overflowing(page))
        assert not broken_numbers(page), (name, broken_numbers(page))
        assert not line_breaks_inside_syllables(page), (name,
                                                        line_breaks_inside_syllables(page))
        assert not drawn_without(page), (name, drawn_without(page))
        page.context.close()


@pytest.mark.parametrize("lang", ["km", "my"])
def test_the_receipt_on_a_phone_is_in_the_askers_language_without_boxes(site, browser, lang):
    page = open_phone(browser, site["url"] + f"/{lang}/verify")
    page.fill("#licence", site["agencies"]["licensed"])
    page.click("form.verify button")
    page.wait_for_load_state("networkidle")
    assert re.search(rf"/{lang}/verify/V-\d{{8}}-[0-9A-Z]{{6}}$", page.url), page.url
    assert page.evaluate("document.documentElement.lang") == lang
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(ARTIFACTS / f"{site['shots']}phone-{lang}-receipt.png"),
                    full_page=True)
    assert not overflowing(page) and not broken_numbers(page)
    assert not drawn_without(page, ("pre.payload",)), "the signed record shows boxes"
    page.context.close()


@pytest.mark.parametrize("lang", ["km", "my"])
def test_a_bulk_check_on_a_phone_lists_every_number_without_boxes(site, browser, lang):
    page = open_phone(browser, site["url"] + f"/{lang}/verify/bulk")
    numbers = [site["agencies"][name] for name in ("licensed", "suspended", "revoked")]
    page.fill("textarea", "\n".join([*numbers, "KH-NOT-ON-RECORD-1"]))
    page.click("form.verify button")
    page.wait_for_load_state("networkidle")
    assert re.search(rf"/{lang}/verify/V-\d{{8}}-[0-9A-Z]{{6}}$", page.url), page.url
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(ARTIFACTS / f"{site['shots']}phone-{lang}-bulk.png"),
                    full_page=True)
    assert page.locator("main tbody tr").count() == 4
    assert not overflowing(page) and not broken_numbers(page)
    assert not drawn_without(page, ("pre.payload",))
    page.context.close()


def relative_luminance(css_colour):
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(a, b):
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def test_status_badges_differ_by_more_than_hue(site, browser):
    """WCAG 1.4.1 (not colour alone) and 1.4.11: two statuses are told apart in greyscale by
    a clear difference in lightness or by their border; each badge's words read at 4.5:1."""
    page = open_phone(browser, site["url"] + "/en/")
    codes = ["licensed", "suspended", "revoked", "expired", "not_licensed", "not_yet"]
    page.evaluate("""codes => { const main = document.querySelector('main');
      main.innerHTML = codes.map(c => `<p><span class="badge badge-large badge-${c}">${c}</span></p>`).join(''); }""",
                  codes)
    styles = page.evaluate("""() => [...document.querySelectorAll('.badge')].map(b => {
      const s = getComputedStyle(b);
      return [b.textContent, s.backgroundColor, s.color, s.borderTopStyle]; })""")
    page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")  # CSSOM: CSP allows
    page.screenshot(path=str(ARTIFACTS / f"{site['shots']}status-badges-greyscale.png"))
    page.context.close()
    look = {code: (relative_luminance(bg), relative_luminance(fg), border)
            for code, bg, fg, border in styles}
    for code, (bg, fg, _) in look.items():
        assert contrast(bg, fg) >= 4.5, (code, contrast(bg, fg))
    same_meaning = {frozenset({"revoked", "not_licensed"}), frozenset({"revoked", "not_yet"}),
                    frozenset({"not_licensed", "not_yet"})}  # all say: do not pay
    for a in codes:
        for b in codes:
            if a < b and frozenset({a, b}) not in same_meaning:
                (bg_a, _, border_a), (bg_b, _, border_b) = look[a], look[b]
                assert contrast(bg_a, bg_b) >= 1.5 or border_a != border_b, (a, b)
