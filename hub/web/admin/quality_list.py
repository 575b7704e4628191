"""The network's metadata quality problems (GET /admin/quality): one row per finding of every
repository the signed-in user may see, filterable by repository, member, field and problem kind,
paginated, each row linking to the record concerned and to its repository's full report.

The findings are those of :func:`hub.quality.report.build_report` (the per-repository report of
hub.web.works, with its CSV and JSON downloads). Member administrators see their own member's
repositories only; the filters never widen that.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template
from sqlalchemy import select

from hub.accounts.permissions import visible_institutions
from hub.models import Repository
from hub.quality.checks import Field, Problem
from hub.quality.report import build_report
from hub.web.admin import bp
from hub.web.admin.auth import current_user, login_required
from hub.web.admin.labels import options
from hub.web.admin.paging import choice, int_arg, paginate, query_without_page


@dataclass(frozen=True)
class ProblemRow:
    """One finding of one record, as the list shows it."""

    repository_id: int
    repository_name: str
    record_id: int
    source_identifier: str
    title: str
    field: Field
    problem: Problem
    value: str
    required: bool
    advice_en: str
    advice_zh: str


def visible_repositories(institution_id: int | None = None, repository_id: int | None = None) -> list[Repository]:
    """The live repositories the user may see, narrowed to a member or one repository when asked."""
    visible = visible_institutions(current_user())
    query = select(Repository).where(Repository.removed_at.is_(None)).order_by(Repository.name, Repository.id)
    if visible is not None:
        query = query.where(Repository.institution_id.in_(visible or {-1}))
    if institution_id is not None:
        query = query.where(Repository.institution_id == institution_id)
    if repository_id is not None:
        query = query.where(Repository.id == repository_id)
    return list(g.db.scalars(query))


def problem_rows(repositories: list[Repository], field: Field | None = None,
                 problem: Problem | None = None) -> list[ProblemRow]:
    """Every finding of the repositories' live records matching ``field`` and ``problem``."""
    rows: list[ProblemRow] = []
    for repo in repositories:
        report = build_report(g.db, repo.id)
        for item in report.items:
            for finding in item.findings:
                if (field is None or finding.field == field) and (problem is None or finding.problem == problem):
                    en, zh = finding.advice
                    rows.append(ProblemRow(repo.id, repo.label, item.record_id, item.source_identifier, item.title,
                                           finding.field, finding.problem, finding.value, finding.required, en, zh))
    return rows


@bp.get("/quality", endpoint="quality_problems")
@login_required
def quality_problems():
    """Quality problems across the user's repositories, filtered and paginated."""
    chosen = {"repository_id": int_arg("repository_id"), "institution_id": int_arg("institution_id"),
              "field": choice("field", Field), "problem": choice("problem", Problem)}
    everything = visible_repositories()
    shown = visible_repositories(chosen["institution_id"], chosen["repository_id"])
    rows = problem_rows(shown, chosen["field"], chosen["problem"])
    choices = {"repositories": [(r.id, r.label) for r in everything], "fields": options(Field),
               "problems": options(Problem)}
    return render_template("admin/quality_problems.html", page=paginate(rows), chosen=chosen, options=choices,
                           query=query_without_page())
