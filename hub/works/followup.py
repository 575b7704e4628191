"""The harvest follow-up of works: regroup the records a harvest changed and their neighbours.

Listed in ``hub.harvest.followups.FOLLOWUP_MODULES``. With a broker the regrouping is queued
(``hub.tasks.group_works``), otherwise it runs in-process right after the harvest.
"""

from __future__ import annotations

from typing import Any

from hub.works.grouping import GroupReport, regroup


def group_records(hub: Any, record_ids: list[int]) -> GroupReport:
    """Regroup these records (and their neighbourhood) in one transaction."""
    cap = int(hub.settings.get("WORKS_BUCKET_CAP", 100))
    with hub.db.session() as session:
        return regroup(session, record_ids, cap)


def after_harvest(hub: Any, summary: Any) -> str:
    """Regroup (or queue the regrouping of) the records a harvest changed; one line."""
    ids = sorted(set(summary.changed_ids))
    if hub.settings.get("BROKER_URL"):
        from hub.tasks import group_works

        group_works.apply_async(args=(ids,))
        return f"works: regrouping of {len(ids)} records queued"
    return group_records(hub, ids).line()
