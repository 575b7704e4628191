"""The Flask application factory.

``create_app(test_config)`` builds the web application (portal, API, OAI-PMH provider,
admin) on a :class:`~hub.context.Hub`. Each web module has an ``init_app``; plugins add
blueprints through the ``register_blueprints`` hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from hub.context import Hub


def create_app(test_config: Mapping[str, Any] | None = None, hub: Hub | None = None) -> Flask:
    """Build the web application; ``test_config`` overrides settings (see hub/config.py)."""
    hub = hub or Hub.create(overrides=test_config)
    app = Flask(__name__, instance_path=hub.settings["INSTANCE_PATH"], static_folder=None)
    app.config.update(SECRET_KEY=hub.settings["SECRET_KEY"], JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    app.config["CHAIR"] = hub.settings
    app.extensions["chair"] = hub
    hub.db  # noqa: B018 - apply migrations before the first request
    from hub import web

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
