"""``/oai/view``: an OAI-PMH response as an HTML page made on the server, for browsers without XSLT.

``/oai`` names the theme's ``static/oai.xsl`` in every response, and browsers that apply XSLT show
the response as a page. Browsers are dropping XSLT (Chromium already shows a banner saying so), so
``/oai/view`` takes the same arguments, answers the same request and applies the same stylesheet
here, with libxslt (lxml), answering HTML. The stylesheet's links stay in the view: its
``?verb=...`` links are relative to the page, and ``root`` (``"../"``) leads its other links
(style sheet, portal, record pages) from ``/oai/view`` to the hub's own paths.

This is a page for people, not a protocol endpoint: it is never what a harvester is given, it
reads GET arguments only, and the whole page (one list page at most) is built in memory.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request
from lxml import etree

from hub.app import current_hub
from oai.provider.views import STYLESHEET, whole_response

blueprint = Blueprint("oai_html_view", __name__)
COMPILED = "chair.oai_stylesheet"
ROOT = "../"  # from /oai/view to the hub's root
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)


def stylesheet_path(app: Flask) -> Path:
    """The theme's ``oai.xsl`` (the chosen theme's, else the default theme's)."""
    for folder in app.config.get("CHAIR_STATIC_DIRS", []):
        candidate = Path(folder) / STYLESHEET
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {STYLESHEET} in the theme's static folders")


def compiled_stylesheet(app: Flask) -> etree.XSLT:
    """The stylesheet compiled once per application; it may read no file and open no connection."""
    compiled = app.extensions.get(COMPILED)
    if compiled is None:
        access = etree.XSLTAccessControl.DENY_ALL
        compiled = etree.XSLT(etree.parse(str(stylesheet_path(app)), _PARSER), access_control=access)
        app.extensions[COMPILED] = compiled
    return compiled


@blueprint.get("/oai/view")
def view() -> Response:
    """The response to the OAI-PMH request in the query string, as the stylesheet renders it."""
    arguments = {name: request.args.getlist(name) for name in request.args.keys()}
    if not arguments:
        arguments = {"verb": ["Identify"]}
    document = etree.fromstring(whole_response(current_hub(), arguments).encode("utf-8"), _PARSER)
    try:
        page = compiled_stylesheet(current_app)(document, root=etree.XSLT.strparam(ROOT))
    except etree.XSLTApplyError:
        current_app.logger.exception("cannot render the OAI-PMH response as a page")
        abort(500)
    return Response(str(page), content_type="text/html; charset=utf-8")


def init_app(app: Flask) -> None:
    """Register ``/oai/view``."""
    app.register_blueprint(blueprint)
