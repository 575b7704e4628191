"""Fixtures of the people tests: members, and records stored directly with crafted creators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from hub.models import Authorship, Institution, Record, Repository, Researcher, utcnow


def add_members(hub, count: int) -> list[int]:
    """``count`` members with one repository each; returns the repository ids."""
    repos = []
    with hub.db.session() as session:
        for number in range(1, count + 1):
            inst = Institution(slug=f"uni{number}", name_en=f"University {number}", name_zh=f"大学{number}",
                               region="北京")
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, name=f"Repository {number}", platform="oai",
                              base_url=f"https://uni{number}.example.edu.cn/oai")
            session.add(repo)
            session.flush()
            repos.append(repo.id)
    return repos


def person(name: str, orcid: str = "", **more: Any) -> dict[str, Any]:
    """A creator as the normaliser stores it."""
    return {"name": name, **({"orcid": orcid} if orcid else {}), **more}


def meta(creators: list[dict[str, Any]], *, subjects: tuple[str, ...] = (), disciplines: tuple[str, ...] = (),
         year: int | None = 2020, title: str = "A paper") -> dict[str, Any]:
    """Record metadata with these creators."""
    data: dict[str, Any] = {"titles": [{"value": title, "lang": "eng"}], "creators": creators,
                            "subjects": [{"value": s, "lang": ""} for s in subjects],
                            "disciplines": list(disciplines)}
    if year:
        data["year"] = year
    return data


def store(hub, records: dict[int, tuple[int, dict[str, Any]]]) -> list[int]:
    """Store records ``id -> (repository id, meta)``; returns their ids."""
    now = utcnow()
    with hub.db.session() as session:
        session.execute(insert(Record), [
            {"id": record_id, "repository_id": repo, "source_identifier": f"oai:test:{record_id}", "meta": data,
             "hub_datestamp": now, "created_at": now} for record_id, (repo, data) in records.items()])
    return sorted(records)


def researcher_of(hub) -> dict[str, int | None]:
    """Authorship reference -> its researcher id."""
    with hub.db.session() as session:
        return {f"{r}:{n}": rid for r, n, rid in session.execute(
            select(Authorship.record_id, Authorship.name, Authorship.researcher_id))}


def researchers(hub) -> dict[int, Researcher]:
    """Every researcher by id (detached)."""
    with hub.db.session() as session:
        rows = list(session.scalars(select(Researcher)))
        session.expunge_all()
    return {r.id: r for r in rows}
