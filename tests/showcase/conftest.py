"""Fixtures of the showcase tests: a small network written straight into the tables the facts read.

:class:`Network` makes members, repositories, records (with disciplines, subjects, a year, open
access and full text), works and researchers (authorships linked to them) without a harvest, so
that a test can change exactly what a harvest, a regrouping or a re-linking would, then refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import delete, select

from hub.context import Hub
from hub.models import Authorship, Institution, Record, Repository, Researcher, Work, WorkMember
from hub.models.showcase import (
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from hub.normalise.rights import OPEN_ACCESS
from hub.showcase.contributions import Contribution
from hub.states import FulltextState

AGGREGATES = (DisciplineYear, DisciplineSubject, DisciplineResearcher, DisciplinePair, Collaboration)


def table_rows(session, model) -> set[tuple[Any, ...]]:
    """Every row of a showcase table as a set of tuples (column order), for comparisons."""
    columns = [c.name for c in model.__table__.columns]
    rows = set()
    for row in session.execute(select(*model.__table__.columns)):
        rows.add(tuple(tuple(r) if isinstance(r, list) else (tuple(sorted(r.items())) if isinstance(r, dict) else r)
                       for r in row))
    assert columns
    return rows


def snapshot(session) -> dict[str, set[tuple[Any, ...]]]:
    """The showcase tables' rows, by table (facts, contributions, aggregates)."""
    return {model.__tablename__: table_rows(session, model) for model in (RecordFacts, Contribution, *AGGREGATES)}


@dataclass
class Network:
    """Members, repositories, records, works and researchers made directly (see the module)."""

    hub: Hub
    members: dict[str, int] = field(default_factory=dict)  # slug -> institution id
    repositories: dict[str, int] = field(default_factory=dict)  # slug -> repository id
    counter: int = 0

    def member(self, slug: str) -> int:
        """A member with one repository; returns the institution id."""
        with self.hub.db.session() as session:
            inst = Institution(slug=slug, name_en=slug.title(), name_zh=slug, region="北京")
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, name=f"{slug} repository", platform="oai",
                              base_url=f"https://{slug}.example.edu/oai")
            session.add(repo)
            session.flush()
            self.members[slug], self.repositories[slug] = inst.id, repo.id
        return self.members[slug]

    def record(self, slug: str, *, disciplines: tuple[str, ...] = ("0812",), subjects: tuple[str, ...] = (),
               year: Any = 2020, open_access: bool = False, fulltext: bool = False, deleted: bool = False,
               title: str = "") -> int:
        """A record of ``slug``'s repository; returns its id."""
        self.counter += 1
        meta: dict[str, Any] = {"titles": [{"value": title or f"Paper {self.counter}", "lang": "eng"}],
                                "subjects": [{"value": s} for s in subjects], "disciplines": list(disciplines),
                                "resource_type_label": "journal article"}
        if year is not None:
            meta["year"] = year
        if open_access:
            meta["access_rights"] = OPEN_ACCESS
        with self.hub.db.session() as session:
            record = Record(repository_id=self.repositories[slug], source_identifier=f"oai:{slug}:{self.counter}",
                            meta=meta, deleted=deleted,
                            fulltext_state=FulltextState.EXTRACTED if fulltext else FulltextState.NONE)
            session.add(record)
            session.flush()
            return record.id

    def update(self, record_id: int, **changes: Any) -> None:
        """Change a record: ``meta`` keys (disciplines, subjects, year), ``deleted``, ``fulltext``."""
        with self.hub.db.session() as session:
            record = session.get(Record, record_id)
            meta = dict(record.meta)
            for name, value in changes.items():
                if name == "deleted":
                    record.deleted = value
                elif name == "fulltext":
                    record.fulltext_state = FulltextState.EXTRACTED if value else FulltextState.NONE
                elif name == "subjects":
                    meta["subjects"] = [{"value": s} for s in value]
                else:
                    meta[name] = list(value) if isinstance(value, tuple) else value
            record.meta = meta

    def work(self, record_ids: list[int]) -> int:
        """Group these records into one new work (taking them out of any other)."""
        with self.hub.db.session() as session:
            work = Work(size=len(record_ids), title="")
            session.add(work)
            session.flush()
            for record_id in record_ids:
                member = session.get(WorkMember, record_id)
                if member is None:
                    repo = session.scalar(select(Record.repository_id).where(Record.id == record_id))
                    session.add(WorkMember(record_id=record_id, work_id=work.id, repository_id=repo, features={},
                                           evidence=[]))
                else:
                    member.work_id = work.id
            return work.id

    def unwork(self, record_id: int) -> None:
        """Take a record out of its work."""
        with self.hub.db.session() as session:
            session.execute(delete(WorkMember).where(WorkMember.record_id == record_id))

    def researcher(self, name: str) -> int:
        """A researcher (no authorship yet)."""
        with self.hub.db.session() as session:
            person = Researcher(name=name, institutions=[], disciplines=[])
            session.add(person)
            session.flush()
            return person.id

    def author(self, record_id: int, researcher_id: int | None, position: int = 0, name: str = "Wang, Wei") -> None:
        """Link the record's creator at ``position`` to a researcher (None: unlinked), creating the authorship."""
        with self.hub.db.session() as session:
            row = session.get(Authorship, (record_id, position))
            if row is None:
                repo_id, inst_id = session.execute(
                    select(Record.repository_id, Repository.institution_id)
                    .join(Repository, Repository.id == Record.repository_id).where(Record.id == record_id)).one()
                session.add(Authorship(record_id=record_id, position=position, researcher_id=researcher_id,
                                       repository_id=repo_id, institution_id=inst_id, name=name, key="wang w",
                                       orcid="", features={}, evidence=[]))
            else:
                row.researcher_id = researcher_id


@pytest.fixture
def network(hub: Hub) -> Network:
    """An empty network on the test hub's database."""
    return Network(hub)


@pytest.fixture
def demo_site():
    """The four demo repositories with planted duplicates, served on loopback (as tests/works uses them)."""
    from hub.samples.catalog import demo_repositories
    from hub.samples.server import serve

    repos = [r for r in demo_repositories(60) if r.slug in ("donghai", "nanhu", "xiling", "beishan")]
    server, _thread, url = serve(repos)
    yield url, repos
    server.shutdown()
    server.server_close()
