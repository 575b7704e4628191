"""Admin pages of works and metadata quality (/admin/works/..., /admin/quality/...).

- ``GET /admin/works/<id>`` — a work, its copies and the evidence; forms to split records off it
  and to join it with another work (hub administrators, and member administrators for works
  holding one of their institution's records);
- ``POST /admin/works/<id>/split`` (``record_id`` repeated) and ``POST /admin/works/<id>/join``
  (``other``) — stored decisions, kept across re-harvests; written to the audit log;
- ``GET /admin/quality/<repository_id>`` — the quality report of a repository, with ``.csv`` and
  ``.json`` downloads (staff, and the repository's member administrators).

Signing in, sessions, CSRF and permissions are the admin area's (hub.web.admin.auth).
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request, url_for

from hub.accounts.permissions import Action
from hub.models import Repository
from hub.web.admin import THEME, hub, install_request_hooks
from hub.web.admin.auth import current_user, login_required, require

bp = Blueprint("works_admin", __name__, url_prefix="/admin", template_folder=str(THEME / "templates"))


install_request_hooks(bp)


def _view_or_404(work_id: int):
    from hub.works.api import get_work

    view = get_work(g.db, work_id)
    if view is None or not view.copies:
        abort(404)
    return view


@bp.get("/works/<int:work_id>")
@login_required
def work(work_id: int):
    """A work with its copies and the evidence linking them."""
    from hub.works.decisions import may_decide

    view = _view_or_404(work_id)
    record_ids = [c.record_id for c in view.copies]
    if not may_decide(g.db, current_user(), record_ids):
        require(Action.VIEW_NETWORK)
    return render_template("works/work.html", work=view,
                           can_decide=may_decide(g.db, current_user(), record_ids))


def _follow(report) -> None:
    """After a committed decision: what follows a regrouping (the moved records indexed again)."""
    from hub.harvest.followups import after_regroup

    after_regroup(hub(), report)


def _decide(decide):
    """Apply a split or join decision, commit it and re-index what moved; None (flashed) when refused."""
    from hub.works.decisions import DecisionError

    try:
        report = decide(int(hub().settings.get("WORKS_BUCKET_CAP", 100)))
    except DecisionError as exc:
        g.db.rollback()
        flash(f"{exc}")
        return None
    g.db.commit()
    _follow(report)
    return report


@bp.post("/works/<int:work_id>/split")
@login_required
def split_work(work_id: int):
    """Take the chosen records out of the work."""
    from hub.works.decisions import split

    try:
        ids = [int(v) for v in request.form.getlist("record_id")]
    except ValueError:
        abort(400)
    report = _decide(lambda cap: split(g.db, work_id, ids, user=current_user(),
                                                note=request.form.get("note", ""), cap=cap))
    if report is None:
        return redirect(url_for("works_admin.work", work_id=work_id))
    flash("Split saved; it is kept across re-harvests. 已拆分，重新收割后仍然有效。")
    return redirect(url_for("works_admin.work", work_id=report.groups.get(ids[0], work_id)))


@bp.post("/works/<int:work_id>/join")
@login_required
def join_work(work_id: int):
    """Make this work and another one (``other``) one work."""
    from hub.works.decisions import join

    try:
        other = int(request.form.get("other", ""))
    except ValueError:
        abort(400)
    report = _decide(lambda cap: join(g.db, work_id, other, user=current_user(),
                                               note=request.form.get("note", ""), cap=cap))
    if report is None:
        return redirect(url_for("works_admin.work", work_id=work_id))
    flash("Joined; kept across re-harvests. 已合并，重新收割后仍然有效。")
    return redirect(url_for("works_admin.work", work_id=next(iter(report.groups.values()), work_id)))


def _report(repository_id: int):
    from hub.quality.report import build_report

    repo = g.db.get(Repository, repository_id)
    if repo is None:
        abort(404)
    require(Action.VIEW_INSTITUTION, repo.institution_id)
    return build_report(g.db, repository_id)


@bp.get("/quality/<int:repository_id>")
@login_required
def quality(repository_id: int):
    """The quality report of a repository."""
    report = _report(repository_id)
    return render_template("works/quality.html", report=report, data=report.to_dict())


@bp.get("/quality/<int:repository_id>.json")
@login_required
def quality_json(repository_id: int):
    """The quality report as JSON."""
    body = json.dumps(_report(repository_id).to_dict(), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=quality-{repository_id}.json"})


@bp.get("/quality/<int:repository_id>.csv")
@login_required
def quality_csv(repository_id: int):
    """The quality report as CSV (one row per finding or suggestion)."""
    from hub.quality.report import to_csv

    return Response(to_csv(_report(repository_id)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=quality-{repository_id}.csv"})


def init_app(app: Flask) -> None:
    """Register the works and quality admin pages."""
    app.register_blueprint(bp)
