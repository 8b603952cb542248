"""Rate limits on the public writes and expensive reads (Flask-Limiter), one shared budget per
kind of work, so the HTML page and the JSON API of the same work count together. Values come
from the configuration (REGISTRY_LIMIT_*), so a deployment tunes them without code."""
from flask import current_app

from .extensions import limiter


def _configured(name):
    return lambda: current_app.config[name]


# The verify page's form (POST) and the API's GET mint receipts from one budget.
verify = limiter.shared_limit(_configured("REGISTRY_LIMIT_VERIFY"), scope="verify",
                              methods=["GET", "POST"])
verify_form = limiter.shared_limit(_configured("REGISTRY_LIMIT_VERIFY"), scope="verify",
                                   methods=["POST"])
# Bulk checks (page and API) from their own budget, counted per list, not per number.
bulk = limiter.shared_limit(_configured("REGISTRY_LIMIT_BULK"), scope="bulk", methods=["POST"])
search = limiter.shared_limit(_configured("REGISTRY_LIMIT_SEARCH"), scope="search")
open_data = limiter.shared_limit(_configured("REGISTRY_LIMIT_OPEN_DATA"), scope="open-data")
sign_in = limiter.shared_limit(_configured("REGISTRY_LIMIT_SIGN_IN"), scope="sign-in",
                               methods=["POST"])
