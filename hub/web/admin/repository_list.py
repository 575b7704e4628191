"""The admin list of repositories (GET /admin/repositories): every repository the signed-in user
may see, filtered by member, state, health and platform, paginated.

Member administrators see their own member's repositories only (the filters cannot widen that);
hub staff see the whole network. Each row links to the repository's page, its member, its last run
and its quality report; states are written out (and marked with a symbol), never colour alone.
"""

from __future__ import annotations

from enum import StrEnum

from flask import g, render_template, request
from sqlalchemy import select

from hub.accounts.permissions import visible_institutions
from hub.health.dashboard import RepositoryHealth, network_health
from hub.models import Institution
from hub.plugins import platforms as registered_platforms
from hub.states import RepositoryState
from hub.web.admin import bp, hub
from hub.web.admin.auth import current_user, login_required
from hub.web.admin.labels import member_options, options
from hub.web.admin.paging import choice, int_arg, paginate, query_without_page


class HealthFilter(StrEnum):
    """The health a repository list can be narrowed to."""

    FAILING = "failing"
    SILENT = "silent"
    HEALTHY = "healthy"
    NEVER = "never"


def health_of(row: RepositoryHealth) -> HealthFilter:
    """Which :class:`HealthFilter` a dashboard row falls under."""
    if row.failing:
        return HealthFilter.FAILING
    if row.silent:
        return HealthFilter.SILENT
    if row.last_run_state is None:
        return HealthFilter.NEVER
    return HealthFilter.HEALTHY


def filter_rows(rows: list[RepositoryHealth], *, institution_id: int | None = None,
                state: RepositoryState | None = None, health: HealthFilter | None = None,
                platform: str = "") -> list[RepositoryHealth]:
    """The rows matching every filter given (None or "" leaves a filter out)."""
    return [r for r in rows
            if (institution_id is None or r.institution_id == institution_id)
            and (state is None or r.state == state)
            and (health is None or health_of(r) == health)
            and (not platform or r.platform == platform)]


@bp.get("/repositories", endpoint="repositories")
@login_required
def repositories():
    """The repositories the user may see, filtered and paginated."""
    visible = visible_institutions(current_user())
    rows = network_health(g.db, hub().settings, visible)
    rows.sort(key=lambda r: (r.institution_slug, r.name.lower(), r.repository_id))
    members_query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
    if visible is not None:
        members_query = members_query.where(Institution.id.in_(visible or {-1}))
    members = g.db.scalars(members_query).all()
    platforms = sorted({r.platform for r in rows} | set(registered_platforms(hub().pm)))
    platform = request.args.get("platform", "")
    chosen = {"institution_id": int_arg("institution_id"), "state": choice("state", RepositoryState),
              "health": choice("health", HealthFilter), "platform": platform if platform in platforms else ""}
    shown = filter_rows(rows, **chosen)
    choices = {"members": member_options(members), "states": options(RepositoryState),
               "healths": options(HealthFilter), "platforms": [(p, p) for p in platforms]}
    return render_template("admin/repositories.html", page=paginate(shown), chosen=chosen, options=choices,
                           health_of=health_of, query=query_without_page(), total=len(rows))
