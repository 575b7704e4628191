"""Registering member institutions and their repositories (shared by the CLI, admin and API).

Validation happens here once: slugs, platform names, and repository URLs, which must
not point at private, loopback or link-local addresses unless the hub allows them. A user name
and password given inside a repository URL (``https://user:pass@host/oai``) are stored apart
(``Repository.credentials``); the base URL kept and shown never carries them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import pluggy
from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from hub.http import HttpError, UnsafeURLError, check_url
from hub.models import Institution, Record, Repository, utcnow
from hub.platform import Platform, SourceConfig
from hub.plugins import crosswalks, platforms
from hub.redaction import Credentials, split_credentials
from hub.states import RepositoryState

if TYPE_CHECKING:
    from hub.context import Hub

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def add_institution(session: Session, slug: str, name_en: str, name_zh: str = "", region: str = "",
                    website: str = "", contact_email: str = "") -> Institution:
    """Register a member institution; the slug is its permanent short name."""
    if not SLUG.match(slug):
        raise ValueError(f"invalid slug {slug!r}: use 2-63 lower-case letters, digits and hyphens")
    existing = session.scalar(select(Institution).where(Institution.slug == slug))
    if existing is not None and existing.removed:
        raise ValueError(f"{slug!r} was the slug of a removed member: the hub's OAI-PMH sets still name it "
                         f"(inst:{slug}), so it is never given to another member; choose another slug")
    if existing is not None:
        raise ValueError(f"member {slug!r} already exists")
    if not name_en and not name_zh:
        raise ValueError("give the member a name (--name-en and/or --name-zh)")
    institution = Institution(slug=slug, name_en=name_en or name_zh, name_zh=name_zh, region=region,
                              website=website, contact_email=contact_email)
    session.add(institution)
    session.flush()
    return institution


def get_institution(session: Session, slug: str) -> Institution:
    """The member with this slug (LookupError when there is none, or it was removed)."""
    institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None or institution.removed:
        raise LookupError(f"no member {slug!r}")
    return institution


@dataclass
class Draft:
    """A repository that passed every check that needs no request: the member exists, the platform is
    loaded, its options and metadata prefix are readable, the address is allowed and not taken."""

    institution: Institution
    platform: str
    base_url: str  # without credentials
    credentials: Credentials | None
    metadata_prefix: str
    sets: tuple[str, ...]
    exclude_sets: tuple[str, ...]
    options: dict[str, Any]
    schedule: str

    def source(self) -> SourceConfig:
        """What the platform is told about the source before the repository has an id."""
        return SourceConfig(0, self.base_url, self.metadata_prefix, tuple(self.sets), tuple(self.exclude_sets),
                            options=dict(self.options))


def draft_repository(session: Session, pm: pluggy.PluginManager, settings: Mapping[str, Any], *, member: str,
                     platform: str, base_url: str, metadata_prefix: str = "oai_dc", sets: tuple[str, ...] = (),
                     exclude_sets: tuple[str, ...] = (), options: dict[str, Any] | None = None,
                     schedule: str = "") -> Draft:
    """Check a registration without any request to the source (ValueError or LookupError says what is
    wrong): its member, platform, options, metadata prefix (the platform must be able to read it) and
    address. Credentials inside ``base_url`` are split off."""
    base_url, credentials = split_credentials(base_url)
    institution = get_institution(session, member)
    available = platforms(pm)
    if platform not in available:
        raise ValueError(f"unknown platform {platform!r}; loaded platforms: {', '.join(sorted(available))}")
    options = validate_options(available[platform], options or {})
    check_metadata_prefix(available, platform, metadata_prefix, crosswalks(pm), options)
    try:
        check_url(base_url, allow_private=settings["ALLOW_PRIVATE_ADDRESSES"])
    except (UnsafeURLError, HttpError) as exc:  # a refused address, or a host that does not resolve
        raise ValueError(str(exc)) from exc
    check_not_registered(session, base_url, metadata_prefix)
    return Draft(institution, platform, base_url, credentials, metadata_prefix, tuple(sets), tuple(exclude_sets),
                 options, schedule)


def save_repository(session: Session, draft: Draft, *, name: str = "",
                    state: RepositoryState = RepositoryState.ACTIVE) -> Repository:
    """Store a checked registration (the caller commits)."""
    repo = Repository(institution=draft.institution, platform=draft.platform, base_url=draft.base_url, name=name,
                      metadata_prefix=draft.metadata_prefix, sets_include=list(draft.sets),
                      sets_exclude=list(draft.exclude_sets), options=draft.options or {}, schedule=draft.schedule,
                      credentials=draft.credentials.to_text() if draft.credentials else "", state=state)
    session.add(repo)
    session.flush()
    return repo


def add_repository(session: Session, pm: pluggy.PluginManager, settings: Mapping[str, Any], *, member: str,
                   platform: str, base_url: str, name: str = "", metadata_prefix: str = "oai_dc",
                   sets: tuple[str, ...] = (), exclude_sets: tuple[str, ...] = (),
                   options: dict[str, Any] | None = None, schedule: str = "") -> Repository:
    """Register a repository of a member after the checks of :func:`draft_repository`, without asking the
    source anything (fixtures, and sources known to answer); nothing is saved when a check fails. People
    register through :func:`register_repository`, which also asks the source whether it is a repository."""
    draft = draft_repository(session, pm, settings, member=member, platform=platform, base_url=base_url,
                             metadata_prefix=metadata_prefix, sets=sets, exclude_sets=exclude_sets, options=options,
                             schedule=schedule)
    return save_repository(session, draft, name=name)


class AlreadyRegistered(ValueError):
    """Another live repository already harvests this base URL in this format."""


def check_not_registered(session: Session, base_url: str, metadata_prefix: str, *, other_than: int | None = None) -> None:
    """Refuse a base URL and format another live repository already harvests (whichever member holds it):
    registered twice, one member could republish another's records as its own copies."""
    query = select(Repository.id).where(Repository.base_url == base_url, Repository.removed_at.is_(None),
                                        Repository.metadata_prefix == metadata_prefix)
    if other_than is not None:
        query = query.where(Repository.id != other_than)
    if session.scalar(query) is not None:
        raise AlreadyRegistered(f"a repository with base URL {base_url} and format {metadata_prefix} is already "
                                "registered")


class UnreadableFormat(ValueError):
    """A metadata prefix the chosen platform has no way to read (no crosswalk, no mapping)."""


def check_metadata_prefix(available: dict[str, Any], platform: str, prefix: str,
                          registered: dict[str, Any], options: dict[str, Any]) -> None:
    """Refuse ``prefix`` when the ``platform`` cannot read it, with a one-line hint in English and Chinese.

    A prefix without a reader would harvest records the hub cannot normalise: every record an error
    (or, worse, nothing at all). The hint names the platforms that can read it (e.g. ``oai-mapped``
    with a field mapping) and the prefixes this platform reads. Platforms without metadata prefixes
    (a feed) are not asked.
    """
    reads = available[platform].reads_format
    if reads(prefix, registered, options) is not False:  # True, or None: a platform without formats
        return
    readable = sorted(p for p in registered if reads(p, registered, options))
    others = sorted(name for name, cls in available.items()
                    if name != platform and cls.reads_format(prefix, registered, {}))
    formats = ", ".join(readable) or "none"
    hint_en = f"use the {' or '.join(others)} platform with a mapping, or one of: " if others else "use one of: "
    hint_zh = (f"请改用 {' 或 '.join(others)} 平台并提供字段映射，或使用以下格式之一：" if others
               else "请使用以下格式之一：")
    raise UnreadableFormat(f"the {platform} platform has no crosswalk for {prefix!r}; {hint_en}{formats} / "
                           f"{platform} 平台没有 {prefix!r} 格式的转换规则；{hint_zh}{formats}")


def validate_options(platform_class: type[Platform], options: dict[str, Any]) -> dict[str, Any]:
    """The platform's checked form of ``options``; ValueError with a clear message when they are invalid."""
    if not isinstance(options, dict):
        raise ValueError("repository options must be a JSON object")
    return dict(platform_class.validate_options(options))


def get_repository(session: Session, repository_id: int) -> Repository:
    """The repository with this id (LookupError when there is none, or it was removed)."""
    repo = session.get(Repository, repository_id)
    if repo is None or repo.removed:
        raise LookupError(f"no repository with id {repository_id}")
    return repo


def set_state(session: Session, repository_id: int, state: RepositoryState) -> Repository:
    """Pause or resume scheduled harvesting of a repository."""
    repo = get_repository(session, repository_id)
    repo.state = state
    return repo


def record_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Per repository: (live records, tombstones)."""
    rows = session.execute(select(Record.repository_id, Record.deleted, func.count()).group_by(
        Record.repository_id, Record.deleted))
    counts: dict[int, list[int]] = {}
    for repo_id, deleted, n in rows:
        counts.setdefault(repo_id, [0, 0])[1 if deleted else 0] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


@dataclass
class Removal:
    """What removing repositories did: their records (every one is now a tombstone; ``tombstoned``
    became one now) and the digests of the files they held, to free after the commit."""

    repository_ids: list[int]
    record_ids: list[int]
    tombstoned: int
    shas: list[str]


def remove_repository(session: Session, repository_id: int) -> Removal:
    """Delete a repository for good, the way ``deletedRecord=persistent`` requires.

    Its records leave the portal, the API and search, but stay in the OAI-PMH provider as deleted
    records (metadata and raw metadata kept, as a source's own tombstones keep theirs), with a new
    hub datestamp so that an incremental harvester of the hub learns of the deletion; their sets
    (``repo:<id>``, ``inst:<slug>``, type, openaire, fulltext) stay as they were. The repository row
    is kept as removed (hidden everywhere but in the provider, never harvested again) so that its
    id, and its records' ids, are never given to anything else. Its runs, errors and status go.
    The caller commits, then calls :func:`forget_records` with the result.
    """
    return _remove(session, [get_repository(session, repository_id)], utcnow())


def remove_institution(session: Session, slug: str) -> Removal:
    """Delete a member for good: every repository of it as :func:`remove_repository` does, and the
    member kept as removed, so that its slug (``inst:<slug>``) is never given to another member."""
    institution = get_institution(session, slug)
    repositories = list(session.scalars(select(Repository).where(Repository.institution_id == institution.id,
                                                                 Repository.removed_at.is_(None))))
    now = utcnow()
    removal = _remove(session, repositories, now)
    institution.removed_at = now
    return removal


def _remove(session: Session, repositories: list[Repository], now: datetime) -> Removal:
    from hub.models import CompletenessReport, CountSnapshot, HarvestRun, ItemError, RepositoryStatus

    ids = [repo.id for repo in repositories]
    record_ids = list(session.scalars(select(Record.id).where(Record.repository_id.in_(ids)))) if ids else []
    shas = files_of(session, record_ids)
    tombstoned = 0
    if ids:
        swept = cast(CursorResult[Any], session.execute(
            update(Record).where(Record.repository_id.in_(ids), Record.deleted.is_(False))
            .values(deleted=True, hub_datestamp=now).execution_options(synchronize_session=False)))
        tombstoned = swept.rowcount or 0
        for model in (ItemError, HarvestRun, RepositoryStatus, CompletenessReport, CountSnapshot):
            session.execute(delete(model).where(model.repository_id.in_(ids)))
    for repo in repositories:
        repo.removed_at = now
        repo.state = RepositoryState.PAUSED  # the scheduler harvests active repositories only
    session.flush()
    return Removal(ids, record_ids, tombstoned, shas)


def files_of(session: Session, record_ids: list[int]) -> list[str]:
    """Digests of the stored files these records hold (read before the records are deleted)."""
    from hub.models import RecordFile

    if not record_ids:
        return []
    return sorted({sha for sha in session.scalars(select(RecordFile.sha256).where(
        RecordFile.record_id.in_(record_ids))) if sha})


def forget_records(hub: Hub, record_ids: list[int], shas: list[str]) -> None:
    """After records were deleted or tombstoned (and committed): drop their search documents and
    file rows, and the stored files among ``shas`` that no remaining record holds. Done after the
    commit, so a delete that fails leaves every file and document in place. Their showcase facts go
    too, and the figures they counted in are recomputed (the showcase stage)."""
    from hub.fulltext.objects import release_unreferenced
    from hub.pipeline.dispatch import run_stage
    from hub.pipeline.graph import PipelineStage
    from hub.pipeline.index import index_records

    if shas or record_ids:
        release_unreferenced(hub, shas=shas, record_ids=record_ids)
    if record_ids:
        index_records(hub, record_ids)  # the index drops ids that are no longer records
        run_stage(hub, PipelineStage.SHOWCASE, record_ids)
