"""Khmer and Burmese as first-class languages: catalogs, Zawgyi, zero-width spaces, CLDR."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from myanmartools import ZawgyiDetector

from registry.zawgyi import is_zawgyi, to_unicode, to_zawgyi

from .conftest import agency_row

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {lang: ROOT / "registry" / "translations" / lang / "LC_MESSAGES" / "messages.po"
            for lang in ("km", "my")}
SCRIPT = {"km": re.compile(r"[\u1780-\u17ff]"), "my": re.compile(r"[\u1000-\u109f]")}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
BURMESE = ["ရွှေမြန်မာ အလုပ်အကိုင် ဝန်ဆောင်မှု", "ရန်ကုန် လုပ်သားအေဂျင်စီ",
           "မန္တလေး ပြည်ပအလုပ်အကိုင်", "ကျော်ဇေယျ", "ပဲခူး", "ဧရာဝတီ"]


def catalog(lang):
    with open(CATALOGS[lang], "rb") as f:
        return [m for m in read_po(f) if m.id]


def strings(message):
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message):
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.mark.parametrize("lang", ["km", "my"])
def test_catalog_is_complete(lang):
    untranslated = [m.id for m in catalog(lang) if not all(strings(m))]
    fuzzy = [m.id for m in catalog(lang) if m.fuzzy]
    assert not untranslated and not fuzzy, (untranslated[:5], fuzzy[:5])


@pytest.mark.parametrize("lang", ["km", "my"])
def test_catalog_keeps_every_placeholder(lang):
    wrong = [m.id for m in catalog(lang) for s in strings(m)
             if set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids(m)[-1]))]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("lang", ["km", "my"])
def test_catalog_is_written_in_its_script(lang):
    wrong = [m.id for m in catalog(lang) for s in strings(m) if not SCRIPT[lang].search(s)]
    assert not wrong, wrong[:5]


def test_burmese_catalog_is_unicode_not_zawgyi():
    detector = ZawgyiDetector()
    zawgyi = [s for m in catalog("my") for s in strings(m)
              if detector.get_zawgyi_probability(s) >= 0.05]
    assert not zawgyi, zawgyi[:5]


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                    "--no-location", "."], check=True, capture_output=True, cwd=ROOT)
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert len(wanted) > 150  # the extraction really read the code
    for lang in ("km", "my"):
        have = {ids(m)[0] for m in catalog(lang)}
        assert wanted <= have, (lang, sorted(wanted - have)[:5])


# -- Zawgyi ----------------------------------------------------------------------------------

@pytest.mark.parametrize("unicode_text", BURMESE)
def test_zawgyi_made_by_the_converter_comes_back_as_the_same_unicode(unicode_text):
    zawgyi = to_zawgyi(unicode_text)
    if zawgyi == unicode_text:  # spelled the same in both encodings: nothing to detect
        assert to_unicode(zawgyi) == (unicode_text, False)
    else:
        assert is_zawgyi(zawgyi)
        assert to_unicode(zawgyi) == (unicode_text, True)


@pytest.mark.parametrize("text", BURMESE + ["ក្រុមហ៊ុន\u200bអង្គរ", "Angkor", ""])
def test_unicode_and_other_scripts_are_never_altered(text):
    assert to_unicode(text) == (text, False)


def test_zawgyi_in_an_import_is_stored_as_unicode_and_reported(app, load):
    result = load(agencies=[agency_row("MM-ZG-1", "Shwe Myanmar", name_my=to_zawgyi(BURMESE[0]))])
    assert result.zawgyi == ["agencies.csv:2: name_my"]
    assert "converted to Unicode" in result.summary()
    with app.app_context():
        from registry.services.agencies import by_licence_number
        agency, _ = by_licence_number("MM-ZG-1")
        assert agency.name_my == BURMESE[0]


def test_a_zawgyi_search_finds_the_unicode_name_and_says_so(client, load):
    load(agencies=[agency_row("MM-ZG-2", "Shwe Myanmar Employment", name_my=BURMESE[0])])
    zawgyi = to_zawgyi("ရွှေမြန်မာ")
    body = client.get("/api/v1/search", query_string={"q": zawgyi}).json
    assert body["zawgyi_converted"] is True and body["query"] == "ရွှေမြန်မာ"
    assert [r["licence_number"] for r in body["results"]] == ["MM-ZG-2"]
    page = client.get("/my/search", query_string={"q": zawgyi}).get_data(as_text=True)
    assert "MM-ZG-2" in page and 'role="status"' in page
    plain = client.get("/api/v1/search", query_string={"q": "ရွှေမြန်မာ"}).json
    assert plain["zawgyi_converted"] is False and plain["total"] == 1


# -- Khmer zero-width spaces ------------------------------------------------------------------

@pytest.mark.parametrize("query", ["អង្គរម៉ែនផៅវ័រ", "អង្គរ\u200bម៉ែនផៅវ័រ", "អង្គរ ម៉ែនផៅវ័រ",
                                   "ម៉ែនផៅវ័រ", "\u200bអង្គរ\u200b"])
def test_zero_width_spaces_never_change_a_khmer_match(client, load, query):
    load(agencies=[agency_row("KH-ZW-1", "Angkor Manpower",
                              name_km="ក្រុមហ៊ុន\u200bអង្គរ\u200bម៉ែនផៅវ័រ")])
    found = client.get("/api/v1/search", query_string={"q": query}).json["results"]
    assert [r["licence_number"] for r in found] == ["KH-ZW-1"]


# -- CLDR and no English on Khmer and Burmese pages ------------------------------------------

@pytest.mark.parametrize("lang, thailand", [("en", "Thailand"), ("km", "ថៃ"), ("my", "ထိုင်း")])
def test_country_names_come_from_cldr_in_the_page_language(client, load, lang, thailand):
    load(agencies=[agency_row("KH-C-1", "Cldr Agency", destinations="TH")])
    assert thailand in client.get(f"/{lang}/agencies/KH-C-1").get_data(as_text=True)


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<([a-z]+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)  # data
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", ["km", "my"])
def test_no_english_ui_text_on_khmer_and_burmese_pages(client, load, lang):
    load(agencies=[agency_row("KH-E-1", "English Only Agency", phones="012 345 678",
                              destinations="TH")],
         sanctions=[{"licence_number": "KH-E-1", "kind": "fine", "decided_on": "2024-01-01",
                     "amount": "100", "currency": "USD", "paid": "no", "state": "in_force"}],
         complaints=[{"licence_number": "KH-E-1", "received_on": "2024-01-01",
                      "category": "wage_theft", "status": "resolved",
                      "compensation_amount": "50", "currency": "USD"}])
    english = {m.id for m in catalog("km") if isinstance(m.id, str) and len(m.id) > 12}
    pages = [f"/{lang}/", f"/{lang}/search?q=english", f"/{lang}/search?q=nothing-at-all",
             f"/{lang}/agencies/KH-E-1", f"/{lang}/verify", "/data/"]
    client.set_cookie("lang", lang)
    for url in pages:
        text = visible_text(client.get(url).get_data(as_text=True))
        leaked = [s for s in english if s in text]
        assert not leaked, (url, leaked[:3])


@pytest.mark.parametrize("header, language", [
    ("km", "km"), ("km-KH,km;q=0.9,en;q=0.8", "km"), ("my-MM", "my"), ("EN-gb", "en"),
    ("en;q=0.1, my;q=0.9", "my"), ("fr, de", None), ("*", "en"), ("", None), (None, None),
    ("km;q=0, my;q=0.5", "my"), ("\u1019\u103c\u1014\u103a\u1019\u102c", None)])
def test_the_language_an_accept_language_header_asks_for(header, language):
    from registry.i18n import asked_language
    assert asked_language(header) == language
