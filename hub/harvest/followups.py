"""What follows a harvest: full texts fetched, records grouped into works and indexed.

The metadata harvest never waits on these stages: with a broker they are queued for the
workers; in-process they run after the harvest of each repository. Each stage module
provides an ``after_harvest(hub, summary) -> str`` that reports in one line.

Regrouping moves records between works, and a record's search document carries its work
(results are collapsed on it), so :func:`after_regroup` decides what follows a regrouping —
wherever it ran: after a harvest (in-process or in the ``group_works`` task), or after a
split or join decision.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

# Modules with after_harvest(hub, summary) -> str, in the order they run.
FOLLOWUP_MODULES: tuple[str, ...] = ("hub.fulltext.pipeline", "hub.works.followup", "hub.search.indexing")
# Modules with after_harvest(hub, summary) -> str told of every harvest, a failed one that changed
# nothing included, after the stages above: the change feed (webhooks of changes and failures).
EVENT_MODULES: tuple[str, ...] = ("hub.exchange.webhooks.events",)


def after_harvest(hub, summary) -> list[str]:
    """Run (or queue) every follow-up stage for the records a harvest changed, then tell the change feed
    (whatever the harvest changed); one line each."""
    lines: list[str] = []
    for name in (FOLLOWUP_MODULES if summary.changed_ids else ()) + EVENT_MODULES:
        try:
            line = importlib.import_module(name).after_harvest(hub, summary)
            if line:  # an event module with nobody to tell says nothing
                lines.append(line)
        except Exception as exc:  # a follow-up failure is reported, the harvest stands
            log.exception("follow-up %s failed", name)
            lines.append(f"{name}: failed: {exc}")
    return lines


def after_regroup(hub, report: Any, indexed_next: Iterable[int] = ()) -> str:
    """What follows a regrouping: every record whose work was (re)set (``report.groups``) is indexed
    again (or queued); one line, never raises.

    ``indexed_next``: records the harvest's own index stage is about to index anyway (in-process,
    FOLLOWUP_MODULES runs the works stage before the search index), left out here.
    """
    from hub.search.indexing import after_regroup as index_regrouped

    skip = set(indexed_next)
    return index_regrouped(hub, sorted(r for r in report.groups if r not in skip))
