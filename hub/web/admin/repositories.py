"""Admin views of repositories: register (the source is asked first, see :mod:`hub.registration`: an
address that does not answer as a repository is shown as a failed check on the form, with a "save
paused anyway" button; the full check starts on save, as a task, and the page shows its progress until
its report is there), edit (asked again when the address or platform changes), pause, resume, delete
with its records (after confirmation), harvest now, full re-harvest and retry failed files.

No request waits on a repository: checks run like harvests (:mod:`hub.checking`). A user name and
password typed inside a base URL are kept apart from it (``Repository.credentials``) and never shown.
"""

from __future__ import annotations

import logging

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hub.accounts.audit import log_action
from hub.accounts.audit import snapshot as audit_snapshot
from hub.accounts.permissions import Action, can
from hub.checking import check_progress, check_state, request_check, start_check
from hub.members import (
    AlreadyRegistered,
    Draft,
    UnreadableFormat,
    check_metadata_prefix,
    check_not_registered,
    set_state,
    validate_options,
)
from hub.models import CompletenessReport, HarvestRun, Institution, Record, Repository, utcnow
from hub.plugins import crosswalks, platforms
from hub.redaction import HIDDEN, Credentials, split_credentials
from hub.registration import NotARepository, probe_source, register_repository
from hub.scheduling.runner import previous_start, start_harvest
from hub.scheduling.schedule import next_run
from hub.states import RepositoryState
from hub.web.admin import bp, hub
from hub.web.admin.auth import client_ip, current_user, login_required, require
from hub.web.admin.forms import repository_form, repository_values
from hub.web.ids import form_id

log = logging.getLogger(__name__)


def get_repository_or_404(repository_id: int, action: Action = Action.VIEW_INSTITUTION) -> Repository:
    """The repository, after checking the user may do ``action`` on its institution."""
    repo = g.db.get(Repository, repository_id)
    if repo is None or repo.removed:  # a removed repository lives on in the OAI-PMH provider only
        abort(404)
    require(action, repo.institution_id)
    return repo


def snapshot(repo: Repository) -> dict | None:
    """The audit snapshot of a repository, its credentials hidden."""
    data = audit_snapshot(repo)
    if data is not None and "credentials" in data:
        data["credentials"] = HIDDEN if data["credentials"] else ""
    return data


def _same_origin(a: str, b: str) -> bool:
    from urllib.parse import urlsplit

    try:
        left, right = urlsplit(a), urlsplit(b)
        return (left.scheme.lower(), left.hostname, left.port) == (right.scheme.lower(), right.hostname, right.port)
    except ValueError:
        return False


def _platform_choices() -> list[tuple[str, str]]:
    return sorted((name, cls.label or name) for name, cls in platforms(hub().pm).items())


def _institutions_for_form() -> list[Institution]:
    user = current_user()
    query = select(Institution).order_by(Institution.slug)
    if not can(user, Action.MANAGE_MEMBERS):
        query = query.where(Institution.id == (user.institution_id or -1))
    return list(g.db.scalars(query))


@bp.route("/repositories/new", methods=["GET", "POST"])
@login_required
def repository_new():
    """Register a repository; its check runs on save and its report is shown next."""
    choices = _platform_choices()
    institutions = _institutions_for_form()
    raw = request.values.get("institution_id", "")
    try:  # an id past the database's integers is no institution (not a driver error)
        chosen = form_id(raw) if raw else (institutions[0].id if institutions else None)
    except ValueError:
        abort(404)
    if chosen is None:
        abort(403)
    require(Action.MANAGE_INSTITUTION, chosen)
    inst = g.db.get(Institution, chosen)
    if inst is None:
        abort(404)
    if request.method == "GET":
        form, _ = repository_form({"platform": "oai", "metadata_prefix": "oai_dc"}, [c[0] for c in choices])
        form.errors.clear()
        return render_template("admin/repository_form.html", form=form, repo=None, platforms=choices,
                               institutions=institutions, chosen=chosen)
    form, values = repository_form(request.form, [c[0] for c in choices])
    probe_failure = ""
    if form.ok:
        try:
            registration = register_repository(
                g.db, hub(), member=inst.slug, platform=values["platform"], base_url=values["base_url"],
                name=values["name"], paused=_save_paused(), metadata_prefix=values["metadata_prefix"],
                sets=values["sets"], exclude_sets=values["exclude_sets"], options=values["options"],
                schedule=values["schedule"])
        except NotARepository as exc:
            probe_failure = exc.probe.detail
        except UnreadableFormat as exc:
            form.errors["metadata_prefix"] = str(exc)
        except (ValueError, LookupError) as exc:
            form.errors["base_url"] = str(exc)
        else:
            repo = registration.repository
            request_check(repo)
            log_action(g.db, current_user(), "repository.add", target_type="repository", target_id=repo.id,
                       institution_id=repo.institution_id, after=snapshot(repo), ip=client_ip(),
                       note=f"saved paused: {registration.probe.detail}" if registration.paused_unchecked else "")
            g.db.commit()
            start_check(hub(), repo.id)
            if registration.paused_unchecked:
                flash(gettext("Saved paused: the address did not answer as a repository (%(reason)s). It is not "
                              "harvested until you fix it and resume it.", reason=registration.probe.detail),
                      "warning")
            else:
                flash(gettext("Repository registered; its check is running, its report appears below."))
            return redirect(url_for("admin.repository", repository_id=repo.id))
    return render_template("admin/repository_form.html", form=form, repo=None, platforms=choices,
                           institutions=institutions, chosen=chosen, probe_failure=probe_failure), 422


def _save_paused() -> bool:
    """The form's "save paused anyway" button was the one pressed."""
    return request.form.get("save_paused") == "1"


def _probe_edit(repo: Repository, values: dict, options: dict) -> str:
    """When an edit changes where or how the repository is read, ask the source again; the
    probe's reason when it does not answer ('' when it does, or nothing it depends on changed)."""
    base_url, credentials = split_credentials(values["base_url"])
    if (base_url, values["platform"], credentials) == (repo.base_url, repo.platform, None):
        return ""
    if credentials is None and repo.credentials and _same_origin(base_url, repo.base_url):
        credentials = Credentials.from_text(repo.credentials)  # the stored ones, as the harvest will send them
    draft = Draft(repo.institution, values["platform"], base_url, credentials, values["metadata_prefix"],
                  tuple(values["sets"]), tuple(values["exclude_sets"]), options, values["schedule"])
    probe = probe_source(hub(), draft)
    return "" if probe.answers else probe.detail


@bp.get("/repositories/<int:repository_id>")
@login_required
def repository(repository_id: int):
    """A repository: settings, check report, schedule, live progress, run history and completeness."""
    repo = get_repository_or_404(repository_id)
    runs = g.db.scalars(select(HarvestRun).where(HarvestRun.repository_id == repo.id)
                        .order_by(HarvestRun.id.desc()).limit(50)).all()
    counts = dict(g.db.execute(select(Record.deleted, func.count()).where(Record.repository_id == repo.id)
                               .group_by(Record.deleted)).all())
    report = g.db.scalars(select(CompletenessReport).where(CompletenessReport.repository_id == repo.id)
                          .order_by(CompletenessReport.id.desc()).limit(1)).first()
    upcoming = next_run(repo.schedule, previous_start(g.db, repo), utcnow()) \
        if repo.state == RepositoryState.ACTIVE else None
    return render_template("admin/repository.html", repo=repo, runs=runs, live=counts.get(False, 0),
                           tombstones=counts.get(True, 0), completeness=report, next_run=upcoming,
                           findings=(repo.check_report or {}).get("findings", []), check_state=check_state(repo).value,
                           manage=can(current_user(), Action.MANAGE_INSTITUTION, repo.institution_id))


@bp.route("/repositories/<int:repository_id>/edit", methods=["GET", "POST"])
@login_required
def repository_edit(repository_id: int):
    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    choices = _platform_choices()
    if request.method == "GET":
        form, _ = repository_form(repository_values(repo), [c[0] for c in choices])
        form.errors.clear()
        return render_template("admin/repository_form.html", form=form, repo=repo, platforms=choices,
                               institutions=[], chosen=repo.institution_id)
    form, values = repository_form(request.form, [c[0] for c in choices])
    if form.ok:
        try:
            from hub.http import HttpError, UnsafeURLError, check_url

            check_url(values["base_url"], allow_private=hub().settings["ALLOW_PRIVATE_ADDRESSES"])
            available = platforms(hub().pm)
            options = validate_options(available[values["platform"]], values["options"])
            check_metadata_prefix(available, values["platform"], values["metadata_prefix"], crosswalks(hub().pm),
                                  options)
            check_not_registered(g.db, split_credentials(values["base_url"])[0], values["metadata_prefix"],
                                 other_than=repo.id)
        except (UnsafeURLError, HttpError, ValueError) as exc:  # HttpError: the host does not resolve
            form.errors["base_url" if isinstance(exc, (UnsafeURLError, HttpError, AlreadyRegistered)) else
                        "metadata_prefix" if isinstance(exc, UnreadableFormat) else "options"] = str(exc)
    probe_failure = _probe_edit(repo, values, options) if form.ok else ""
    if not form.ok or (probe_failure and not _save_paused()):
        return render_template("admin/repository_form.html", form=form, repo=repo, platforms=choices,
                               institutions=[], chosen=repo.institution_id, probe_failure=probe_failure), 422
    before = snapshot(repo)
    base_url, credentials = split_credentials(values["base_url"])
    if credentials is not None:
        repo.credentials = credentials.to_text()
    elif not _same_origin(base_url, repo.base_url):
        repo.credentials = ""  # another server never receives this one's password
    repo.name, repo.platform, repo.base_url = values["name"], values["platform"], base_url
    repo.metadata_prefix, repo.schedule = values["metadata_prefix"], values["schedule"]
    repo.sets_include, repo.sets_exclude = list(values["sets"]), list(values["exclude_sets"])
    repo.options = options
    if probe_failure:  # "save paused anyway"
        repo.state = RepositoryState.PAUSED
    request_check(repo)
    log_action(g.db, current_user(), "repository.edit", target_type="repository", target_id=repo.id,
               institution_id=repo.institution_id, before=before, after=snapshot(repo), ip=client_ip(),
               note=f"saved paused: {probe_failure}" if probe_failure else "")
    g.db.commit()
    start_check(hub(), repo.id)
    if probe_failure:
        flash(gettext("Saved paused: the address did not answer as a repository (%(reason)s). It is not "
                      "harvested until you fix it and resume it.", reason=probe_failure), "warning")
    else:
        flash(gettext("Saved; the check is running."))
    return redirect(url_for("admin.repository", repository_id=repo.id))


def _action(repo: Repository, action: str, note: str = "", before: dict | None = None) -> None:
    log_action(g.db, current_user(), action, target_type="repository", target_id=repo.id,
               institution_id=repo.institution_id, before=before, after=snapshot(repo) if before else None,
               ip=client_ip(), note=note)
    g.db.commit()


@bp.post("/repositories/<int:repository_id>/check")
@login_required
def repository_check(repository_id: int):
    """Check the repository again, as a task; the page shows its progress."""
    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    request_check(repo)
    _action(repo, "repository.check", note="check started")
    start_check(hub(), repo.id)
    return redirect(url_for("admin.repository", repository_id=repo.id))


@bp.get("/repositories/<int:repository_id>/check.json")
@login_required
def repository_check_progress(repository_id: int):
    """Where the repository's check stands (polled by admin.js while it runs)."""
    return jsonify(check_progress(get_repository_or_404(repository_id)))


@bp.post("/repositories/<int:repository_id>/pause")
@login_required
def repository_pause(repository_id: int):
    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    before = snapshot(repo)
    set_state(g.db, repo.id, RepositoryState.PAUSED)
    _action(repo, "repository.pause", before=before)
    return redirect(url_for("admin.repository", repository_id=repo.id))


@bp.post("/repositories/<int:repository_id>/resume")
@login_required
def repository_resume(repository_id: int):
    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    before = snapshot(repo)
    set_state(g.db, repo.id, RepositoryState.ACTIVE)
    _action(repo, "repository.resume", before=before)
    return redirect(url_for("admin.repository", repository_id=repo.id))


def how_started(line: str) -> str:
    """The dispatcher's line (``started``, ``queued as task N``, ``harvested, STATE``) in the page's language."""
    if line == "started":
        return gettext("started in the background")
    if line.startswith("queued as task "):
        return gettext("queued as task %(task)s", task=line.removeprefix("queued as task "))
    if line.startswith("harvested, "):
        return gettext("harvested (%(state)s)", state=line.removeprefix("harvested, "))
    return line


@bp.post("/repositories/<int:repository_id>/harvest")
@login_required
def repository_harvest(repository_id: int):
    """Harvest now (resuming an unfinished run) or, with ``full=1``, a full re-harvest."""
    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    full = request.form.get("full") == "1"
    if repo.state == RepositoryState.PAUSED:
        flash(gettext("The repository is paused: resume it first."))
        return redirect(url_for("admin.repository", repository_id=repo.id))
    _action(repo, "repository.full-harvest" if full else "repository.harvest")
    flash(gettext("Harvest %(how)s.", how=how_started(start_harvest(hub(), repo.id, full=full))))
    return redirect(url_for("admin.repository", repository_id=repo.id))


@bp.post("/repositories/<int:repository_id>/retry-files")
@login_required
def repository_retry_files(repository_id: int):
    """Fetch the repository's failed full-text files again (queued, or in the background)."""
    from hub.pipeline.dispatch import submit

    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    _action(repo, "repository.retry-files")
    submit(hub(), "files", repo.id, True)
    flash(gettext("Failed files are being fetched again."))
    return redirect(url_for("admin.repository", repository_id=repository_id))


@bp.route("/repositories/<int:repository_id>/delete", methods=["GET", "POST"])
@login_required
def repository_delete(repository_id: int):
    """Delete a repository with its records and runs, after typing its id to confirm: its records
    leave the portal, the API and search, and stay in OAI-PMH as deleted records (see
    :func:`hub.members.remove_repository`)."""
    from hub.members import forget_records, remove_repository

    repo = get_repository_or_404(repository_id, Action.MANAGE_INSTITUTION)
    records = g.db.scalar(select(func.count(Record.id)).where(Record.repository_id == repo.id,
                                                              Record.deleted.is_(False))) or 0
    if request.method == "GET":
        return render_template("admin/confirm_delete.html", what="repository", name=str(repo.id), records=records,
                               error="")
    if request.form.get("confirm", "").strip() != str(repo.id):
        return render_template("admin/confirm_delete.html", what="repository", name=str(repo.id), records=records,
                               error=gettext("Type the repository's number exactly to confirm.")), 422
    before, institution_id = snapshot(repo), repo.institution_id
    try:
        removal = remove_repository(g.db, repo.id)
        log_action(g.db, current_user(), "repository.delete", target_type="repository", target_id=repository_id,
                   institution_id=institution_id, before=before, ip=client_ip(), note=f"{records} records deleted")
        g.db.commit()
    except OperationalError:  # a harvest's follow-ups hold the rows (a deadlock or lock timeout): nothing deleted
        g.db.rollback()
        return render_template("admin/confirm_delete.html", what="repository", name=str(repository_id),
                               records=records, error=gettext("The repository is busy (a harvest is finishing); try "
                                                               "again in a minute.")), 409
    forget_records(hub(), removal.record_ids, removal.shas)
    flash(gettext("Repository %(id)s and %(records)s records deleted.", id=repository_id, records=records))
    return redirect(url_for("admin.institution", institution_id=institution_id))
