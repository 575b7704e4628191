"""The admin list of works (GET /admin/works): works held as more than one copy, the ones touching
the signed-in user's records (every one for hub staff), filterable by title or DOI and by member,
paginated. Each row links to the work's page (hub.web.works), where copies are split and joined.
"""

from __future__ import annotations

from flask import g, render_template, request
from sqlalchemy import func, or_, select

from hub.accounts.permissions import visible_institutions
from hub.models import Institution, Record, Repository, Work, WorkMember
from hub.web.admin import bp
from hub.web.admin.auth import current_user, login_required
from hub.web.admin.labels import member_options
from hub.web.admin.paging import PER_PAGE, Page, int_arg, page_number, query_without_page

MAX_QUERY = 200  # characters of the title/DOI filter kept


def works_query(institutions: set[int] | None, text: str = ""):
    """Works of more than one copy with a live record of ``institutions`` (None: any), matching ``text``."""
    query = select(Work).where(Work.size > 1)
    if institutions is not None:
        holding = (select(WorkMember.work_id).join(Repository, Repository.id == WorkMember.repository_id)
                   .join(Record, Record.id == WorkMember.record_id)
                   .where(Repository.institution_id.in_(institutions or {-1}), Record.deleted.is_(False)))
        query = query.where(Work.id.in_(holding))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Work.title.ilike(pattern, escape="\\"), Work.doi.ilike(pattern, escape="\\")))
    return query


@bp.get("/works", endpoint="works")
@login_required
def works():
    """Works held as several copies, newest first, filtered and paginated."""
    visible = visible_institutions(current_user())
    member = int_arg("institution_id")
    scope = visible if member is None else ({member} & visible if visible is not None else {member})
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    query = works_query(scope, text)
    total = g.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = min(page_number(), max(1, -(-total // PER_PAGE)))
    rows = g.db.scalars(query.order_by(Work.updated_at.desc(), Work.id.desc())
                        .offset((number - 1) * PER_PAGE).limit(PER_PAGE)).all()
    members_query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
    if visible is not None:
        members_query = members_query.where(Institution.id.in_(visible or {-1}))
    return render_template("admin/works.html", page=Page(rows, number, PER_PAGE, total), q=text,
                           chosen={"institution_id": member},
                           options={"members": member_options(g.db.scalars(members_query).all())},
                           query=query_without_page())
