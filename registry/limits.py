"""Rate limits on the public writes and expensive reads, per visitor address (behind nginx,
ProxyFix makes it the real one): one shared budget per kind of work, so the HTML page and the
JSON API of the same work count together. Values come from the configuration
(REGISTRY_LIMIT_*), so a deployment tunes them without code.

Counted by `limits` (fixed windows) in the store RATELIMIT_STORAGE_URI names: memory within one
process, Redis shared by workers and nodes. Flask-Limiter, the Flask layer over the same
library, resolved and evaluated every request's limits twice and took a fifth of a check's
time under load (docs/decisions.md, "Rate limits counted by `limits`"); a budget here is one
decorator that spends from the store and one hook that writes the headers the API documents."""
import math
import time
from functools import cache, wraps

from flask import current_app, g, request
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests


def init_app(app):
    uri = app.config["RATELIMIT_STORAGE_URI"]
    app.extensions["rate_limits"] = FixedWindowRateLimiter(
        SweptMemoryStorage() if uri == "memory://" else storage_from_string(uri))
    app.after_request(_headers)


class SweptMemoryStorage(MemoryStorage):
    """limits' memory store, whose expired counts are swept inline at most once a second.
    The original starts a timer thread for the sweep whenever its last one (10 ms) has ended:
    under load a new thread every few requests, and the worker waits for each to start (a
    budget spent between requests: 135 µs with the threads, 80 µs without). A count is expired
    when read all the same."""
    swept = 0.0

    def _MemoryStorage__schedule_expiry(self):  # replaces the original's private method
        if time.monotonic() - self.swept >= 1:
            self.swept = time.monotonic()
            self._MemoryStorage__expire_events()


def counter():
    """The app's `limits` strategy, on its store (also the messaging service's sender limits)."""
    return current_app.extensions["rate_limits"]


def budget(setting, scope, methods=None):
    """A view decorator: each request (of `methods`, or any) spends one from the budget
    `scope` of its address, whose limits are the setting `setting`; past one, 429."""
    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            if (methods is None or request.method in methods) \
                    and current_app.config["RATELIMIT_ENABLED"]:
                spend(current_app.config[setting], scope, request.remote_addr or "127.0.0.1")
            return view(*args, **kwargs)
        return limited
    return decorate


@cache
def _parsed(limits):
    return sorted(parse_many(limits))


def spend(limits, scope, address):
    """Count one request of `address` against each of `limits` ("60 per minute;1000 per
    hour"), the shortest window first; the first one spent refuses it with 429 (the others are
    left as they were). The headers tell the tightest: the limit with the fewest left, or the
    one that refused and when it opens again (Retry-After, seconds)."""
    strategy, prefix = counter(), current_app.config["RATELIMIT_KEY_PREFIX"]
    tightest = None
    for item in _parsed(limits):
        allowed = strategy.hit(item, prefix, scope, address)
        reset, remaining = strategy.get_window_stats(item, prefix, scope, address)
        told = {"X-RateLimit-Limit": item.amount, "X-RateLimit-Remaining": remaining,
                "X-RateLimit-Reset": int(reset)}
        if not allowed:
            g.rate_limit = told | {"Retry-After": max(1, math.ceil(reset - time.time()))}
            raise TooManyRequests()
        if tightest is None or remaining < tightest["X-RateLimit-Remaining"]:
            tightest = told
    g.rate_limit = tightest


def _headers(response):
    response.headers.update(g.pop("rate_limit", None) or {})
    return response


def reset():
    """Forget every count (tests)."""
    counter().storage.reset()


verify = budget("REGISTRY_LIMIT_VERIFY", "verify", methods=("GET", "POST"))
# The verify page's form (POST) and the API's GET mint receipts from one budget.
verify_form = budget("REGISTRY_LIMIT_VERIFY", "verify", methods=("POST",))
# Bulk checks (page and API) from their own budget, counted per list, not per number.
bulk = budget("REGISTRY_LIMIT_BULK", "bulk", methods=("POST",))
search = budget("REGISTRY_LIMIT_SEARCH", "search")
open_data = budget("REGISTRY_LIMIT_OPEN_DATA", "open-data")
sign_in = budget("REGISTRY_LIMIT_SIGN_IN", "sign-in", methods=("POST",))
