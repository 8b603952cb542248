"""Absolute addresses: built from REGISTRY_BASE_URL, never from the request's Host header, so a
forged header cannot change what the registry signs or publishes (receipts, QR codes, feeds)."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def absolute(endpoint, **values):
    base = current_app.config.get("REGISTRY_BASE_URL")
    if not base:  # debug and tests only: create_app requires it anywhere else
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


def tag(*parts):
    """A permanent id (RFC 4151 tag URI, for Atom ids: RFC 4287 section 4.2.6) under the site's
    host: 'tag:registry.example.gov,2026:agency/AG-7K3M9Q2TXR'. Built from what never changes
    (permanent ids), never from a licence number or the request's address."""
    base = current_app.config.get("REGISTRY_BASE_URL") or url_for("public.root", _external=True)
    return f"tag:{urlsplit(base).hostname},2026:" + "/".join(str(p) for p in parts)


def check_base_url(value):
    """The reason REGISTRY_BASE_URL is unusable, or "" when it is a site address."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must be the site's address, such as https://registry.example.gov"
    if parts.query or parts.fragment:
        return "it must not have a query or a fragment"
    return ""


def trusted_hosts(config):
    """The Host headers the site answers: its own address's, and any listed besides."""
    hosts = [urlsplit(config["REGISTRY_BASE_URL"]).hostname]
    hosts += [h.strip() for h in config.get("REGISTRY_TRUSTED_HOSTS", "").split(",") if h.strip()]
    return hosts
