"""Public answers kept and revalidated by key (registry/pagecache.py), and the number of
database queries each public view makes, which must not grow with the size of what it shows."""
import sqlite3
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import event, select

from registry import pagecache
from registry.extensions import db
from registry.models import UnmatchedSearch
from registry.services import agencies, audit, dashboard

from .conftest import agency_row, empty_all_tables

SUSPENSION = {"licence_number": "KH-PC-0001", "kind": "suspension", "decided_on": "2026-01-05",
              "effective_from": "2026-01-05", "decision_ref": "PC/1", "state": "in_force",
              "reason_en": "Kept passports"}


@contextmanager
def counted(app):
    """(queries, templates, versions) made inside the block: queries through SQLAlchemy, and
    reads of the record's version (audit.version, which asks the driver directly)."""
    seen = {"queries": 0, "templates": 0, "versions": 0}
    read = audit.version

    def version():
        seen["versions"] += 1
        return read()
    audit.version = version

    def query(*args):
        seen["queries"] += 1

    def template(*args, **kwargs):
        seen["templates"] += 1

    with app.app_context():
        engine = db.engine
    # The tests' index looks for other processes' work on every request (poll interval 0); a
    # server does every 2 s. Those polls are not the view's.
    index = app.extensions["registry_search"]
    index.poll_seconds, poll = float("inf"), index.poll_seconds
    event.listen(engine, "before_cursor_execute", query)
    template_rendered.connect(template, app)
    try:
        yield seen
    finally:
        audit.version = read
        index.poll_seconds = poll
        event.remove(engine, "before_cursor_execute", query)
        template_rendered.disconnect(template, app)


ANGKOR = agency_row("KH-PC-0001", "Angkor Manpower", "2025-01-01", "2036-12-31",
                    name_km="អង្គរ ម៉ែនផៅវ័រ")


@pytest.fixture
def angkor(load):
    load(agencies=[ANGKOR])
    return "/en/agencies/KH-PC-0001"


ADDRESSES = ["/en/agencies/KH-PC-0001", "/km/agencies/KH-PC-0001", "/en/search?q=angkor",
             "/km/print/agencies/KH-PC-0001", "/en/print/province/KH-12",
             "/my/search?q=angkor", "/en/", "/api/v1/agencies/KH-PC-0001",
             "/api/v1/search?q=angkor"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_visitor_holding_the_answer_gets_304_before_any_template_or_record_is_read(
        app, client, angkor, address):
    first = client.get(address)
    assert first.status_code == 200 and first.headers["ETag"]
    with counted(app) as seen:
        again = client.get(address, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    # One query: the record's version. No template, no agency loaded.
    assert seen == {"queries": 0, "templates": 0, "versions": 1}


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_kept_answer_is_sent_again_without_rendering_and_is_the_same(app, client, angkor,
                                                                      address):
    first = client.get(address)
    with counted(app) as seen:
        again = client.get(address)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Content-Security-Policy"]  # every response's headers still apply
    assert seen == {"queries": 0, "templates": 0, "versions": 1}


def test_a_change_to_the_record_is_shown_at_once_and_changes_the_tag(app, client, load, angkor):
    before = client.get(angkor)
    assert "Licensed" in before.text
    load(agencies=[ANGKOR], sanctions=[SUSPENSION])
    after = client.get(angkor, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Suspended" in after.text and "Kept passports" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    found = client.get("/api/v1/search?q=angkor").json["results"]
    assert [r["status"] for r in found] == ["suspended"]


def test_a_record_restored_then_grown_back_to_the_same_length_is_a_new_version(
        app, client, runner, angkor, load, tmp_path):
    """A backup restored takes the audit chain back to an earlier length, and the next changes
    grow it again: the same length, other contents. Neither a kept page nor a held tag of the
    record before the restore may be answered."""
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    load(agencies=[ANGKOR], sanctions=[SUSPENSION])
    suspended = client.get(angkor)
    assert "Kept passports" in suspended.text
    with app.app_context():
        length = audit.version()[0]
        empty_all_tables()
    restored = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    load(agencies=[ANGKOR], sanctions=[SUSPENSION | {"reason_en": "Charged workers fees"}])
    with app.app_context():
        assert audit.version()[0] == length
    held = client.get(angkor, headers={"If-None-Match": suspended.headers["ETag"]})
    assert held.status_code == 200 and "Charged workers fees" in held.text
    assert held.headers["ETag"] != suspended.headers["ETag"]
    assert "Charged workers fees" in client.get(angkor).text  # not the page kept before


def test_midnight_changes_every_tag(app, client, angkor, monkeypatch):
    today = agencies.today()
    first = client.get(angkor)
    monkeypatch.setattr(agencies, "today", lambda: today + timedelta(days=1))
    again = client.get(angkor, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]


def test_the_expiry_day_is_shown_the_day_it_comes(app, client, load, monkeypatch):
    """A licence's last day, then the day after: the kept page of the last day is not sent."""
    load(agencies=[agency_row("KH-PC-0002", "Mekong Jobs", "2025-01-01", "2030-06-30")])
    monkeypatch.setattr(agencies, "today", lambda: agencies.date(2030, 6, 30))
    assert "Licensed" in client.get("/en/agencies/KH-PC-0002").text
    monkeypatch.setattr(agencies, "today", lambda: agencies.date(2030, 7, 1))
    assert "Licence expired" in client.get("/en/agencies/KH-PC-0002").text


def test_languages_have_their_own_tags(client, angkor):
    tags = {client.get(a).headers["ETag"] for a in ("/en/agencies/KH-PC-0001",
                                                     "/km/agencies/KH-PC-0001",
                                                     "/my/agencies/KH-PC-0001")}
    api = {client.get("/api/v1/agencies/KH-PC-0001", headers={"Accept-Language": lang})
           .headers["ETag"] for lang in ("en", "km")}
    assert len(tags) == 3 and len(api) == 2


def test_a_search_answer_follows_the_index_generation(app, client, angkor):
    from registry import search
    first = client.get("/en/search?q=angkor")
    with app.app_context():
        search.rebuild()
    again = client.get("/en/search?q=angkor", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]


def test_a_search_that_finds_nothing_is_never_kept_each_one_is_a_lead(app, client, angkor):
    # Two people (a lead counts each reader once a day).
    first = client.get("/en/search?q=Golden+Lotus+Brokers",
                       environ_base={"REMOTE_ADDR": "10.0.0.1"})
    again = client.get("/en/search?q=Golden+Lotus+Brokers", environ_base={
        "REMOTE_ADDR": "10.0.0.2"}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304  # the same page, but only after searching again
    with app.app_context():
        counts = db.session.scalars(select(UnmatchedSearch.count)).all()
    assert counts == [2]


def test_a_waiting_message_is_shown_not_a_kept_page(app, client, angkor):
    client.get(angkor)
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your language was changed.")]
    assert "Your language was changed." in client.get(angkor).text
    assert "Your language was changed." not in client.get(angkor).text


def test_public_pages_do_not_open_the_session(client, angkor):
    """No Vary: Cookie: a shared cache may keep a public page for everyone."""
    for address in ADDRESSES:
        assert "Cookie" not in client.get(address).headers.get("Vary", ""), address


def test_the_cache_can_be_switched_off(app, client, angkor):
    app.extensions["registry_pages"].answers = None  # REGISTRY_PAGE_CACHE_BYTES=0
    client.get(angkor)
    with counted(app) as seen:
        assert client.get(angkor).status_code == 200
    assert seen["templates"] > 0



def budgeted(app, budget):
    """The app's page cache made again with a budget of `budget` bytes."""
    app.config["REGISTRY_PAGE_CACHE_BYTES"] = budget
    pages = app.extensions["registry_pages"] = pagecache.PageCache(app)
    return pages.answers


def kept_bytes(answers):
    return sum(len(body) for body, _ in answers.values())


def test_the_kept_answers_stay_within_their_budget_of_bytes(app, client, load):
    load(agencies=[agency_row(f"KH-PC-{n:04d}", f"Agency {n}") for n in range(12)])
    biggest = max(len(client.get(f"/{lang}/agencies/KH-PC-0000").data)
                  for lang in ("en", "km", "my"))
    budget = pagecache.LARGEST_SHARE * biggest  # room for every page, not for all of them
    answers = budgeted(app, budget)
    for n in range(12):
        for lang in ("en", "km", "my"):
            assert client.get(f"/{lang}/agencies/KH-PC-{n:04d}").status_code == 200
    assert budget / 2 < kept_bytes(answers) <= budget and len(answers) < 36


def test_an_answer_too_big_for_its_share_of_the_budget_is_sent_not_kept(app, client, angkor):
    page = len(client.get(angkor).data)
    answers = budgeted(app, 2 * page)
    assert client.get(angkor).status_code == 200
    with counted(app) as seen:
        again = client.get(angkor)
    assert again.status_code == 200 and again.headers["ETag"] and not answers
    assert seen["templates"] > 0


@pytest.mark.parametrize("address", ["/en/agencies/KH-PC-0001", "/api/v1/agencies/KH-PC-0001",
                                     "/en/search?q=angkor", "/api/v1/search?q=angkor"])
def test_parameters_the_view_does_not_read_make_no_answers_to_keep(app, client, angkor,
                                                                  address):
    """?x=1, ?x=2 … (or a parameter given twice) would otherwise keep one answer each: a
    crawler's way to fill a worker's memory. They are still answered, tagged and revalidated."""
    client.get(address)
    answers = app.extensions["registry_pages"].answers
    join = "&" if "?" in address else "?"
    for n in range(5):
        odd = client.get(f"{address}{join}x={n}")
        assert odd.status_code == 200 and odd.headers["ETag"]
        assert client.get(f"{address}{join}x={n}", headers={
            "If-None-Match": odd.headers["ETag"]}).status_code == 304
    client.get(f"{address}{join}&")
    if join == "&":
        client.get(f"{address}&q=angkor")
    assert len(answers) == 1

# -- queries per view: fixed, whatever the number of records or results -------------------------

def big_registry(load, agencies_count, records_each):
    rows = [agency_row(f"KH-Q-{n:04d}", f"Angkor Recruitment {n}", "2025-01-01", "2036-12-31",
                       phones=f"012 {n:03d} 100", province="KH-12")
            for n in range(agencies_count)]
    sanctions = [{"licence_number": "KH-Q-0000", "kind": "fine", "decided_on": "2025-03-01",
                  "effective_from": "2025-03-01", "amount": "100", "currency": "USD",
                  "decision_ref": f"Q/{n}", "state": "in_force"} for n in range(records_each)]
    complaints = [{"licence_number": "KH-Q-0000", "received_on": "2025-04-01",
                   "category": "deception", "status": "received"} for _ in range(records_each)]
    representatives = [{"licence_number": "KH-Q-0000", "name": f"Broker {n}",
                        "id_number": f"BR-{n}", "phone": f"097 {n:03d} 200"}
                       for n in range(records_each)]
    load(agencies=rows, sanctions=sanctions, complaints=complaints,
         representatives=representatives)


def queries_of(app, client, address):
    app.extensions["registry_pages"].answers = None  # count the view's own work
    with counted(app) as seen:
        response = client.get(address)
    assert response.status_code == 200, address
    return seen["queries"]


VIEWS = ["/en/agencies/KH-Q-0000", "/km/search?q=angkor", "/en/search?q=angkor&page=1",
         "/api/v1/search?q=angkor&limit=50", "/api/v1/agencies/KH-Q-0000", "/en/"]


@pytest.mark.parametrize("address", VIEWS)
def test_a_views_queries_do_not_grow_with_records_or_results(app, client, load, address):
    big_registry(load, 2, 1)
    small = queries_of(app, client, address)
    big_registry(load, 40, 30)
    assert queries_of(app, client, address) == small


def test_the_dashboard_counts_in_the_database(app, load):
    big_registry(load, 2, 1)
    with app.app_context():
        with counted(app) as seen:
            small = dashboard.figures()
        big_registry(load, 40, 3)
        app.extensions.pop("registry_dashboard")  # counted afresh, as when the day turns
        with counted(app) as again:
            big = dashboard.figures()
    assert seen["queries"] == again["queries"]
    assert dict(small["by_status"])["licensed"] == 2 and dict(big["by_status"])["licensed"] == 40


def test_the_304_is_the_same_with_or_without_a_session(app, client, angkor):
    """Without a session cookie the 304 is answered before Flask's request hooks (the WSGI
    middleware); with one, by the app's own hook, after the session is opened. Same tag."""
    tag = client.get(angkor).headers["ETag"]
    plain = client.get(angkor, headers={"If-None-Match": tag})
    with client.session_transaction() as session:
        session["seen"] = True
    with_session = client.get(angkor, headers={"If-None-Match": tag})
    assert plain.status_code == with_session.status_code == 304
    assert plain.headers["ETag"] == with_session.headers["ETag"] == tag


@pytest.mark.parametrize("session", [False, True])
@pytest.mark.parametrize("address", ["/en/agencies/KH-PC-0001", "/api/v1/search?q=angkor"])
def test_a_tag_made_weak_on_the_way_still_revalidates_before_rendering(app, client, angkor,
                                                                      address, session):
    """nginx compressing an answer makes its ETag weak (W/"…"), and browsers send it back so.
    If-None-Match compares weakly (RFC 9110 §13.1.2), in the middleware and in the app's hook
    (a visitor with a session), before the view runs."""
    tag = client.get(address).headers["ETag"]
    app.extensions["registry_pages"].answers = None  # a miss would render the page
    if session:
        with client.session_transaction() as opened:
            opened["seen"] = True
    with counted(app) as seen:
        again = client.get(address, headers={"If-None-Match": f'W/"other", W/{tag}'})
    assert again.status_code == 304 and again.headers["ETag"] == tag
    assert seen["templates"] == 0 and seen["versions"] == 1

@pytest.mark.parametrize("address", ["/en/agencies/KH-PC-0001", "/api/v1/agencies/KH-PC-0001"])
def test_a_database_that_does_not_answer_gets_the_apps_own_error(client, angkor, address,
                                                                 monkeypatch):
    """The middleware's read of the version fails: the app answers, as it answers any failure
    (its error page; JSON for the API), never a bare 500 or a stack trace."""
    tag = client.get(address).headers["ETag"]

    def down():
        raise sqlite3.OperationalError("unable to open database file")
    monkeypatch.setattr(audit, "version", down)
    answer = client.get(address, headers={"If-None-Match": tag})
    assert answer.status_code == 500
    if address.startswith("/api/"):
        assert set(answer.json["error"]) == {"code", "message"}
    else:
        assert answer.mimetype == "text/html" and "<html" in answer.text

@pytest.mark.parametrize("address", ["/en/verify", "/en/agencies/KH-NONE-1", "/zz/agencies/x",
                                     "/en/search?q=angkor&page=abc"])
def test_other_addresses_are_answered_by_the_app(client, angkor, address):
    first = client.get(address)
    again = client.get(address, headers={"If-None-Match": first.headers.get("ETag", '"x"')})
    assert again.status_code == (304 if first.status_code == 200 else first.status_code)


@pytest.mark.parametrize("address", ["/en/agencies/KH-NONE-1", "/api/v1/agencies/KH-NONE-1",
                                     "/en/agencies/kh-pc-0001"])
def test_a_star_never_revalidates_an_address_that_is_not_an_answer(client, angkor, address):
    client.get(angkor)
    assert client.get(address, headers={"If-None-Match": "*"}).status_code in (301, 404)


def test_the_path_and_the_query_are_told_apart(client, load, angkor):
    load(agencies=[ANGKOR, agency_row("KH-PC-0002", "Mekong Jobs")])
    assert client.get("/api/v1/agencies/KH-PC-000%3F2").status_code == 200
    assert client.get("/api/v1/agencies/KH-PC-000?2?").status_code == 404
