"""Web layer: registers the blueprints of the portal, API, OAI-PMH provider and admin area."""

from __future__ import annotations

import importlib

from flask import Flask

# Each module exposes init_app(app).
WEB_MODULES = (
    "hub.web.portal",  # first: it installs the theme loader, /static and the languages
    "hub.web.admin",
    "hub.web.auth",  # federated sign-in (/auth/): discovery, OpenID Connect, SAML
    "hub.web.works",
    "hub.web.statistics",
    "hub.web.portal.showcase",  # disciplines and collaboration (学科·合作)
    "hub.web.health",
    "oai.provider.views",
    "oai.resourcesync.views",
    "hub.web.files",
    "hub.web.api",
    "hub.web.api_write",  # the API's token-authenticated actions (personal API tokens)
    "hub.web.api_showcase",  # /api/v1/disciplines, /api/v1/collaboration
)


def init_app(app: Flask) -> None:
    """Register every web module on ``app`` (ids in paths bounded first: hub.web.ids).

    JSON answers are UTF-8 with characters as themselves (Flask escapes non-ASCII as ``\\u``
    by default; ``JSON_AS_ASCII`` no longer configures it since Flask 2.3)."""
    from hub.web import ids

    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # DefaultJSONProvider's
    ids.install(app)
    for name in WEB_MODULES:
        importlib.import_module(name).init_app(app)
