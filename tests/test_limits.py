"""Rate limits (registry/limits.py): the public writes and expensive reads answer 429 with
Retry-After past the documented limit, per visitor address, in the visitor's language."""
import re
import threading
import time

import pytest


from .conftest import agency_row, limits_on
from .test_api import validator


@pytest.fixture
def limited(app, load):
    load(agencies=[agency_row("KH-L-1", "Limited Agency")])
    with limits_on(app, REGISTRY_LIMIT_VERIFY="5 per minute", REGISTRY_LIMIT_SEARCH="3 per minute",
                   REGISTRY_LIMIT_OPEN_DATA="1 per minute", REGISTRY_LIMIT_SIGN_IN="2 per minute"):
        yield app


def test_verify_api_and_page_share_one_budget_per_address(limited, client):
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    for _ in range(3):
        assert client.get("/api/v1/verify?licence=KH-L-1").status_code == 200
    for _ in range(2):
        assert client.post("/en/verify", data={"licence": "KH-L-1"}).status_code == 303
    assert client.get("/en/verify").status_code == 200  # reading the form costs nothing
    refused = client.get("/api/v1/verify?licence=KH-L-1")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    validator("#/components/responses/TooManyRequests/content/application~1json/schema")\
        .validate(refused.json)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = client.post("/km/verify", data={"licence": "KH-L-1"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    body = page.get_data(as_text=True)
    assert re.search("[\u1780-\u17ff]", body) and "Too many requests" not in body
    assert other.get("/api/v1/verify?licence=KH-L-1").status_code == 200


def test_a_refused_check_writes_no_receipt(limited, client):
    from registry.extensions import db
    from registry.models import Verification
    for _ in range(8):
        client.get("/api/v1/verify?licence=KH-L-1")
    with limited.app_context():
        assert db.session.query(Verification).count() == 5


def test_search_open_data_and_sign_in_are_limited(limited, client):
    for _ in range(3):
        assert client.get("/en/search?q=limited").status_code == 200
    assert client.get("/api/v1/search?q=limited").status_code == 429
    with client.get("/data/registry-public.zip") as first:
        assert first.status_code == 200
    assert client.get("/data/registry-public.zip").status_code == 429
    assert client.get("/data/").status_code == 200
    # The dated snapshots draw on the same budget (the page above kept today's).
    assert client.get("/data/latest.zip").status_code == 429
    day = re.search(r"registry-public-([0-9-]{10})\.zip", client.get("/data/").text)[1]
    assert client.get(f"/data/registry-public-{day}.zip").status_code == 429
    for _ in range(2):
        client.post("/admin/login", data={"email": "x@m.example", "password": "wrong one!"})
    assert client.post("/admin/login", data={"email": "x@m.example",
                                             "password": "wrong one!"}).status_code == 429
    assert client.get("/admin/login").status_code == 200


def test_limited_answers_tell_the_tightest_budget(app, load, client):
    from registry.limits import _parsed, counter
    load(agencies=[agency_row("KH-L-1", "Limited Agency")])
    with limits_on(app, REGISTRY_LIMIT_VERIFY="3 per minute;10 per hour"):
        answers = [client.get("/api/v1/verify?licence=KH-L-1") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["3"] * 4
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert 0 < int(answers[-1].headers["X-RateLimit-Reset"]) - time.time() <= 60
        assert "X-RateLimit-Limit" not in client.get("/en/verify").headers  # costs nothing
        with app.app_context():  # the refused check was not counted in the hour's budget
            hour = _parsed("3 per minute;10 per hour")[1]
            assert counter().get_window_stats(hour, "registry", "verify",
                                              "127.0.0.1").remaining == 7


def test_the_memory_store_sweeps_inline_and_starts_no_thread_per_use(monkeypatch):
    from limits import parse_many
    from limits.strategies import FixedWindowRateLimiter
    from registry.limits import SweptMemoryStorage
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    store = SweptMemoryStorage()
    strategy = FixedWindowRateLimiter(store)
    second, = parse_many("100 per second")
    for _ in range(20):  # limits' own store starts a thread whenever its 10 ms one has ended
        strategy.hit(second, "old")
        time.sleep(0.011)
    assert len(started) == 1  # the constructor's, which the store no longer needs
    time.sleep(1.01)  # the count of "old" has expired, and the last sweep is a second old
    strategy.hit(second, "new")
    assert [key for key in store.storage if "old" in key] == []
