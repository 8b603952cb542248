"""Replies to chat platforms (Telegram's sendMessage, Viber's send_message): one small client,
kept in app.extensions so that tests put a recorder in its place (no network in tests)."""
import json
import logging
import urllib.request

from flask import current_app

log = logging.getLogger(__name__)
#: A reply that the platform has not taken in this time is dropped: the worker is needed.
TIMEOUT = 10


class Client:
    def post(self, url, payload, headers=None):
        request = urllib.request.Request(
            url, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()


def init_app(app):
    app.extensions.setdefault("registry_outbound", Client())


def send(channel, url, payload, headers=None):
    """Post a reply; a failure is logged by its kind only (the address holds the bot's token
    and the payload the person's chat id), never raised: the platform would send the message
    again and the person get two answers."""
    try:
        current_app.extensions["registry_outbound"].post(url, payload, headers)
    except Exception as error:  # noqa: BLE001 - see the docstring
        log.warning("could not send a %s reply: %s", channel, type(error).__name__)
