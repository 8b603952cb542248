"""The messaging door (issue 11): webhooks of an SMS gateway, a Telegram bot and a Viber bot.
Each checks its channel's signature and carries the text to services.messages.answer, which
decides everything else; replies leave through `outbound`."""
from .outbound import init_app
from .webhooks import bp

__all__ = ["bp", "init_app"]
