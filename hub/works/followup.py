"""The harvest follow-up of works: regroup the records a harvest changed and their neighbours.

Listed in ``hub.harvest.followups.FOLLOWUP_MODULES``. With a broker the regrouping is queued
(``hub.tasks.group_works``), otherwise it runs in-process right after the harvest. Either way the
records whose work was (re)set are then handed to ``hub.harvest.followups.after_regroup``
(which has them indexed again: search results are collapsed on the work).
"""

from __future__ import annotations

from typing import Any

from hub.works.grouping import GroupReport, regroup


def group_records(hub: Any, record_ids: list[int]) -> GroupReport:
    """Regroup these records (and their neighbourhood) in one transaction."""
    cap = int(hub.settings.get("WORKS_BUCKET_CAP", 100))
    with hub.db.session() as session:
        return regroup(session, record_ids, cap)


def group_and_follow(hub: Any, record_ids: list[int], indexed_next: list[int] | tuple[int, ...] = ()) -> str:
    """Regroup (committed), then run what follows a regrouping; one line for both."""
    from hub.harvest.followups import after_regroup

    report = group_records(hub, record_ids)
    return f"{report.line()}; {after_regroup(hub, report, indexed_next)}"


def after_harvest(hub: Any, summary: Any) -> str:
    """Regroup (or queue the regrouping of) the records a harvest changed; one line."""
    ids = sorted(set(summary.changed_ids))
    if hub.settings.get("BROKER_URL"):
        from hub.tasks import group_works

        group_works.apply_async(args=(ids,))
        return f"works: regrouping of {len(ids)} records queued"
    return group_and_follow(hub, ids, indexed_next=ids)  # the index stage runs next on ``ids``
