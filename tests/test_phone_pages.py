"""What a migrant reads on a phone (issue 13): the verify answer in the language of the
question, times in the ministry's zone, wording for a licence that has not started, money and
dates as people write them, a favicon, the hotline where it is seen."""
import re
from datetime import date, timedelta

from .conftest import agency_row

TODAY = date.today()


def iso(days):
    return (TODAY + timedelta(days=days)).isoformat()


def body(response):
    return response.get_data(as_text=True)


def test_the_answer_comes_in_the_language_of_the_question(client, load):
    """The bug: POST /km/verify from a phone set to English showed the answer in English."""
    load(agencies=[agency_row("KH-P-1", "Phone Agency", name_km="ភ្នាក់ងារ ទូរស័ព្ទ")])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    asked = client.post("/km/verify", data={"licence": "KH-P-1"})
    assert asked.status_code == 303 and "/km/verify/V-" in asked.headers["Location"]
    receipt = client.get(asked.headers["Location"])
    assert '<html lang="km">' in body(receipt)
    assert "Checked on" not in body(receipt) and "(UTC)" not in body(receipt)
    reference = asked.headers["Location"].rsplit("/", 1)[1]
    # The address on the receipt and its QR code has no language: it follows the reader's,
    # and the Khmer page just read set it.
    again = client.get(f"/verify/{reference}")
    assert again.status_code == 302 and again.headers["Location"].endswith(
        f"/km/verify/{reference}")
    other = client.application.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "my"
    assert other.get(f"/verify/{reference}").headers["Location"].endswith(
        f"/my/verify/{reference}")


def test_visiting_a_language_remembers_it(client):
    first = client.get("/my/")
    assert "lang=my" in first.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/my/").headers  # already remembered
    assert client.get("/").headers["Location"].endswith("/my/")


def test_receipt_times_are_in_the_ministrys_zone_and_named(client, load):
    load(agencies=[agency_row("KH-P-1", "Phone Agency")])
    for lang, zone in (("en", "Cambodia Time"), ("km", "កម្ពុជា")):
        path = client.post(f"/{lang}/verify", data={"licence": "KH-P-1"}).headers["Location"]
        page = body(client.get(path))
        assert re.search(r"\d{1,2}:\d{2}", page) and zone in page, lang
        if lang == "km":
            assert not re.search(r"\d:\d{2}(:\d{2})? ?[AP]M", page)  # the 24-hour clock


def test_a_licence_that_starts_later_reads_as_its_own_state(client, load):
    load(agencies=[agency_row("KH-P-9", "Future Agency", iso(17), iso(700))])
    for lang, words in (("en", "Not licensed yet"), ("km", None), ("my", None)):
        page = body(client.get(f"/{lang}/agencies/KH-P-9"))
        assert "badge-not_yet" in page and "badge-not_licensed" not in page, lang
        if words:
            assert words in page and "No licence on record" not in page
            assert "Its licence starts on" in page
    assert client.get("/api/v1/agencies/KH-P-9").json["status"] == "not_licensed"
    receipt = client.post("/en/verify", data={"licence": "KH-P-9"}).headers["Location"]
    assert "badge-not_yet" in body(client.get(receipt))


def test_burmese_dates_use_the_full_month_names(client, load):
    load(agencies=[agency_row("KH-P-2", "Month Agency", "2025-12-15", "2030-12-15")])
    page = body(client.get("/my/agencies/KH-P-2"))
    assert "ဒီဇင်ဘာ" in page and not re.search(r"\bဒီ 15", page)


def test_a_favicon_at_the_root(client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in body(client.get("/en/"))


def test_the_hotline_is_near_the_top_of_the_home_page(client):
    page = body(client.get("/km/"))
    main = page[page.index("<main"):page.index("</main>")]
    assert 'class="hotline"' in main and main.index('class="hotline"') < main.index("<section")
