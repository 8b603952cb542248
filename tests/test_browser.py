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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo registry served on a free loopback port, in its own database and index."""
    tmp = tmp_path_factory.mktemp("browser")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/site.db",
                      "REGISTRY_INDEX_DIR": str(tmp / "index"),
                      "REGISTRY_SIGNING_KEY_FILE": str(tmp / "key.pem"),
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(seed_command).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = app.test_client()
    suspended = client.get("/api/v1/search?status=suspended&limit=1").json["results"][0]
    khmer_name = client.get("/api/v1/search?status=licensed&limit=1").json["results"][0]
    yield {"url": f"http://127.0.0.1:{server.server_port}", "licence":
           suspended["licence_number"], "khmer": khmer_name["name"]["km"].split()[-2]}
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    # No skip: CI installs Debian's chromium; without it these tests must fail, not vanish.
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def pages(site, lang):
    return {"home": f"/{lang}/", "search": f"/{lang}/search?q=angkor",
            "agency": f"/{lang}/agencies/{site['licence']}", "verify": f"/{lang}/verify"}


def open_page(browser, url, javascript=True):
    context = browser.new_context(java_script_enabled=javascript,
                                  viewport={"width": 400, "height": 800})
    page = context.new_page()
    transferred = []
    page.on("requestfinished", lambda r: transferred.append(
        (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
    page.goto(url, wait_until="networkidle")
    return page, transferred


@pytest.mark.parametrize("lang", ["km", "my"])
@pytest.mark.parametrize("name", ["home", "search", "agency", "verify"])
def test_pages_render_with_the_script_font(site, browser, lang, name):
    page, transferred = open_page(browser, site["url"] + pages(site, lang)[name])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{lang}-{name}.png"), full_page=True)
    family, sample = FONT[lang]
    assert page.evaluate("document.documentElement.lang") == lang
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "f => [...document.fonts].filter(x => x.family.replace(/\"/g, '') === f"
        " && x.status === 'loaded').length", family)
    assert loaded == 1, f"{family} was not loaded"
    assert page.evaluate("([f, s]) => document.fonts.check(`16px \"${f}\"`, s)", [family, sample])
    assert any("/static/fonts/NotoSans" in url for url, _ in transferred)
    assert not drawn_without(page, family), f"text drawn without {family}"
    page.context.close()


def drawn_without(page, family):
    """Elements with text in the page's script that Chromium drew with no glyph of `family`
    (what a reader sees as empty boxes), asked of Chromium itself through DevTools."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    wrong = []
    for selector in ("h1", "h2", ".brand", "nav.main a", "label", "p", "button", "li"):
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root,
                                                      "selector": selector})["nodeIds"]:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            families = [f["familyName"] for f in fonts]
            if families and family not in families and "Language Names" not in families:
                html = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
                if re.search(r"[\u1000-\u109f\u1780-\u17ff]", html):
                    wrong.append((selector, families, html[:80]))
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
    (ARTIFACTS / "first-visit-bytes.json").write_text(json.dumps(report, indent=2))
    names = {"LanguageNames-Khmer.woff2", "LanguageNames-Myanmar.woff2"}  # the switcher
    assert set(report["en"]["fonts"]) == names
    assert set(report["km"]["fonts"]) == names | {"NotoSansKhmer-Regular.khmer.woff2"}
    assert set(report["my"]["fonts"]) == names | {"NotoSansMyanmar-Regular.myanmar.woff2"}


def test_language_switcher_keeps_the_page_and_query(site, browser):
    page, _ = open_page(browser, site["url"] + "/en/search?q=angkor&status=licensed")
    page.click("nav.langs a[hreflang=km]")
    page.wait_for_load_state()
    assert re.search(r"/km/search\?q=angkor&status=licensed$", page.url), page.url
    assert page.evaluate("document.documentElement.lang") == "km"
    page.context.close()


def test_search_and_verify_work_with_javascript_off(site, browser):
    page, _ = open_page(browser, site["url"] + "/km/", javascript=False)
    page.fill("#q", site["khmer"])
    page.click("form.search button")
    page.wait_for_load_state()
    assert "/km/search?q=" in page.url and page.locator("ol.results li").count() >= 1
    page.goto(site["url"] + "/km/verify")
    page.fill("#licence", site["licence"].lower())
    page.click("form.verify button")
    page.wait_for_load_state()
    assert re.search(r"/verify/V-\d{8}-[0-9A-Z]{6}$", page.url), page.url
    assert page.locator(".verdict-suspended").count() == 1
    page.screenshot(path=str(ARTIFACTS / "km-receipt-no-js.png"), full_page=True)
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
