"""The messaging door (issue 11): each channel's webhook, fed update bodies shaped as the
platforms send them, with a valid, a forged and a missing signature. Replies to Telegram and
Viber go through the outbound client, replaced here by a recorder (no network)."""
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from registry import sms
from registry.extensions import db
from registry.messaging import outbound
from registry.models import UnmatchedSearch, Verification
from registry.zawgyi import to_zawgyi

from .conftest import agency_row, limits_on

SMS_SECRET = "sms shared secret"
TELEGRAM_TOKEN = "123456:telegram-bot-token"
TELEGRAM_SECRET = "telegram-secret-token"
VIBER_TOKEN = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9"
SENDER = "+855 97 111 2222"
BURMESE_NAME = "အင်္ကော လုပ်သားအင်အား"


class Recorder:
    def __init__(self):
        self.sent = []

    def post(self, url, payload, headers=None):
        self.sent.append((url, payload, headers or {}))


@pytest.fixture
def door(app, load):
    load(agencies=[agency_row("KH-A-0001", "Angkor Manpower Co., Ltd.",
                              name_km="ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ", name_my=BURMESE_NAME,
                              phones="+855 12 777 888")])
    app.config.update(REGISTRY_SMS_SECRET=SMS_SECRET, REGISTRY_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
                      REGISTRY_TELEGRAM_SECRET=TELEGRAM_SECRET, REGISTRY_VIBER_TOKEN=VIBER_TOKEN)
    recorder = app.extensions["registry_outbound"] = Recorder()
    return recorder


def signature(key, body):
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def receipts(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Verification.id)))


# What each channel is asked, in each language, and what its answer must hold.
QUESTIONS = [
    ("KH-A-0001", "km", ["KH-A-0001", "ក្រុមហ៊ុន អង្គរ", "V-"]),
    ("EN KH-A-0001", "en", ["Angkor Manpower Co., Ltd. (KH-A-0001): licensed until", "Ref V-"]),
    ("MY 012 777 888", "my", ["KH-A-0001", BURMESE_NAME, "V-"]),
    (to_zawgyi(BURMESE_NAME), "my", ["KH-A-0001", "V-"]),
    ("EN KH-Z-404", "en", ["KH-Z-404: NO LICENCE on record", "Hotline 1297", "Ref V-"]),
    ("\x00\x01 <script>", "km", ["EN KM MY", "1297"]),
    ("EN", "en", ["Send an agency's licence number", "Hotline 1297"]),
]


def sms_post(client, fields, as_json=False, key=SMS_SECRET, sign=True):
    body = json.dumps(fields).encode() if as_json else urlencode(fields).encode()
    headers = {"X-Registry-Signature": "sha256=" + signature(key, body)} if sign else {}
    return client.post("/messaging/sms", data=body, headers=headers, content_type=(
        "application/json" if as_json else "application/x-www-form-urlencoded"))


@pytest.mark.parametrize("text, lang, parts", QUESTIONS)
def test_an_sms_is_answered_in_the_http_response(door, client, text, lang, parts):
    response = sms_post(client, {"from": SENDER, "to": "1297", "text": text})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    answer = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == lang and sms.fits(answer)
    for part in parts:
        assert part in answer


def test_an_sms_as_json_gets_json(door, client, app):
    response = sms_post(client, {"from": SENDER, "to": "1297", "text": "EN KH-A-0001"},
                        as_json=True)
    reply = response.json["reply"]
    assert (reply["to"], reply["lang"]) == (SENDER, "en")
    assert reply["reference"] in reply["text"] and receipts(app) == 1


@pytest.mark.parametrize("headers", [
    {},
    {"X-Registry-Signature": "sha256=" + "0" * 64},
    {"X-Registry-Signature": "sha256=" + signature("another secret", b"text=KH-A-0001")},
    {"X-Registry-Signature": "not even hex"},
])
def test_a_forged_or_missing_sms_signature_gets_403_and_no_answer(door, client, app, headers):
    response = client.post("/messaging/sms", data=b"text=KH-A-0001&from=%2B85597", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert "KH-A-0001" not in response.get_data(as_text=True)
    assert receipts(app) == 0


def telegram_update(text, chat_type="private", language="km", **message):
    """An update as the Bot API posts it (core.telegram.org/bots/api#update)."""
    return {"update_id": 10000, "message": {
        "message_id": 1365, "date": 1764400000, "text": text,
        "from": {"id": 1111111, "is_bot": False, "first_name": "Sokha", "language_code": language},
        "chat": {"id": 1111111, "type": chat_type, "first_name": "Sokha"}, **message}}


def telegram_post(client, update, token=TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token is not None else {}
    return client.post("/messaging/telegram", json=update, headers=headers)


@pytest.mark.parametrize("text, lang, parts", QUESTIONS)
def test_a_telegram_message_is_answered_by_send_message(door, client, text, lang, parts):
    assert telegram_post(client, telegram_update(text, language="")).status_code == 200
    [(url, payload, _)] = door.sent
    assert url == f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage"
    assert payload["chat_id"] == 1111111 and sms.fits(payload["text"])
    for part in parts:
        assert part in payload["text"]


def test_telegram_s_language_of_the_sender_is_the_hint_after_the_script(door, client):
    telegram_post(client, telegram_update("KH-A-0001", language="en"))
    telegram_post(client, telegram_update(BURMESE_NAME, language="en"))
    (_, latin, _), (_, burmese, _) = door.sent
    assert latin["text"].startswith("Angkor Manpower Co., Ltd. (KH-A-0001): licensed")
    assert BURMESE_NAME in burmese["text"] and "Angkor" not in burmese["text"]


@pytest.mark.parametrize("update", [
    telegram_update("KH-A-0001", chat_type="group"),
    {"update_id": 2, "edited_message": telegram_update("KH-A-0001")["message"]},
    {"update_id": 3},
    [],
])
def test_telegram_updates_that_are_not_a_private_question_get_no_answer(door, client, app,
                                                                       update):
    assert telegram_post(client, update).status_code == 200
    assert door.sent == [] and receipts(app) == 0


def test_a_telegram_photo_or_sticker_gets_the_help_text(door, client):
    update = telegram_update(None, language="en", sticker={"file_id": "CAACAgIAAxk"})
    telegram_post(client, update)
    [(_, payload, _)] = door.sent
    assert payload["text"].startswith("Send an agency's licence number")


@pytest.mark.parametrize("token", [None, "", "wrong", TELEGRAM_SECRET + "x"])
def test_a_forged_or_missing_telegram_secret_gets_403_and_no_answer(door, client, app, token):
    response = telegram_post(client, telegram_update("KH-A-0001"), token=token)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert door.sent == [] and receipts(app) == 0


def viber_event(text=None, event="message", kind="text", language="en"):
    """A callback as Viber posts it (developers.viber.com/docs/api/rest-bot-api/#callbacks)."""
    body = {"event": event, "timestamp": 1764400000000, "chat_hostname": "SN-CHAT-01_",
            "message_token": 4912661846655238145,
            "sender": {"id": "01234567890A=", "name": "Sokha", "language": language,
                       "country": "KH", "api_version": 10}}
    if event == "message":
        body["message"] = {"type": kind, "text": text} if kind == "text" else {
            "type": kind, "media": "https://example.com/sticker.png"}
    if event == "conversation_started":
        body["user"] = body.pop("sender")
        body["type"] = "open"
    return body


def viber_post(client, body, key=VIBER_TOKEN, sign=True):
    raw = json.dumps(body).encode()
    headers = {"X-Viber-Content-Signature": signature(key, raw)} if sign else {}
    return client.post("/messaging/viber", data=raw, headers=headers,
                       content_type="application/json")


@pytest.mark.parametrize("text, lang, parts", QUESTIONS)
def test_a_viber_message_is_answered_by_send_message(door, client, text, lang, parts):
    assert viber_post(client, viber_event(text, language="")).status_code == 200
    [(url, payload, headers)] = door.sent
    assert url == "https://chatapi.viber.com/pa/send_message"
    assert headers == {"X-Viber-Auth-Token": VIBER_TOKEN}
    assert payload["receiver"] == "01234567890A=" and payload["type"] == "text"
    assert len(payload["sender"]["name"]) <= 28 and sms.fits(payload["text"])
    for part in parts:
        assert part in payload["text"]


def test_viber_greets_a_new_conversation_with_the_help_text_in_the_response(door, client, app):
    response = viber_post(client, viber_event(event="conversation_started", language="my"))
    assert response.json["type"] == "text" and "EN KM MY" in response.json["text"]
    assert "ဟော့လိုင်း" in response.json["text"]
    assert door.sent == [] and receipts(app) == 0


@pytest.mark.parametrize("event", ["webhook", "subscribed", "delivered", "seen", "failed"])
def test_viber_reports_get_no_answer(door, client, app, event):
    assert viber_post(client, viber_event(event=event)).status_code == 200
    assert door.sent == [] and receipts(app) == 0


def test_a_viber_sticker_gets_the_help_text(door, client):
    viber_post(client, viber_event(kind="sticker"))
    [(_, payload, _)] = door.sent
    assert payload["text"].startswith("Send an agency's licence number")


@pytest.mark.parametrize("key, sign", [(VIBER_TOKEN, False), ("another token", True)])
def test_a_forged_or_missing_viber_signature_gets_403_and_no_answer(door, client, app, key,
                                                                    sign):
    response = viber_post(client, viber_event("KH-A-0001"), key=key, sign=sign)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert door.sent == [] and receipts(app) == 0


@pytest.mark.parametrize("setting, path", [
    ("REGISTRY_SMS_SECRET", "/messaging/sms"),
    ("REGISTRY_TELEGRAM_SECRET", "/messaging/telegram"),
    ("REGISTRY_TELEGRAM_TOKEN", "/messaging/telegram"),
    ("REGISTRY_VIBER_TOKEN", "/messaging/viber"),
])
def test_a_channel_without_its_secret_is_closed(door, client, app, setting, path):
    app.config[setting] = ""
    response = client.post(path, json={"text": "KH-A-0001"})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_a_body_larger_than_any_update_is_refused_unread(door, client, app):
    response = sms_post(client, {"from": SENDER, "text": "A" * 70000})
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    assert receipts(app) == 0


def test_a_failed_reply_is_logged_without_token_or_chat(door, client, app, caplog):
    class Down:
        def post(self, url, payload, headers=None):
            raise ConnectionError(f"{url} {payload}")
    app.extensions["registry_outbound"] = Down()
    assert telegram_post(client, telegram_update("KH-A-0001")).status_code == 200
    assert "could not send a telegram reply: ConnectionError" in caplog.text
    assert TELEGRAM_TOKEN not in caplog.text and "1111111" not in caplog.text


def test_the_senders_of_every_channel_are_kept_nowhere(door, client, app, caplog):
    sms_post(client, {"from": SENDER, "text": "EN Unknown Phantom Brokers"})
    telegram_post(client, telegram_update("Unknown Phantom Brokers"))
    viber_post(client, viber_event("Unknown Phantom Brokers"))
    with app.app_context():
        # Three people: three counts, as three readers of the site would make.
        assert db.session.scalar(select(func.sum(UnmatchedSearch.count))) == 3
        dump = "\n".join(str(row) for table in db.metadata.sorted_tables
                         for row in db.session.execute(table.select()))
    for trace in ("97 111 2222", "971112222", "1111111", "01234567890A=", "Sokha"):
        assert trace not in dump and trace not in caplog.text


def test_the_message_command_prints_the_answer_a_text_would_get(door, app, runner):
    result = runner.invoke(args=["message", "EN KH-A-0001"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Angkor Manpower Co., Ltd. (KH-A-0001): licensed until")
    assert "(en: 1 SMS" in result.output and receipts(app) == 1


def test_an_sms_sender_over_the_limit_is_told_once_then_gets_no_reply(door, client, app):
    with limits_on(app, REGISTRY_LIMIT_MESSAGES="1 per hour"):
        fields = {"from": SENDER, "text": "EN KH-A-0001"}
        assert "Ref V-" in sms_post(client, fields).get_data(as_text=True)
        assert "many messages" in sms_post(client, fields).get_data(as_text=True)
        silent = sms_post(client, fields)
        assert silent.status_code == 204 and silent.get_data() == b""
        assert sms_post(client, fields, as_json=True).json == {"reply": None}
        assert receipts(app) == 1


class Platform(BaseHTTPRequestHandler):
    """A chat platform's API on this machine: keeps what it was sent."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Platform.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


def test_the_outbound_client_posts_json_to_the_platform():
    server = HTTPServer(("127.0.0.1", 0), Platform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/pa/send_message"
        outbound.Client().post(url, {"receiver": "01234567890A=", "text": "ឆែក"},
                               {"X-Viber-Auth-Token": VIBER_TOKEN})
    finally:
        server.shutdown()
        server.server_close()
    [(path, headers, payload)] = Platform.received
    assert path == "/pa/send_message" and headers["X-Viber-Auth-Token"] == VIBER_TOKEN
    assert headers["Content-Type"] == "application/json"
    assert payload == {"receiver": "01234567890A=", "text": "ឆែក"}
