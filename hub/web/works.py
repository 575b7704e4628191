"""Admin pages of works and metadata quality (/admin/works/..., /admin/quality/...).

- ``GET /admin/works/<id>`` — a work, its copies and the evidence; forms to split records off it
  and to join it with another work (hub administrators, and member administrators for works
  holding one of their institution's records), and the decisions about it waiting for consent;
- ``POST /admin/works/<id>/split`` (``record_id`` repeated) and ``POST /admin/works/<id>/join``
  (``other``) — stored decisions, kept across re-harvests; written to the audit log. A decision
  touching other members' records waits for their consent (hub.works.decisions);
- ``GET /admin/works/requests`` and ``POST /admin/works/requests/<id>/consent|decline`` — the
  decisions waiting for consent, answered by the members concerned or a hub administrator;
- ``GET /admin/quality/<repository_id>`` — the quality report of a repository, with ``.csv`` and
  ``.json`` downloads (staff, and the repository's member administrators).

Signing in, sessions, CSRF and permissions are the admin area's (hub.web.admin.auth).
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.permissions import Action
from hub.models import Repository, Role, Work
from hub.web.admin import THEME, hub, install_request_hooks
from hub.web.admin.auth import current_user, login_required, require
from hub.web.ids import form_id

bp = Blueprint("works_admin", __name__, url_prefix="/admin", template_folder=str(THEME / "templates"))


install_request_hooks(bp)


def _view_or_404(work_id: int):
    from hub.works.api import get_work

    view = get_work(g.db, work_id)
    if view is None or not view.copies:
        abort(404)
    return view


def _institution_names() -> dict[int, str]:
    """Each member's name in the page's language (the other one, or its slug, when it has none)."""
    from hub.models import Institution
    from hub.web.admin.labels import member_name

    return {i.id: member_name(i) for i in g.db.scalars(select(Institution))}


def _request_rows(requests: list) -> list[dict]:
    """Pending requests as the templates show them: who is awaited, whether the user may answer."""
    from hub.works.decisions import consented, may_answer, waiting_for

    names = _institution_names()
    user = current_user()
    return [{"request": r, "waiting": [names.get(i, str(i)) for i in waiting_for(g.db, r)],
             "consented": [names.get(i, str(i)) for i in sorted(consented(g.db, r))],
             "can_answer": may_answer(g.db, user, r)} for r in requests]


@bp.get("/works/<int:work_id>")
@login_required
def work(work_id: int):
    """A work with its copies and the evidence linking them."""
    from hub.works.decisions import may_decide, may_request, may_view, pending_requests

    view = _view_or_404(work_id)
    record_ids = [c.record_id for c in view.copies]
    user = current_user()
    if not may_view(g.db, user, record_ids):
        require(Action.VIEW_NETWORK)
    can_decide = may_decide(g.db, user, record_ids)
    return render_template("works/work.html", work=view, can_decide=can_decide,
                           can_request=not can_decide and may_request(g.db, user, record_ids),
                           pending=_request_rows(pending_requests(g.db, record_ids)))


def _follow(report) -> None:
    """After a committed decision: what follows a regrouping (the moved records indexed again)."""
    from hub.pipeline.dispatch import follow
    from hub.pipeline.stages import regrouped

    follow(hub(), regrouped(report))


def _decide(decide):
    """Apply a split or join decision, commit it and re-index what moved; None (flashed) when refused
    or when it waits for other members' consent (the request is kept)."""
    from hub.works.decisions import ConsentNeeded, DecisionError

    try:
        report = decide(hub().settings.WORKS_BUCKET_CAP)
    except DecisionError as exc:
        g.db.rollback()
        flash(f"{exc}")
        return None
    except ConsentNeeded as pending:
        g.db.commit()
        names = _institution_names()
        flash(gettext("This touches other members' records: it waits for the consent of %(members)s "
                      "(request %(id)s).", members=", ".join(names.get(i, str(i)) for i in pending.waiting),
                      id=pending.request.id))
        return None
    if report is not None:
        g.db.commit()
        _follow(report)
    return report


@bp.post("/works/<int:work_id>/split")
@login_required
def split_work(work_id: int):
    """Take the chosen records out of the work."""
    from hub.works.decisions import split

    try:
        ids = [form_id(v) for v in request.form.getlist("record_id")]
    except ValueError:
        abort(400)
    report = _decide(lambda cap: split(g.db, work_id, ids, user=current_user(),
                                                note=request.form.get("note", ""), cap=cap))
    if report is None:
        return redirect(url_for("works_admin.work", work_id=work_id))
    flash(gettext("Split saved; it is kept across re-harvests."))
    return redirect(url_for("works_admin.work", work_id=report.groups.get(ids[0], work_id)))


@bp.post("/works/<int:work_id>/join")
@login_required
def join_work(work_id: int):
    """Make this work and another one (``other``) one work."""
    from hub.works.decisions import join

    try:
        other = form_id(request.form.get("other", ""))
    except ValueError:
        abort(400)
    report = _decide(lambda cap: join(g.db, work_id, other, user=current_user(),
                                               note=request.form.get("note", ""), cap=cap))
    if report is None:
        return redirect(url_for("works_admin.work", work_id=work_id))
    flash(gettext("Joined; kept across re-harvests."))
    return redirect(url_for("works_admin.work", work_id=next(iter(report.groups.values()), work_id)))


@bp.get("/works/requests")
@login_required
def requests():
    """The decisions waiting for consent that the user may answer (all of them for hub staff)."""
    from hub.works.decisions import requests_for

    user = current_user()
    if user.role != Role.MEMBER_ADMIN:
        require(Action.VIEW_NETWORK)
    return render_template("works/requests.html", pending=_request_rows(requests_for(g.db, user)))


def _answer(request_id: int, answer):
    from hub.works.decisions import DecisionError, open_request

    try:
        work_id = open_request(g.db, request_id).work_id
        report = answer()
    except DecisionError as exc:
        g.db.rollback()
        flash(f"{exc}")
        return redirect(url_for("works_admin.requests"))
    g.db.commit()
    if report is not None:
        _follow(report)
        work_id = next(iter(report.groups.values()), work_id)
    return work_id, report


@bp.post("/works/requests/<int:request_id>/consent")
@login_required
def consent_request(request_id: int):
    """Consent to a decision as one of the members concerned (a hub administrator's consent decides)."""
    from hub.works.decisions import consent

    cap = hub().settings.WORKS_BUCKET_CAP
    answered = _answer(request_id, lambda: consent(g.db, request_id, current_user(), cap=cap))
    if not isinstance(answered, tuple):
        return answered
    work_id, report = answered
    flash(gettext("Consent recorded; the decision is applied.") if report is not None else
          gettext("Consent recorded; other members are still awaited."))
    return redirect(url_for("works_admin.work", work_id=work_id) if g.db.get(Work, work_id) else
                    url_for("works_admin.requests"))


@bp.post("/works/requests/<int:request_id>/decline")
@login_required
def decline_request(request_id: int):
    """Decline a decision waiting for consent."""
    from hub.works.decisions import decline

    answered = _answer(request_id, lambda: decline(g.db, request_id, current_user()))
    if not isinstance(answered, tuple):
        return answered
    flash(gettext("Request %(id)s declined.", id=request_id))
    return redirect(url_for("works_admin.requests"))


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
