"""What follows a harvest: full texts fetched and records indexed, queued per record.

The metadata harvest never waits on these stages: with a broker they are queued for the
workers; in-process they run after the harvest of each repository. Each stage module
provides an ``after_harvest(hub, summary) -> str`` that reports in one line.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

# Modules with after_harvest(hub, summary) -> str, in the order they run.
FOLLOWUP_MODULES: tuple[str, ...] = ("hub.fulltext.pipeline", "hub.works.followup", "hub.search.indexing")


def after_harvest(hub, summary) -> list[str]:
    """Run (or queue) every follow-up stage for the records a harvest changed; one line each."""
    lines = []
    if not summary.changed_ids:
        return lines
    for name in FOLLOWUP_MODULES:
        try:
            lines.append(importlib.import_module(name).after_harvest(hub, summary))
        except Exception as exc:  # a follow-up failure is reported, the harvest stands
            log.exception("follow-up %s failed", name)
            lines.append(f"{name}: failed: {exc}")
    return lines
