"""Repository checks asked for in the admin area run as tasks, never inside a web request.

:func:`request_check` marks the repository (``check_requested_at``); :func:`start_check` starts the
check the way harvests start, through the dispatcher (:func:`hub.pipeline.dispatch.submit`): a Celery
task with a broker, a background thread on the embedded defaults. :func:`run_check_now` is the task's body: the
platform's check (every request bounded by ``HTTP_DEADLINE``), its report stored with the
repository. :func:`check_progress` is what the admin page polls.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hub.models import Repository, utcnow
from hub.redaction import redact_text
from hub.states import CheckState

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

# A check asked for this long ago and still not finished was lost (a worker killed, a restart).
CHECK_STALE_AFTER = timedelta(hours=1)


def store_report(repo: Repository, report: Any) -> dict[str, Any]:
    """Keep a platform's check report with the repository (options and granularity it found too, and
    the name the source gives itself when the repository has none, e.g. one saved paused unanswered)."""
    repo.check_report = report.to_dict()
    if not repo.name and report.facts.get("repository_name"):
        repo.name = str(report.facts["repository_name"]).strip()[:255]
    if report.options:
        repo.options = {**(repo.options or {}), **report.options}
    if report.facts.get("granularity"):
        repo.granularity = report.facts["granularity"]
    repo.checked_at = utcnow()
    return repo.check_report


def _failed_report(key: str, detail: str) -> dict[str, Any]:
    return {"ok": False, "reachable": False, "facts": {}, "options": {},
            "findings": [{"key": key, "ok": False, "detail": redact_text(detail), "advice_en": "", "advice_zh": ""}]}


def run_check_now(hub: Hub, repository_id: int) -> dict[str, Any]:
    """Check the repository in this process and store the report (a failure is a report, not a raise)."""
    from hub.harvest.gather import UnknownPlatform, make_platform

    with hub.db.session() as session:
        repo = session.get(Repository, repository_id)
        if repo is None or repo.removed:
            return {}
        http = hub.http(repository_id)
        try:
            store_report(repo, make_platform(repo, hub.pm, http).check())
        except UnknownPlatform as exc:
            repo.check_report, repo.checked_at = _failed_report("platform", str(exc)), utcnow()
        except Exception as exc:  # a plugin bug or an odd server: the page must not wait forever
            log.exception("check of repository %s failed", repository_id)
            repo.check_report = _failed_report("check", f"the check stopped: {type(exc).__name__}: {exc}")
            repo.checked_at = utcnow()
        finally:
            http.close()
        session.commit()
        return dict(repo.check_report or {})


def request_check(repo: Repository) -> None:
    """Mark ``repo`` as being checked; the caller commits, then calls :func:`start_check`."""
    repo.check_requested_at = utcnow()


def start_check(hub: Hub, repository_id: int) -> str:
    """Start the check without waiting for it (queued or in the background); returns a line saying which."""
    from hub.pipeline.dispatch import submit

    return submit(hub, "check", repository_id)


def check_state(repo: Repository) -> CheckState:
    """Where the repository's check stands (see :class:`CheckState`)."""
    if repo.check_running:
        if utcnow() - repo.check_requested_at > CHECK_STALE_AFTER:
            return CheckState.INTERRUPTED
        return CheckState.RUNNING
    return CheckState.DONE if repo.checked_at is not None else CheckState.NONE


def check_progress(repo: Repository) -> dict[str, Any]:
    """The JSON the admin page polls while a check runs."""
    report = repo.check_report or {}
    return {"state": check_state(repo).value, "ok": report.get("ok"),
            "requested_at": repo.check_requested_at.isoformat() if repo.check_requested_at else None,
            "checked_at": repo.checked_at.isoformat() if repo.checked_at else None}
