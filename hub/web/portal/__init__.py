"""The public portal: home, search, records, institutions, browse, feeds, sitemaps; bilingual.

Views live in :mod:`hub.web.portal.views` (search and records),
:mod:`hub.web.portal.pages` (home, institutions, browse, feeds, sitemaps, robots) and
:mod:`hub.web.portal.about` (about, help, contact, privacy); the statistics pages are
:mod:`hub.web.statistics`. Every page shows one language at a time (hub.web.i18n). Templates
come from the theme (``themes/<THEME>/templates``, falling back to ``themes/default``).
Everything harvested is rendered through Jinja's autoescape; highlight snippets are escaped
before their ``<mark>`` elements are added (hub.search.highlight).
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

bp = Blueprint("portal", __name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Themes, languages, the portal blueprint and friendly error pages."""
    from hub.web import i18n, themes
    from hub.web.charts import column_chart
    from hub.web.portal import about, data_dumps, pages, researchers, views  # noqa: F401 - register the routes on bp
    from hub.web.portal.labels import (
        FACET_TITLES,
        discipline_name,
        facet_label,
        field_label,
        human_size,
        identifier_label,
        language_name,
        pick,
        region_name,
        site_name,
        type_label,
        version_label,
    )

    themes.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(facet_label=facet_label, human_size=human_size, language_name=language_name,
                                 pick=pick, type_label=type_label, facet_titles=FACET_TITLES,
                                 discipline_name=discipline_name, version_label=version_label,
                                 region_name=region_name, identifier_label=identifier_label,
                                 field_label=field_label, column_chart=column_chart)

    @app.context_processor
    def _portal_helpers():
        from hub.web.links import request_link

        def lang_url(code: str) -> str:
            """This page in language ``code``: a same-site link whatever path the visitor asked for."""
            return request_link(lang=code)

        def routed_path(path: str, fallback: str) -> str:
            """``path`` when a route of the app serves it (another module's page), else ``fallback``."""
            return path if any(rule.rule == path for rule in app.url_map.iter_rules()) else fallback

        from flask_babel import get_locale
        from markupsafe import Markup, escape

        from hub.exchange.dumps.listing import metadata_license

        lang = str(get_locale() or "zh")[:2]
        settings = app.extensions["chair"].settings  # the hub's current settings (hub.configure replaces them)
        licence = metadata_license(settings)
        return {"lang_url": lang_url, "routed_path": routed_path, "site_name": site_name(settings, lang),
                "metadata_licence": Markup('<a href="{}" rel="license">{}</a>').format(licence.url,
                                                                                       escape(licence.id))}

    @app.errorhandler(404)
    def _not_found(exc: HTTPException):
        if _wants_json():
            return jsonify(error="not_found", message=exc.description or "not found"), 404
        return render_template("error.html", status=404), 404

    @app.errorhandler(500)
    def _server_error(exc: Exception):
        if _wants_json():
            return jsonify(error="internal_error", message="internal server error"), 500
        return render_template("error.html", status=500), 500
