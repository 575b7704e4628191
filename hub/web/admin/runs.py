"""Admin views of harvest runs: a run's errors grouped by stage and kind with what to do about each,
the live progress endpoint polled by admin.js, resume from a checkpoint, and completeness checks."""

from __future__ import annotations

from collections import OrderedDict

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from hub.accounts.permissions import Action
from hub.harvest.runs import reconcile_runs
from hub.health.explanations import explain
from hub.models import CompletenessReport, HarvestRun, ItemError
from hub.scheduling.runner import start_harvest
from hub.web.admin import bp, hub
from hub.web.admin.auth import login_required, require
from hub.web.admin.repositories import _action, get_repository_or_404, how_started

ERRORS_PER_GROUP = 50
RAW_PREVIEW = 2000


def get_run_or_404(run_id: int) -> HarvestRun:
    run = g.db.get(HarvestRun, run_id)
    if run is None:
        abort(404)
    require(Action.VIEW_INSTITUTION, run.repository.institution_id)
    return run


def _reconciled(run: HarvestRun) -> HarvestRun:
    """The run with its state derived (a dead worker's run shows as interrupted)."""
    if reconcile_runs(g.db, hub().settings, run.repository_id):
        g.db.commit()
    return run


def error_groups(run_id: int) -> list[dict]:
    """The run's errors grouped by (stage, kind): count, explanation and the first items."""
    rows = g.db.execute(select(ItemError.stage, ItemError.kind, func.count()).where(ItemError.run_id == run_id)
                        .group_by(ItemError.stage, ItemError.kind).order_by(func.count().desc())).all()
    groups = []
    for stage, kind, count in rows:
        items = g.db.scalars(select(ItemError).where(ItemError.run_id == run_id, ItemError.stage == stage,
                                                     ItemError.kind == kind).order_by(ItemError.id)
                             .limit(ERRORS_PER_GROUP)).all()
        groups.append({"stage": stage.value, "kind": kind, "count": count, "explanation": explain(kind, stage.value),
                       "items": [{"id": e.id, "source_identifier": e.source_identifier, "message": e.message,
                                  "record_id": e.record_id,
                                  "raw": (e.raw or b"")[:RAW_PREVIEW].decode("utf-8", "replace")} for e in items]})
    return groups


def progress(run: HarvestRun) -> dict:
    """What the progress endpoint reports of a run."""
    return {"id": run.id, "repository_id": run.repository_id, "state": run.state.value, "kind": run.kind.value,
            "pages": run.pages, **run.counts(), "message": run.message, "duration": run.duration,
            "finished": run.state.finished, "resumable": run.resumable,
            "errors": g.db.scalar(select(func.count()).select_from(ItemError).where(ItemError.run_id == run.id)) or 0,
            "heartbeat_at": run.heartbeat_at.isoformat() if run.heartbeat_at else None}


@bp.get("/runs/<int:run_id>")
@login_required
def run(run_id: int):
    """A run: counts, duration, state and its errors with explanations in both languages."""
    item = _reconciled(get_run_or_404(run_id))
    from hub.harvest.gather import run_warnings

    return render_template("admin/run.html", run=item, repo=item.repository, groups=error_groups(item.id),
                           warnings=run_warnings(g.db, item.id))


@bp.get("/runs/<int:run_id>/progress.json")
@login_required
def run_progress(run_id: int):
    """Live progress of a run (polled every two seconds by admin.js)."""
    return jsonify(progress(_reconciled(get_run_or_404(run_id))))


@bp.get("/repositories/<int:repository_id>/progress.json")
@login_required
def repository_progress(repository_id: int):
    """Progress of the repository's latest run (``{"run": null}`` before the first)."""
    repo = get_repository_or_404(repository_id)
    reconcile_runs(g.db, hub().settings, repo.id)
    g.db.commit()
    latest = g.db.scalars(select(HarvestRun).where(HarvestRun.repository_id == repo.id)
                          .order_by(HarvestRun.id.desc()).limit(1)).first()
    return jsonify({"run": progress(latest) if latest else None})


@bp.post("/runs/<int:run_id>/resume")
@login_required
def run_resume(run_id: int):
    """Resume a failed or interrupted run from its checkpoint."""
    item = _reconciled(get_run_or_404(run_id))
    require(Action.MANAGE_INSTITUTION, item.repository.institution_id)
    if not item.resumable:
        flash(gettext("Run %(id)s is %(state)s: nothing to resume.", id=run_id, state=item.state.value))
        return redirect(url_for("admin.run", run_id=run_id))
    _action(item.repository, "run.resume", note=f"run {run_id} from page {item.pages}")
    flash(gettext("Resuming run %(id)s from its checkpoint: %(how)s.", id=run_id,
                  how=how_started(start_harvest(hub(), item.repository_id))))
    return redirect(url_for("admin.repository", repository_id=item.repository_id))


@bp.post("/repositories/<int:repository_id>/completeness")
@login_required
def completeness_check(repository_id: int):
    """Sweep the source's identifiers and compare them with the hub's records."""
    from hub.health.completeness import check_completeness

    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    report_id = check_completeness(hub(), repo.id)
    _action(repo, "repository.completeness", note=f"report {report_id}")
    return redirect(url_for("admin.completeness", report_id=report_id))


@bp.get("/completeness/<int:report_id>")
@login_required
def completeness(report_id: int):
    report = g.db.get(CompletenessReport, report_id)
    if report is None:
        abort(404)
    repo = get_repository_or_404(report.repository_id)
    lists = OrderedDict((("missing", report.missing), ("stale", report.stale), ("extra", report.extra)))
    return render_template("admin/completeness.html", report=report, repo=repo, lists=lists)


@bp.post("/completeness/<int:report_id>/repair")
@login_required
def completeness_repair(report_id: int):
    """Repair: GetRecord of the missing and stale records, or a full re-harvest (``mode=full``)."""
    from hub.health.completeness import repair_with_getrecord
    from hub.pipeline.dispatch import submit

    report = g.db.get(CompletenessReport, report_id)
    if report is None:
        abort(404)
    repo = get_repository_or_404(report.repository_id, Action.MANAGE_INSTITUTION)
    if request.form.get("mode") == "full":
        _action(repo, "repository.full-harvest", note=f"repair of completeness report {report_id}")
        flash(gettext("Full re-harvest %(how)s.", how=how_started(start_harvest(hub(), repo.id, full=True))))
        return redirect(url_for("admin.repository", repository_id=repo.id))
    try:
        result = repair_with_getrecord(hub(), report_id)
    except (ValueError, LookupError) as exc:
        flash(str(exc))
        return redirect(url_for("admin.completeness", report_id=report_id))
    _action(repo, "repository.repair", note=result["note"])
    if result.get("changed_ids"):  # files, works, index and the change feed, without waiting for them
        submit(hub(), "after_run", repo.id, result["run_id"], list(result["changed_ids"]))
    flash(gettext("Repair: %(note)s", note=result["note"]))
    return redirect(url_for("admin.completeness", report_id=report_id))
