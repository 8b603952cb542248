"""Webhooks of the messaging channels. A channel is closed (404) until its secret is set; a
request whose signature is missing or wrong gets 403 and no answer (docs/messaging.md).

- SMS gateway: POST /messaging/sms, form or JSON with `from`, `to`, `text`, signed with
  HMAC-SHA256 of the body under REGISTRY_SMS_SECRET (header X-Registry-Signature:
  sha256=<hex>); the reply is the response (text/plain for a form, JSON for JSON).
- Telegram: POST /messaging/telegram, the Bot API's update; header
  X-Telegram-Bot-Api-Secret-Token must be REGISTRY_TELEGRAM_SECRET; the reply goes by
  sendMessage.
- Viber: POST /messaging/viber, the bot API's callback; header X-Viber-Content-Signature is
  HMAC-SHA256 of the body under REGISTRY_VIBER_TOKEN; the reply goes by send_message.
"""
import hashlib
import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ..services import messages
from ..web import error_response
from . import outbound

bp = Blueprint("messaging", __name__, url_prefix="/messaging")
#: No update of any channel is near this; a larger body is not read.
MAX_BODY = 64 * 1024
TELEGRAM_API = "https://api.telegram.org/bot{token}/sendMessage"
VIBER_API = "https://chatapi.viber.com/pa/send_message"
#: What Viber shows as the sender of replies (at most 28 characters).
VIBER_NAME = "Agency Registry"


def secret(name):
    value = current_app.config.get(name) or ""
    if not value:
        abort(404)
    return value


@bp.before_request
def small_bodies():
    """A body larger than any update is refused (413) before it is read."""
    request.max_content_length = MAX_BODY


def signed(key, signature):
    """Whether `signature` (hex) is HMAC-SHA256 of the body under `key`."""
    expected = hmac.new(key.encode(), request.get_data(cache=True), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.strip().lower().encode(), expected.encode())


def forbidden():
    return error_response(403, _l("This request is not signed with the channel's secret."))


def as_dict(value):
    return value if isinstance(value, dict) else {}


@bp.post("/sms")
def sms():
    key = secret("REGISTRY_SMS_SECRET")
    if not signed(key, request.headers.get("X-Registry-Signature", "").removeprefix("sha256=")):
        return forbidden()
    fields = as_dict(request.get_json(silent=True)) if request.is_json else request.form
    sender = str(fields.get("from") or "")
    reply = messages.answer(fields.get("text"), sender=sender)
    if request.is_json:
        return jsonify(reply=reply.text and {"to": sender, "text": reply.text, "lang": reply.lang,
                                             "reference": reply.reference})
    if reply.text is None:
        return Response(status=204)
    return Response(reply.text, mimetype="text/plain", headers={"Content-Language": reply.lang})


@bp.post("/telegram")
def telegram():
    token, key = secret("REGISTRY_TELEGRAM_TOKEN"), secret("REGISTRY_TELEGRAM_SECRET")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), key.encode()):
        return forbidden()
    message = as_dict(as_dict(request.get_json(silent=True)).get("message"))
    chat = as_dict(message.get("chat"))
    # Edits, channel posts, groups: nothing a person asked the bot in private.
    if chat.get("type") != "private" or chat.get("id") is None:
        return jsonify({})
    hint = str(as_dict(message.get("from")).get("language_code") or "")[:2]
    reply = messages.answer(message.get("text"), hint=hint, sender=f"telegram:{chat['id']}")
    if reply.text:
        outbound.send("telegram", TELEGRAM_API.format(token=token),
                      {"chat_id": chat["id"], "text": reply.text})
    return jsonify({})


@bp.post("/viber")
def viber():
    token = secret("REGISTRY_VIBER_TOKEN")
    if not signed(token, request.headers.get("X-Viber-Content-Signature", "")):
        return forbidden()
    event = as_dict(request.get_json(silent=True))
    person = as_dict(event.get("sender") or event.get("user"))
    hint = str(person.get("language") or "")[:2]
    if event.get("event") == "conversation_started":
        # Viber shows a welcome message given in the response (no sending needed).
        return jsonify(sender={"name": VIBER_NAME}, type="text", text=messages.welcome(hint).text)
    if event.get("event") != "message" or not person.get("id"):
        return jsonify({})  # webhook checks, subscriptions, delivery and seen reports
    message = as_dict(event.get("message"))
    text = message.get("text") if message.get("type") == "text" else None
    reply = messages.answer(text, hint=hint, sender=f"viber:{person['id']}")
    if reply.text:
        outbound.send("viber", VIBER_API, {
            "receiver": person["id"], "min_api_version": 1, "sender": {"name": VIBER_NAME},
            "type": "text", "text": reply.text}, headers={"X-Viber-Auth-Token": token})
    return jsonify({})
