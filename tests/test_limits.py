"""Rate limits (Flask-Limiter): the public writes and expensive reads answer 429 with
Retry-After past the documented limit, per visitor address, in the visitor's language."""
import re

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
