"""File discovery through a platform's own API, the first step of the files stage.

A platform that ``discovers_files`` (DSpace's REST API) is asked, per record, which files the
source holds; the import never asks (no request while a page's transaction is open). Records are
read in one short transaction, the API asked with no transaction open, and the links that changed
written in another: a changed list is a visible change, so the record gets a new hub datestamp
and is reported for re-indexing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.http import HarvestError
from hub.models import Record, Repository, utcnow
from hub.normalise.record import FileLink
from hub.plugins import platforms
from hub.states import FulltextState

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)


@dataclass
class Discovery:
    """What discovery did: records whose links changed, API failures by kind."""

    changed: list[int] = field(default_factory=list)
    asked: int = 0
    errors: Counter[str] = field(default_factory=Counter)


def _link(data: dict[str, Any]) -> FileLink:
    known = set(FileLink.__dataclass_fields__)
    return FileLink(**{k: v for k, v in data.items() if k in known})


def discover_links(hub: Hub, record_ids: Sequence[int]) -> Discovery:
    """Ask the platform API of each discovering repository for these records' files; store what changed."""
    from hub.harvest.gather import UnknownPlatform, make_platform

    result = Discovery()
    available = platforms(hub.pm)
    with hub.db.session() as session:
        rows = session.execute(select(Record.id, Record.repository_id, Record.source_identifier,
                                      Record.fulltext_links).where(Record.id.in_(list(record_ids)),
                                                                   Record.deleted.is_(False))).all()
        repo_ids = {row.repository_id for row in rows}
        repos = [r for r in session.scalars(select(Repository).where(Repository.id.in_(repo_ids)))
                 if r.platform in available and available[r.platform].discovers_files]
        made = {}
        for repo in repos:  # no request here: building a platform only reads the repository's settings
            try:
                made[repo.id] = make_platform(repo, hub.pm, hub.http(repo.id))
            except UnknownPlatform:
                continue
    found: dict[int, list[dict[str, Any]]] = {}
    try:
        for row in rows:
            platform = made.get(row.repository_id)
            if platform is None:
                continue
            stored = list(row.fulltext_links or [])
            result.asked += 1
            try:
                links = platform.discover_files(row.source_identifier, [_link(d) for d in stored])
            except HarvestError as exc:
                result.errors[f"discovery-{type(exc).__name__}"] += 1
                log.info("file discovery of record %s failed: %s", row.id, exc)
                continue
            data = [dict(link.__dict__) for link in links]
            if data != stored:
                found[row.id] = data
    finally:
        for platform in made.values():
            platform.http.close()
    if found:
        with hub.db.session() as session:
            for record in session.scalars(select(Record).where(Record.id.in_(list(found)))):
                record.fulltext_links = found[record.id]
                record.hub_datestamp = utcnow()
                if record.fulltext_state is FulltextState.NONE and found[record.id]:
                    record.fulltext_state = FulltextState.FOUND
        result.changed = sorted(found)
    return result
