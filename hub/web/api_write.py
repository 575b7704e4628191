"""The JSON API's actions for members' machines, under /api/v1 with a personal API token.

Each request carries ``Authorization: Bearer chair_...`` (:mod:`hub.accounts.tokens`) and nothing else
opens these actions: no cookie is read, so there is no CSRF to check. A token acts for its member only:

- ``POST /repositories/{id}/harvest`` (``{"full": true}`` for a full re-harvest) starts a harvest through
  the dispatcher and answers 202 with the job (the Celery task's id with a broker, null when it runs in
  the hub's background);
- ``POST /repositories/{id}/pause`` and ``/resume`` stop and restart its scheduled harvesting;
- ``GET /repositories/{id}/quality`` is its metadata quality report (:mod:`hub.quality.report`).

A missing, unknown, expired or revoked token (or one whose user was deactivated or may no longer act for
its member) is 401 with ``WWW-Authenticate: Bearer``; a repository of another member, or a write action
with a token whose user may only read (a viewer), is 403; an unknown repository 404. Errors are the API's
``{"error": code, "message": text}``. Every write action goes to the audit log under the token's user,
with the token's prefix.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hub.accounts.audit import log_action
from hub.accounts.permissions import Action
from hub.accounts.proxies import request_client_address
from hub.accounts.tokens import Refusal, TokenRefused, authenticate, bearer_token, may
from hub.app import current_hub
from hub.models import ApiToken, Repository
from hub.states import RepositoryState
from hub.web.api import error_response, repository_json

bp = Blueprint("api_write", __name__, url_prefix="/api/v1")
REALM = "CHAIR Hub API"


def error(status: int, code: str, message: str, challenge: str = "") -> Response:
    """A JSON error of the API; ``challenge`` becomes the WWW-Authenticate header."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


def refused(exc: TokenRefused) -> Response:
    """401 for a token that opens nothing (RFC 6750: no error code when none was sent)."""
    if exc.kind is Refusal.MISSING:
        return error(401, "unauthorized", str(exc), f'Bearer realm="{REALM}"')
    return error(401, "invalid_token", str(exc),
                 f'Bearer realm="{REALM}", error="invalid_token", error_description="{exc}"')


def forbidden(message: str) -> Response:
    """403: the token is good but may not do this."""
    return error(403, "forbidden", message, f'Bearer realm="{REALM}", error="insufficient_scope"')


@bp.before_request
def _authenticate() -> Response | None:
    """Open the request's database session and find its token (only the Authorization header counts)."""
    g.api_db = current_hub().db.sessionmaker()
    if request.method == "OPTIONS":  # a CORS preflight carries no credentials
        return None
    try:
        g.api_token = authenticate(g.api_db, bearer_token(request.headers.get("Authorization")))
    except TokenRefused as exc:
        return refused(exc)
    if g.api_db.dirty:  # last_used_at moved on (at most once a minute)
        g.api_db.commit()
    return None


@bp.teardown_request
def _close(_exc: BaseException | None) -> None:
    db = g.pop("api_db", None)
    if db is not None:
        db.close()


def _token() -> ApiToken:
    return g.api_token


def _repository(repository_id: int, action: Action) -> Repository | Response:
    """The repository if the token may do ``action`` on it, else the error to answer."""
    repo = g.api_db.get(Repository, repository_id)
    if repo is None or repo.removed:
        return error(404, "not_found", f"no repository {repository_id}")
    token = _token()
    if repo.institution_id != token.institution_id:
        return forbidden(f"repository {repository_id} belongs to another member than the token's")
    if not may(token, action, repo.institution_id):
        return forbidden("the token's user may read this member's data but not change it")
    return repo


def _audit(repo: Repository, action: str, before: dict[str, Any] | None = None, note: str = "") -> None:
    token = _token()
    log_action(g.api_db, token.user, action, target_type="repository", target_id=repo.id,
               institution_id=repo.institution_id, before=before,
               after={"state": repo.state.value} if before is not None else None,
               ip=request_client_address(request, current_hub().settings),
               note=" ".join(filter(None, [f"API token {token.prefix}", note])))


def _body() -> dict[str, Any] | Response:
    """The request's JSON object (empty when none was sent), or the 400 to answer."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "bad_request", "the body must be a JSON object, such as {\"full\": true}")
    return body


@bp.post("/repositories/<int:repository_id>/harvest")
def harvest(repository_id: int):
    """Start a harvest of a repository of the token's member (``full``: a full re-harvest); 202 with the job."""
    from hub.scheduling.runner import start_harvest

    found = _repository(repository_id, Action.MANAGE_INSTITUTION)
    if isinstance(found, Response):
        return found
    body = _body()
    if isinstance(body, Response):
        return body
    full = body.get("full", request.args.get("full", "").lower() in ("1", "true", "yes"))
    if not isinstance(full, bool):
        return error(400, "bad_request", "full must be true or false")
    if found.state == RepositoryState.PAUSED:
        return error(409, "conflict", f"repository {repository_id} is paused: resume it first")
    _audit(found, "repository.full-harvest" if full else "repository.harvest")
    g.api_db.commit()
    line = start_harvest(current_hub(), found.id, full=full)
    job = line.removeprefix("queued as task ") if line.startswith("queued as task ") else None
    return jsonify(repository=found.id, full=full, job=job, queued=job is not None, message=line), 202


def _set_state(repository_id: int, state: RepositoryState, action: str):
    repo = _repository(repository_id, Action.MANAGE_INSTITUTION)
    if isinstance(repo, Response):
        return repo
    before = {"state": repo.state.value}
    repo.state = state
    _audit(repo, action, before=before)
    g.api_db.commit()
    return jsonify(repository_json(repo))


@bp.post("/repositories/<int:repository_id>/pause")
def pause(repository_id: int):
    """Pause a repository's scheduled harvesting (a paused one stays paused)."""
    return _set_state(repository_id, RepositoryState.PAUSED, "repository.pause")


@bp.post("/repositories/<int:repository_id>/resume")
def resume(repository_id: int):
    """Resume a repository's scheduled harvesting."""
    return _set_state(repository_id, RepositoryState.ACTIVE, "repository.resume")


@bp.get("/repositories/<int:repository_id>/quality")
def quality(repository_id: int):
    """The metadata quality report of a repository of the token's member."""
    from hub.quality.report import build_report

    repo = _repository(repository_id, Action.VIEW_INSTITUTION)
    if isinstance(repo, Response):
        return repo
    return jsonify(build_report(g.api_db, repo.id).to_dict())


bp.register_error_handler(HTTPException, error_response)


def init_app(app: Flask) -> None:
    """Register the token-authenticated actions of the API."""
    app.register_blueprint(bp)
