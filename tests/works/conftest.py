"""Fixtures for works tests: the crafted set of known duplicates, and demo repositories harvested."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from hub.harvest.gather import harvest_repository
from hub.members import add_institution, add_repository
from hub.models import Institution, Record, Repository, utcnow
from hub.normalise.enrich import normalise_record
from hub.normalise.record import NormalisedRecord
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve

CRAFTED = Path(__file__).resolve().parents[1] / "fixtures" / "works" / "crafted.json"


def crafted_records() -> list[dict[str, Any]]:
    """The crafted records: id, true work label, repository number, note and metadata (before enrichment)."""
    return json.loads(CRAFTED.read_text(encoding="utf-8"))["records"]


def enriched_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata as the importer stores it: crosswalk output passed through the normalisation plugin."""
    return normalise_record(NormalisedRecord.from_dict(meta)).to_dict()


def load_crafted(hub) -> dict[int, str]:
    """Store the crafted records (ids as in the fixture) in five repositories; returns id -> true work."""
    truth = {}
    with hub.db.session() as session:
        repo_ids = {}
        for number in sorted({r["repository"] for r in crafted_records()}):
            slug = f"member{number}"
            add_institution(session, slug, f"Member {number}", f"成员{number}", "")
            inst = session.scalar(select(Institution).where(Institution.slug == slug))
            repo = Repository(institution_id=inst.id, platform="oai", base_url=f"https://{slug}.example.edu.cn/oai",
                              name=f"Repository {number}")
            session.add(repo)
            session.flush()
            repo_ids[number] = repo.id
        now = utcnow()
        rows = []
        for item in crafted_records():
            truth[item["id"]] = item["work"]
            rows.append({"id": item["id"], "repository_id": repo_ids[item["repository"]],
                         "source_identifier": f"oai:crafted:{item['id']}", "meta": enriched_meta(item["meta"]),
                         "hub_datestamp": now, "created_at": now})
        session.execute(insert(Record), rows)
    return truth


@pytest.fixture
def demo_site() -> Iterator[tuple[str, list]]:
    """The four demo repositories holding planted duplicates (150 records each), served on loopback."""
    repos = [r for r in demo_repositories(150) if r.slug in ("donghai", "nanhu", "xiling", "beishan")]
    server, _thread, url = serve(repos)
    yield url, repos
    server.shutdown()
    server.server_close()


def harvest_demo(hub, url: str, repos: list) -> dict[str, tuple[int, list[int]]]:
    """Register and harvest the demo repositories; slug -> (repository id, changed record ids)."""
    done = {}
    for sample in repos:
        with hub.db.session() as session:
            inst = sample.institution
            if session.scalar(select(Institution).where(Institution.slug == inst.slug)) is None:
                add_institution(session, inst.slug, inst.name_en, inst.name_zh, inst.region)
            repo_id = add_repository(session, hub.pm, hub.settings, member=inst.slug, platform="oai",
                                     base_url=sample.base_url(url)).id
        summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
        done[sample.slug] = (repo_id, list(summary.changed_ids), summary)
    return done
