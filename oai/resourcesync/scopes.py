"""The sets the hub publishes over ResourceSync: the whole hub, each member, each repository.

A :class:`Scope` names its set (its path under ``/resourcesync/``) and selects its records in SQL.
A member's set holds the records of all its repositories, removed ones included (their records
are tombstones, and stay deletions in the Change Lists for good, as in OAI-PMH). The Source
Description lists only live members and repositories; the Capability List of a removed
repository is no longer served, but the hub's and its member's lists keep its deletions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hub.models import Institution, Record, Repository


class ScopeKind(StrEnum):
    """What a set covers."""

    HUB = "hub"
    MEMBER = "members"
    REPOSITORY = "repositories"


@dataclass(frozen=True)
class Scope:
    """One published set: its kind, key (member slug, repository id) and its repositories
    (None: every repository of the hub)."""

    kind: ScopeKind
    key: str
    title: str
    repository_ids: tuple[int, ...] | None

    @property
    def path(self) -> str:
        """The set's path under ``/resourcesync/`` (``hub``, ``members/pku``, ``repositories/3``)."""
        return self.kind.value if self.kind is ScopeKind.HUB else f"{self.kind.value}/{self.key}"

    @property
    def slug(self) -> str:
        """The path as one object-key-safe word (``members-pku``)."""
        return self.path.replace("/", "-")

    def records(self) -> list[ColumnElement[bool]]:
        """WHERE conditions selecting the set's records (tombstones included)."""
        if self.repository_ids is None:
            return []
        return [Record.repository_id.in_(self.repository_ids)]


HUB = Scope(ScopeKind.HUB, "", "the whole hub", None)


def member_scope(session: Session, slug: str, *, live_only: bool = True) -> Scope | None:
    """The set of the member ``slug`` (None when unknown, or removed with ``live_only``)."""
    member = session.scalar(select(Institution).where(Institution.slug == slug))
    if member is None or (live_only and member.removed_at is not None):
        return None
    ids = tuple(session.scalars(select(Repository.id).where(Repository.institution_id == member.id)
                                .order_by(Repository.id)))
    return Scope(ScopeKind.MEMBER, member.slug, member.name_en or member.name_zh or member.slug, ids)


def repository_scope(session: Session, repository_id: int) -> Scope | None:
    """The set of a live repository (None when unknown or removed)."""
    repository = session.get(Repository, repository_id)
    if repository is None or repository.removed_at is not None:
        return None
    return Scope(ScopeKind.REPOSITORY, str(repository.id), repository.label, (repository.id,))


def resolve(session: Session, kind: str, key: str = "") -> Scope | None:
    """The scope of a request path (``hub``; ``members``, slug; ``repositories``, id), or None."""
    if kind == ScopeKind.HUB.value and not key:
        return HUB
    if kind == ScopeKind.MEMBER.value and key:
        return member_scope(session, key)
    if kind == ScopeKind.REPOSITORY.value and key.isascii() and key.isdigit() and len(key) < 12:
        return repository_scope(session, int(key))
    return None


def live_scopes(session: Session) -> list[Scope]:
    """The hub, then every live member and every live repository, in a stable order."""
    found = [HUB]
    members = session.scalars(select(Institution).where(Institution.removed_at.is_(None))
                              .order_by(Institution.slug)).all()
    for member in members:
        scope = member_scope(session, member.slug)
        if scope is not None:
            found.append(scope)
    for repository_id in session.scalars(select(Repository.id).where(Repository.removed_at.is_(None))
                                         .order_by(Repository.id)):
        scope = repository_scope(session, repository_id)
        if scope is not None:
            found.append(scope)
    return found
