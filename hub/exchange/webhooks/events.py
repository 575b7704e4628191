"""The change feed's events, made where a harvest ends (a listener of :mod:`hub.pipeline.graph`, told of
every harvest by :func:`hub.pipeline.harvest.after_harvest`).

One harvest run of one repository gives at most two events for the repository's member, each delivered
once to every subscription concerned (batched: one delivery per run and subscription, never one per record):

- ``records.changed``: the ids the run created, updated or deleted (up to ``WEBHOOK_MAX_IDS``; beyond
  that ``record_ids_complete`` is false and the member's API query lists them all), the created / updated /
  deleted counts, and links: each record in the API (deleted ones answer ``deleted: true``), the member's
  records in the API, and the hub's ResourceSync Source Description, whose Change Lists carry the same
  changes by day;
- ``harvest.failed``: the run failed (state ``failed``; it resumes at its checkpoint next time): the
  repository, the run id, its message and error kind.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import select

from hub.exchange.webhooks.deliveries import event_payload, queue_event, send_now, subscriptions_for
from hub.models import EventKind, Record, Repository
from hub.states import RunState

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

ID_CHUNK = 500  # ids per query when reading which changed records are deleted


def _member(repo: Repository) -> dict[str, Any]:
    inst = repo.institution
    return {"id": inst.id, "slug": inst.slug, "name_en": inst.name_en, "name_zh": inst.name_zh}


def _repository(repo: Repository) -> dict[str, Any]:
    return {"id": repo.id, "name": repo.label, "base_url": repo.base_url, "platform": repo.platform}


def _deleted_among(session: Any, ids: list[int]) -> list[int]:
    deleted: list[int] = []
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start:start + ID_CHUNK]
        deleted.extend(session.scalars(select(Record.id).where(Record.id.in_(chunk), Record.deleted.is_(True))))
    return sorted(deleted)


def records_changed(session: Any, settings: Mapping[str, Any], repo: Repository, summary: Any) -> dict[str, Any]:
    """The ``records.changed`` payload of a harvest ``summary`` of ``repo``."""
    base = settings["BASE_URL"].rstrip("/")
    ids = sorted(set(summary.changed_ids))
    limit = int(settings["WEBHOOK_MAX_IDS"])
    listed = ids[:limit]
    deleted_listed = _deleted_among(session, listed)
    counts = summary.counts or {}
    if counts:
        created, updated, deleted = counts.get("new", 0), counts.get("updated", 0), counts.get("deleted", 0)
    else:  # a repair or a hand-made summary: derived from the records themselves
        created, deleted = 0, len(deleted_listed)
        updated = len(listed) - deleted
    member = _member(repo)
    query = urlencode({"institution": member["slug"], "deleted": "true"})
    return event_payload(EventKind.RECORDS_CHANGED, {
        "member": member,
        "repository": _repository(repo),
        "run": {"id": summary.run_id, "state": summary.state.value},
        "counts": {"created": created, "updated": updated, "deleted": deleted, "changed": len(ids)},
        "record_ids": listed,
        "deleted_ids": deleted_listed,
        "record_ids_complete": len(listed) == len(ids),
        "links": {"record": f"{base}/api/v1/records/{{id}}", "member_records": f"{base}/api/v1/records?{query}",
                  "resourcesync": f"{base}/.well-known/resourcesync",
                  "run": f"{base}/admin/runs/{summary.run_id}" if summary.run_id else None},
    }, base)


def harvest_failed(session: Any, settings: Mapping[str, Any], repo: Repository, summary: Any) -> dict[str, Any]:
    """The ``harvest.failed`` payload of a failed harvest ``summary`` of ``repo``."""
    from hub.models import HarvestRun

    base = settings["BASE_URL"].rstrip("/")
    run = session.get(HarvestRun, summary.run_id) if summary.run_id else None
    kind = run.errors[-1].kind if run is not None and run.errors else ""
    return event_payload(EventKind.HARVEST_FAILED, {
        "member": _member(repo),
        "repository": _repository(repo),
        "run": {"id": summary.run_id, "state": summary.state.value, "message": summary.message,
                "error_kind": str(kind), "retryable": bool(summary.retryable)},
        "links": {"run": f"{base}/admin/runs/{summary.run_id}" if summary.run_id else None,
                  "repository": f"{base}/admin/repositories/{repo.id}"},
    }, base)


def after_harvest(hub: Hub, summary: Any) -> str:
    """Queue this run's events for the subscriptions concerned and make their first attempts; one line,
    empty when no subscription was concerned."""
    queued: list[int] = []
    repository_id = getattr(summary, "repository_id", None)
    if repository_id is None:  # a summary of records with no harvest run behind them: no event
        return ""
    with hub.db.session() as session:
        repo = session.get(Repository, repository_id)
        if repo is None:
            return ""
        events = ((EventKind.RECORDS_CHANGED, bool(summary.changed_ids), records_changed),
                  (EventKind.HARVEST_FAILED, summary.state == RunState.FAILED, harvest_failed))
        for kind, happened, payload in events:
            targets = subscriptions_for(session, kind, repo.institution_id) if happened else []
            if targets:  # the payload (a query over the changed ids) is built only for someone
                queued += queue_event(session, kind, repo.institution_id,
                                      payload(session, hub.settings, repo, summary), targets)
        session.commit()
    if not queued:
        return ""
    lines = send_now(hub, queued)
    delivered = sum(1 for line in lines if line.endswith(": delivered"))
    return f"webhooks: {len(queued)} deliveries queued, {delivered} delivered at once, the others retried later"
