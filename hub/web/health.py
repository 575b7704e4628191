"""Liveness and readiness endpoints for load balancers and the compose health checks."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the process serves requests and the database answers."""
    from hub.app import current_hub

    try:
        with current_hub().db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # reported, not raised: this is the health endpoint
        return jsonify(status="error", database=str(exc)), 503
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
