"""registry.web: what every response shares: security headers, error pages that never show a
stack trace (HTML, or JSON under /api/), and the visitor's address behind a proxy."""
import pytest

from registry import create_app
from registry.models import LoginFailure

from .conftest import agency_row


def boom():
    raise RuntimeError("a secret detail of the server")


@pytest.fixture
def failing(app):
    app.add_url_rule("/en/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    return app


def test_an_unexpected_error_is_a_plain_500_page(failing, client, caplog):
    page = client.get("/en/boom")
    assert page.status_code == 500
    assert "secret detail" not in page.get_data(as_text=True)
    assert "Something went wrong on our side" in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.json["error"]["code"] == "server_error"
    assert "unhandled error on GET /en/boom" in caplog.text


def test_the_error_page_itself_may_not_fail(failing, client, monkeypatch):
    from registry import web

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")
    monkeypatch.setattr(web, "render_template", broken)
    response = client.get("/en/boom")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.get_data(as_text=True) == "Something went wrong on our side. Please try " \
        "again later."


def test_https_responses_ask_for_https_next_time(client):
    assert "Strict-Transport-Security" in client.get("/en/", base_url="https://registry.test")\
        .headers
    assert "Strict-Transport-Security" not in client.get("/en/").headers


def test_a_views_own_security_header_stays_and_none_is_sent_twice(app, client):
    from registry.web import SECURE_HEADERS
    app.add_url_rule("/en/framed", "framed",
                     lambda: ("framed", 200, {"X-Frame-Options": "SAMEORIGIN"}))
    headers = client.get("/en/framed", base_url="https://registry.test").headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert all(len(headers.getlist(name)) == 1 for name in SECURE_HEADERS)


def test_behind_a_proxy_sign_in_limits_count_the_visitors_address(database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
                      "REGISTRY_CHECKPOINT_LOG": str(tmp_path / "cp.log"),
                      "WTF_CSRF_ENABLED": False, "REGISTRY_PROXY_COUNT": 1})
    client = app.test_client()
    client.post("/admin/login", data={"email": "x@m.example", "password": "wrong password"},
                headers={"X-Forwarded-For": "198.51.100.7"})
    with app.app_context():
        from registry.extensions import db
        keys = set(db.session.scalars(db.select(LoginFailure.key)))
        assert "address:198.51.100.7" in keys
        db.session.execute(LoginFailure.__table__.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_forged_host_header_changes_nothing_signed_or_published(app, client, load):
    """The attack: curl -H 'Host: evil.example' /api/v1/verify?licence=… returned a validly
    signed receipt pointing at evil.example."""
    from registry.urls import trusted_hosts
    from .conftest import agency_row
    load(agencies=[agency_row("KH-H-1", "Host Header Agency")])
    app.config["REGISTRY_BASE_URL"] = "https://registry.example.gov"
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    forged = client.get("/api/v1/verify?licence=KH-H-1", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    answer = client.get("/api/v1/verify?licence=KH-H-1",
                        headers={"Host": "registry.example.gov"}).json
    assert answer["url"] == "https://registry.example.gov/verify/" + answer["reference"]
    app.config["REGISTRY_BASE_URL"] = "https://registry.example.org"  # moved: a new address
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    moved = client.get("/api/v1/verify?licence=KH-H-1", headers={"Host": "registry.example.org"})
    assert moved.json["url"] == "https://registry.example.org/verify/" + moved.json["reference"]
    app.config["REGISTRY_BASE_URL"] = "https://registry.example.gov"
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    feed = client.get("/feeds/sanctions.atom", headers={"Host": "registry.example.gov"},
                      base_url="http://registry.example.gov").get_data(as_text=True)
    assert "<id>tag:registry.example.gov,2026:sanctions</id>" in feed  # RFC 4151, lasting
    assert '<link rel="self" href="https://registry.example.gov/feeds/sanctions.atom"/>' in feed
    search = client.get("/api/v1/search?q=host", headers={"Host": "registry.example.gov"}).json
    assert search["results"][0]["url"] == "https://registry.example.gov/en/agencies/KH-H-1"
    app.config["REGISTRY_TRUSTED_HOSTS"] = "10.0.0.5"
    assert trusted_hosts(app.config) == ["registry.example.gov", "10.0.0.5"]


def test_health_and_readiness(app, client, load):
    assert client.get("/healthz").json == {"status": "ok"}
    load(agencies=[agency_row("KH-R-1", "Ready Agency")])
    client.get("/en/")  # the index catches up on a request
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok",
                                                                 "index_lag": 0}
    app.config["REGISTRY_READY_MAX_LAG"] = -1
    assert client.get("/readyz").status_code == 503


def test_not_ready_without_a_database(tmp_path):
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
                      "REGISTRY_CHECKPOINT_LOG": str(tmp_path / "cp.log")})
    down = app.test_client().get("/readyz")
    assert down.status_code == 503 and down.json["checks"]["database"] == "unreachable"
