"""Fixtures of the platform tests: one local site playing several repositories, and hub helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.core.servers import serve_app
from tests.platforms.site import Site


@dataclass
class Served:
    site: Site
    url: str  # http://127.0.0.1:<port> (no trailing slash)


@pytest.fixture
def served() -> Iterator[Served]:
    """An empty :class:`Site` on a loopback port; tests mount fake repositories on it."""
    site = Site()
    with serve_app(site) as url:
        yield Served(site, url.rstrip("/"))


def register(hub, platform: str, base_url: str, options: dict[str, Any] | None = None,
             prefix: str = "oai_dc", slug: str = "member") -> int:
    """Register a member (once) and a repository; returns the repository id."""
    from hub.members import add_institution, add_repository
    from hub.models import Institution

    with hub.db.session() as session:
        if session.scalar(select(Institution).where(Institution.slug == slug)) is None:
            add_institution(session, slug, "Member University", "成员大学")
        repo = add_repository(session, hub.pm, hub.settings, member=slug, platform=platform, base_url=base_url,
                              metadata_prefix=prefix, options=options or {})
        session.commit()
        return repo.id


def harvest(hub, repo_id: int, full: bool = False):
    """Harvest a repository with the hub's own HTTP client; returns the summary."""
    from hub.harvest.gather import harvest_repository

    return harvest_repository(hub.db, hub.pm, hub.settings, repo_id, full=full, http=hub.http(repo_id))


def records(hub, repo_id: int) -> list[Any]:
    """Every Record of a repository, detached."""
    from hub.models import Record

    with hub.db.session() as session:
        rows = session.scalars(select(Record).where(Record.repository_id == repo_id).order_by(Record.id)).all()
        session.expunge_all()
        return list(rows)


def links(rows: list[Any], access: str) -> list[dict[str, Any]]:
    """The full-text links of live records with the given access."""
    return [link for r in rows if not r.deleted for link in r.fulltext_links if link["access"] == access]


def check(hub, repo_id: int) -> dict[str, Any]:
    """Run the repository check and store it, as ``chair repo check`` does; returns the stored report."""
    from hub.harvest.gather import make_platform
    from hub.models import Repository, utcnow

    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        report = make_platform(repo, hub.pm, hub.http(repo_id)).check()
        repo.check_report = report.to_dict()
        repo.checked_at = utcnow()
        if report.options:
            repo.options = {**(repo.options or {}), **report.options}
        session.commit()
        return dict(repo.check_report, stored_options=dict(repo.options))
