"""Building the bulk dumps: ``chair dumps build [--member SLUG]``.

One build plans every part from an aggregate query, writes only the parts whose digest is not
stored yet, and rewrites a dump's manifest only when its list of parts changed (its sha-256 is
then computed by reading the parts back, never by writing them again). A rebuild after nothing
changed therefore writes nothing at all. A part no manifest uses any more is kept for one more
generation (a download that began on the previous version can finish) and deleted by the build
after that. A member that left (removed) loses its dump on the next full build.

Dumps are a command, not a step of every harvest: a harvest changes a few parts, and many harvests
a day would each re-read the large dumps for their sha-256. Run ``chair dumps build`` from cron or
a systemd timer (daily is plenty); the scheduler has no hook for periodic work besides harvests.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from hub.context import Hub
from hub.exchange.dumps.manifest import (
    HUB_DUMP,
    DumpManifest,
    DumpScope,
    delete_manifest,
    dump_names,
    list_manifests,
    load_manifest,
    member_dump_name,
    save_index,
    save_manifest,
)
from hub.exchange.dumps.parts import EMPTY_KEY, PartPlan, StoredPart, empty_part, plan_parts, write_part
from hub.models import Institution, utcnow
from storage.base import ObjectStore

log = logging.getLogger(__name__)


@dataclass
class DumpOutcome:
    """What the build did to one dump."""

    name: str
    records: int
    size: int
    changed: bool


@dataclass
class BuildReport:
    """What one build wrote, reused and removed."""

    dumps: list[DumpOutcome] = field(default_factory=list)
    parts_written: int = 0
    parts_reused: int = 0
    parts_deleted: int = 0
    dumps_removed: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the CLI."""
        changed = sum(1 for d in self.dumps if d.changed)
        text = (f"{len(self.dumps)} dumps ({changed} changed): {self.parts_written} parts written, "
                f"{self.parts_reused} reused, {self.parts_deleted} deleted")
        return text + (f"; removed {', '.join(self.dumps_removed)}" if self.dumps_removed else "")

    def to_dict(self) -> dict[str, Any]:
        return {"dumps": [d.__dict__ for d in self.dumps], "parts_written": self.parts_written,
                "parts_reused": self.parts_reused, "parts_deleted": self.parts_deleted,
                "dumps_removed": self.dumps_removed}


def _sha256_of(store: ObjectStore, keys: list[str]) -> str:
    digest = hashlib.sha256()
    for key in keys:
        for chunk in store.iter_chunks(key):
            digest.update(chunk)
    return digest.hexdigest()


class _PartCache:
    """Stored parts by key: those the manifests describe, then the ones this build wrote."""

    def __init__(self, hub: Hub, store: ObjectStore, manifests: list[DumpManifest], report: BuildReport) -> None:
        self.hub, self.store, self.report = hub, store, report
        self.started = datetime.now(UTC)
        self.salt = f"{self.started.isoformat()}-{os.urandom(8).hex()}"  # this build's id, for unsettled parts
        self.known: dict[str, StoredPart] = {p.key: p for m in manifests for p in m.parts}
        self.used: set[str] = set()

    def get(self, session: Any, plan: PartPlan) -> StoredPart:
        key = plan.key(self.hub.settings, "" if plan.settled(self.started) else self.salt)
        part = self.known.get(key)
        if part is None or (key not in self.used and not self.store.exists(key)):
            info = self.store.stat(key)
            if info is not None and part is None:  # written by a build that stopped before its manifests
                part = StoredPart(key, plan.records, plan.deleted, info.size, _sha256_of(self.store, [key]))
                self.report.parts_reused += 1
            else:
                part = write_part(session, self.store, plan, self.hub.settings, key)
                self.report.parts_written += 1
            self.known[key] = part
        elif key not in self.used:
            self.report.parts_reused += 1
        self.used.add(key)
        return part


def _update(store: ObjectStore, name: str, scope: DumpScope, member: str | None, parts: list[StoredPart],
            previous: DumpManifest | None) -> tuple[DumpManifest, bool]:
    """The dump's manifest, rewritten only when its parts changed; (manifest, changed)."""
    if not parts:
        parts = [empty_part(store)]
    keys = [p.key for p in parts]
    if previous is not None and [p.key for p in previous.parts] == keys and previous.member == member:
        if previous.superseded:  # the previous version's parts have had their generation: let them go
            previous.superseded = []
            save_manifest(store, previous)
        return previous, False
    old = [] if previous is None else [p.key for p in previous.parts]
    manifest = DumpManifest(name, scope, member, parts, _sha256_of(store, keys),
                            utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), [k for k in old if k not in keys])
    save_manifest(store, manifest)
    return manifest, True


def build_dumps(hub: Hub, member: str | None = None) -> BuildReport:
    """Build (incrementally) the dump of one member, or of every member and of the whole hub."""
    store = hub.store
    report = BuildReport()
    before = list_manifests(store)
    previous = {m.name: m for m in before}
    cache = _PartCache(hub, store, before, report)
    candidates: set[str] = {k for m in before for k in m.superseded}
    built: dict[str, DumpManifest] = {}
    with hub.db.session() as session:
        query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
        if member is not None:
            query = query.where(Institution.slug == member)
        members = [(inst.id, inst.slug) for inst in session.scalars(query)]
        if member is not None and not members:
            raise LookupError(f"no member {member!r}")
        plans = plan_parts(session, members[0][0] if member is not None else None)
        for _inst_id, slug in members:
            parts = [cache.get(session, plan) for plan in plans if plan.institution_slug == slug]
            name = member_dump_name(slug)
            manifest, changed = _update(store, name, DumpScope.MEMBER, slug, parts, previous.get(name))
            built[name] = manifest
            report.dumps.append(DumpOutcome(name, manifest.records, manifest.size, changed))
        if member is None:
            parts = [cache.get(session, plan) for plan in plans]
            manifest, changed = _update(store, HUB_DUMP, DumpScope.HUB, None, parts, previous.get(HUB_DUMP))
            built[HUB_DUMP] = manifest
            report.dumps.append(DumpOutcome(HUB_DUMP, manifest.records, manifest.size, changed))
    names = set(dump_names(store)) | set(built)
    if member is None:
        for gone in sorted(names - set(built)):  # members that left
            old = previous.get(gone)
            if old is not None:
                candidates |= {p.key for p in old.parts} | set(old.superseded)
            delete_manifest(store, gone)
            report.dumps_removed.append(gone)
        names = set(built)
    save_index(store, sorted(names))
    current = [built.get(n) or previous.get(n) or load_manifest(store, n) for n in names]
    referenced = {k for m in current if m is not None for k in [*(p.key for p in m.parts), *m.superseded]}
    for key in sorted(candidates - referenced - {EMPTY_KEY}):
        if store.delete(key):
            report.parts_deleted += 1
    log.info("dumps built: %s", report.line())
    return report
