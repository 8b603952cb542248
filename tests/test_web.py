"""registry.web: what every response shares: security headers, error pages that never show a
stack trace (HTML, or JSON under /api/), and the visitor's address behind a proxy."""
import pytest

from registry import create_app
from registry.models import LoginFailure


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
