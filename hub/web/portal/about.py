"""The portal's pages about the hub itself: /about, /help, /contact and /privacy.

Their text lives in the theme (``about.html``, ``help.html``, ``contact.html``, ``privacy.html``,
one block per language), so a deployment rewrites them by putting files of the same names in its
own theme. What the text states about the hub comes from the running hub, never from the template:
:func:`hub_facts` gives the real addresses (OAI-PMH, API, ResourceSync, dumps), the formats and
sets served, the harvester's User-Agent and politeness, the metadata licence and the contact
address, so a page never promises what this deployment does not do.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, url_for
from sqlalchemy import select

from hub.app import current_hub
from hub.models import Institution
from hub.web.portal import bp, data

PAGES = ("about", "help", "contact", "privacy")


@dataclass(frozen=True)
class HubFacts:
    """What the about and help pages say about this deployment, read from its settings."""

    base_url: str
    oai_url: str
    api_url: str
    openapi_url: str
    resourcesync_url: str
    data_url: str
    formats: tuple[str, ...]
    identifier_example: str
    page_records: int
    token_days: str  # "7", "0.5"
    user_agent: str
    request_delay: float
    concurrency: int
    overlap_seconds: int
    max_retries: int
    file_max_mb: int
    license: str
    admin_email: str
    oai_sets: bool


def hub_facts() -> HubFacts:
    """The facts of the running hub the pages about it state."""
    from oai.provider.formats import metadata_formats

    hub = current_hub()
    settings = hub.settings
    base = str(settings["BASE_URL"]).rstrip("/")
    return HubFacts(
        base_url=base, oai_url=f"{base}/oai", api_url=f"{base}/api/v1/", openapi_url=f"{base}/api/v1/openapi.json",
        resourcesync_url=f"{base}/.well-known/resourcesync", data_url=base + url_for("portal.data_dumps"),
        formats=tuple(metadata_formats(hub.pm)),
        identifier_example=f"oai:{settings['OAI_IDENTIFIER_PREFIX']}:1",
        page_records=int(settings["OAI_PAGE_SIZE_RECORDS"]),
        token_days=f"{int(settings['OAI_TOKEN_LIFETIME']) / 86400:g}",
        user_agent=str(settings["USER_AGENT"]), request_delay=float(settings["HARVEST_REQUEST_DELAY"]),
        concurrency=int(settings["REPOSITORY_CONCURRENCY"]),
        overlap_seconds=int(settings["HARVEST_OVERLAP_SECONDS"]), max_retries=int(settings["HTTP_MAX_RETRIES"]),
        file_max_mb=int(settings["FILE_MAX_BYTES"]) // (1024 * 1024), license=str(settings["METADATA_LICENSE"]),
        admin_email=str(settings["ADMIN_EMAIL"]),
        oai_sets=bool(settings["OAI_ENABLE_SETS"]))


def member_contacts() -> dict[str, str]:
    """Member slug -> the contact address the member registered (members without one left out)."""
    with current_hub().db.session() as session:
        return {slug: email for slug, email in session.execute(
            select(Institution.slug, Institution.contact_email).where(Institution.removed_at.is_(None))) if email}


def _page(name: str):
    from hub.search.query import FIELDS

    hub = current_hub()
    settings = hub.settings
    return render_template(f"{name}.html", facts=hub_facts(), totals=data.totals(hub), search_fields=FIELDS,
                           institutions=data.institutions(hub) if name in ("about", "contact") else [],
                           contacts=member_contacts() if name == "contact" else {},
                           session_hours=settings["SESSION_LIFETIME_HOURS"],
                           double_click=settings["USAGE_DOUBLE_CLICK_SECONDS"])


@bp.get("/about")
def about():
    """What the hub is, who runs it, what it holds and how it gathers it."""
    return _page("about")


@bp.get("/help")
def help_page():
    """Search syntax, the harvesting policy for members, OAI-PMH and the API for aggregators."""
    return _page("help")


@bp.get("/contact")
def contact():
    """Whom to write to: the hub's team, and each member's own repository contact."""
    return _page("contact")


@bp.get("/privacy")
def privacy():
    """What the hub records about visitors and why: cookies, usage counting, logs."""
    return _page("privacy")
