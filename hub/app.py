"""The Flask application factory.

``create_app(test_config)`` builds the web application (portal, API, OAI-PMH provider,
admin) on a :class:`~hub.context.Hub`. Each web module has an ``init_app``; plugins add
blueprints through the ``register_blueprints`` hook.

The app refuses to be built on the built-in development key or an empty ``CHAIR_SECRET_KEY``
(:class:`hub.signing.InsecureSecretKey`, before anything is touched): that covers ``chair serve``,
gunicorn's ``hub.wsgi:app`` and any other WSGI server. ``chair demo`` brings a random key of its
own, the tests a test configuration. ``CHAIR_SECRET_KEY_FALLBACKS`` become Flask's
``SECRET_KEY_FALLBACKS``: sessions signed before a rotation stay valid, new ones use the new key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from hub.context import Hub


def create_app(test_config: Mapping[str, Any] | None = None, hub: Hub | None = None) -> Flask:
    """Build the web application; ``test_config`` overrides settings (see hub/config.py)."""
    from hub.signing import fallback_keys, require_secret_key

    hub = hub or Hub.create(overrides=test_config)
    require_secret_key(hub.settings)
    app = Flask(__name__, instance_path=hub.settings["INSTANCE_PATH"], static_folder=None)
    app.config.update(SECRET_KEY=hub.settings["SECRET_KEY"], SECRET_KEY_FALLBACKS=fallback_keys(hub.settings),
                      JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    app.extensions["chair"] = hub
    hub.db  # noqa: B018 - apply migrations before the first request
    from hub import web
    from hub.web import security

    security.init_app(app, hub.settings)
    web.init_app(app)
    hub.pm.hook.register_blueprints(app=app)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        return None

    return app


def current_hub() -> Hub:
    """The Hub of the current Flask application."""
    from flask import current_app

    return current_app.extensions["chair"]
