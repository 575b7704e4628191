"""The stage graph of the hub, declared once: which stage follows which, and on which ids.

```
gather --pages--> import --records--> files --files--> extract --records--> index
                     |                 +--records (links discovered)------->^
                     +--records--> works ------records (work changed)-----+
                     +--records--------------------------------------------+
                     +--records--> people --records--> showcase <--records (work changed, new text)
                     +--every harvest, a failed one included--> change feed (webhooks)
```

- gather and import run together, page by page, in :func:`hub.harvest.gather.harvest_repository`
  (one transaction per page with its checkpoint); everything after import is dispatched by
  :mod:`hub.pipeline.dispatch` over the ids a stage's report names;
- a stage takes either record ids or stored-file digests (:class:`Subject`), and a trigger feeds the
  target the ids of that kind from the source's report: a harvest's changed records go to files,
  works and index; new content to extract; a new text re-indexes the records holding it; links a
  platform's API listed in the files stage re-index their records; a regrouping re-indexes the
  records whose work changed; the people stage links a harvest's creators to researchers, and the
  showcase stage refreshes the facts of the records it is given (a harvest's, those whose researchers
  or work changed, those with a new text) and recomputes only the figures they touch.

Nothing here runs anything: the graph is data, read by the dispatcher, the tasks and the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PipelineStage(StrEnum):
    """The stages of the pipeline, in the order they run (values match :class:`hub.states.Stage`)."""

    GATHER = "gather"
    IMPORT = "import"
    FILES = "files"
    EXTRACT = "extract"
    WORKS = "works"
    INDEX = "index"
    PEOPLE = "people"
    SHOWCASE = "showcase"


class Subject(StrEnum):
    """What the ids a stage takes are."""

    PAGES = "pages"  # a source's list pages (gather -> import, inside one harvest)
    RECORDS = "records"  # Record ids
    FILES = "files"  # StoredFile sha256 digests


@dataclass(frozen=True)
class Trigger:
    """``source``'s change makes ``target`` run on the ids of ``target``'s subject the source reported."""

    source: PipelineStage
    target: PipelineStage
    why: str
    dispatched: bool = True  # False: run inside the source stage itself (gather -> import)
    # True: in one process the target starts on each chunk the source finishes while the source goes on
    # (files -> extract: downloads and extraction overlap); with a broker every chunk's task does the same.
    streams: bool = False


GATHER, IMPORT, FILES, EXTRACT, WORKS, INDEX, PEOPLE, SHOWCASE = PipelineStage  # noqa: N806 - short names below

SUBJECTS: dict[PipelineStage, Subject] = {
    GATHER: Subject.PAGES, IMPORT: Subject.PAGES, FILES: Subject.RECORDS, EXTRACT: Subject.FILES,
    WORKS: Subject.RECORDS, INDEX: Subject.RECORDS, PEOPLE: Subject.RECORDS, SHOWCASE: Subject.RECORDS,
}

TRIGGERS: tuple[Trigger, ...] = (
    Trigger(GATHER, IMPORT, "every gathered page is imported and committed with its checkpoint", dispatched=False),
    Trigger(IMPORT, FILES, "a harvest's changed records get their full-text links synced and downloaded"),
    Trigger(IMPORT, WORKS, "a harvest's changed records are regrouped into works with their neighbours"),
    Trigger(IMPORT, INDEX, "a harvest's changed records are indexed (deleted ones removed)"),
    Trigger(FILES, EXTRACT, "new content is extracted", streams=True),
    Trigger(FILES, INDEX, "links a platform's API listed (DSpace REST) re-index their records"),
    Trigger(EXTRACT, INDEX, "a new text re-indexes the records holding it"),
    Trigger(WORKS, INDEX, "a regrouping re-indexes the records whose work changed"),
    Trigger(IMPORT, PEOPLE, "a harvest's changed records have their creators linked to researchers"),
    Trigger(IMPORT, SHOWCASE, "a harvest's changed records refresh their facts and the figures they touch"),
    Trigger(WORKS, SHOWCASE, "a regrouping changes which members share works"),
    Trigger(EXTRACT, SHOWCASE, "a new text changes the full-text share of the records holding it"),
    Trigger(PEOPLE, SHOWCASE, "records whose researchers changed refresh the researcher and collaboration figures"),
)

# Stages the dispatcher runs, in an order every trigger respects (a stage runs after all its sources).
ORDER: tuple[PipelineStage, ...] = (FILES, EXTRACT, WORKS, INDEX, PEOPLE, SHOWCASE)

# The Celery queue each stage's task goes to when a broker is configured (``chair worker --queues``).
QUEUES: dict[PipelineStage, str] = {GATHER: "harvest", IMPORT: "harvest", FILES: "files", EXTRACT: "extract",
                                    WORKS: "index", INDEX: "index", PEOPLE: "index", SHOWCASE: "index"}

# Modules with ``after_harvest(hub, summary) -> str`` told of every harvest, a failed one that changed
# nothing included, once its follow-ups ran or were queued: the change feed (webhooks).
LISTENERS: tuple[str, ...] = ("hub.exchange.webhooks.events",)


def triggered_by(stage: PipelineStage) -> tuple[Trigger, ...]:
    """The dispatched triggers whose source is ``stage``."""
    return tuple(t for t in TRIGGERS if t.source is stage and t.dispatched)


def streamed_from(stage: PipelineStage) -> PipelineStage | None:
    """The stage that runs alongside ``stage`` on its finished chunks (a streaming trigger), or None."""
    targets = [t.target for t in triggered_by(stage) if t.streams]
    return targets[0] if targets else None


def sources_of(stage: PipelineStage) -> tuple[PipelineStage, ...]:
    """The stages whose change makes ``stage`` run."""
    return tuple(t.source for t in TRIGGERS if t.target is stage)


def downstream(stage: PipelineStage) -> set[PipelineStage]:
    """Every stage ``stage``'s change can lead to, directly or not."""
    found: set[PipelineStage] = set()
    todo = [stage]
    while todo:
        for trigger in triggered_by(todo.pop()):
            if trigger.target not in found:
                found.add(trigger.target)
                todo.append(trigger.target)
    return found
