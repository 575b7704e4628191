"""Public statistics: /statistics (the whole network) and /statistics/<slug> (one member):
records by year, type, language and subject, full-text coverage, growth, views and downloads,
drawn as inline SVG (no script, no CDN)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from sqlalchemy import select

from hub.models import Institution
from hub.stats import charts
from hub.stats.aggregates import holdings
from hub.web.admin import THEME

bp = Blueprint("statistics", __name__, template_folder=str(THEME / "templates"))


def _hub():
    from hub.app import current_hub

    return current_hub()


def _render(institution: Institution | None):
    with _hub().db.session() as session:
        stats = holdings(session, institution.id if institution else None)
        members = session.scalars(select(Institution).where(Institution.removed_at.is_(None))
                                  .order_by(Institution.slug)).all()
    return render_template("admin/statistics.html", stats=stats, institution=institution, members=members,
                           charts=charts)


@bp.get("/statistics")
def network():
    """Statistics of the whole network."""
    return _render(None)


@bp.get("/statistics/<slug>")
def member(slug: str):
    """Statistics of one member institution."""
    with _hub().db.session() as session:
        institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None or institution.removed:
        abort(404)
    return _render(institution)


def init_app(app: Flask) -> None:
    """Register the public statistics pages and the usage counting hook."""
    from hub.stats.hooks import init_app as count_usage_on

    app.register_blueprint(bp)
    count_usage_on(app)
