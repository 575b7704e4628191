"""Fixtures for harvest tests: sample member repositories served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hub.members import add_institution, add_repository
from hub.models import Institution, Record
from hub.samples.catalog import RepositoryStyle, SampleRepository, demo_repositories
from hub.samples.records import is_deleted, oai_identifier, set_specs
from hub.samples.server import serve


@dataclass
class SampleSite:
    """A running sample server and the repositories it serves."""

    url: str
    repos: list[SampleRepository]

    def repo(self, style: str) -> SampleRepository:
        return next(r for r in self.repos if r.style.value == style)


def sample_repos(records: int = 250) -> list[SampleRepository]:
    """One DSpace-style and one EPrints-style repository of ``records`` records each."""
    repos = demo_repositories(records)
    dspace = next(r for r in repos if r.style is RepositoryStyle.DSPACE and r.duplicates_of is None)
    eprints = next(r for r in repos if r.style is RepositoryStyle.EPRINTS and r.duplicates_of is None)
    return [dspace, eprints]


@pytest.fixture
def site() -> Iterator[SampleSite]:
    repos = sample_repos()
    server, thread, url = serve(repos)
    yield SampleSite(url, repos)
    server.shutdown()
    server.server_close()


def register(hub, site_url: str, sample: SampleRepository, platform: str = "oai", **kwargs) -> int:
    """Register a sample repository (and its member) in the hub; returns the repository id."""
    with hub.db.session() as session:
        inst = sample.institution
        if session.scalar(select(Institution).where(Institution.slug == inst.slug)) is None:
            add_institution(session, inst.slug, inst.name_en, inst.name_zh, inst.region)
        repo = add_repository(session, hub.pm, hub.settings, member=inst.slug, platform=platform,
                              base_url=sample.base_url(site_url), **kwargs)
        return repo.id


def expected_identifiers(sample: SampleRepository, sets: set[str] | None = None) -> tuple[set[str], set[str]]:
    """(live, deleted) OAI identifiers the sample repository holds (optionally in some sets)."""
    live, deleted = set(), set()
    for i in range(sample.records):
        if sets is not None and not sets & set(set_specs(sample, i)):
            continue
        (deleted if is_deleted(sample, i) else live).add(oai_identifier(sample, i))
    return live, deleted


def stored_identifiers(hub, repository_id: int) -> tuple[set[str], set[str]]:
    """(live, deleted) source identifiers the hub holds for a repository."""
    with hub.db.session() as session:
        rows = session.execute(select(Record.source_identifier, Record.deleted)
                               .where(Record.repository_id == repository_id)).all()
    return {i for i, d in rows if not d}, {i for i, d in rows if d}
