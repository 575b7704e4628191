"""Works over the demo repositories: the planted duplicates are grouped, and nothing else."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from hub.models import Record, WorkMember
from hub.pipeline.dispatch import run_from
from hub.pipeline.graph import PipelineStage
from hub.samples.records import generate_record, is_deleted, oai_identifier
from hub.works.api import RelationType, relations_for, work_of
from hub.works.grouping import group_all
from tests.works.conftest import harvest_demo


def _planted(repos) -> set[frozenset[str]]:
    """Pairs of OAI identifiers the sample generator made duplicates of one another."""
    pairs = set()
    for dup in repos:
        source = dup.duplicates_of
        if source is None:
            continue
        for i in range(dup.records):
            if (i % dup.duplicate_every == dup.duplicate_every // 2 and i < source.records
                    and not is_deleted(dup, i) and not is_deleted(source, i)):
                pairs.add(frozenset({oai_identifier(source, i), oai_identifier(dup, i)}))
    return pairs


def _multi_works(hub) -> set[frozenset[str]]:
    with hub.db.session() as session:
        rows = session.execute(select(WorkMember.work_id, Record.source_identifier)
                               .join(Record, Record.id == WorkMember.record_id)).all()
    works = defaultdict(set)
    for work_id, identifier in rows:
        works[work_id].add(identifier)
    return {frozenset(m) for m in works.values() if len(m) > 1}


def test_harvest_followup_groups_exactly_the_planted_duplicates(hub, demo_site):
    url, repos = demo_site
    planted = _planted(repos)
    assert len(planted) == 6  # three per pair of repositories (i = 25, 75, 125)
    for slug, (_repo_id, _changed, summary) in harvest_demo(hub, url, repos).items():
        report = run_from(hub, PipelineStage.WORKS, summary.changed_ids)[0]  # the works stage, then its index
        assert report.stage is PipelineStage.WORKS and report.note.startswith("works:"), slug
    assert _multi_works(hub) == planted
    # every live record is in exactly one work
    with hub.db.session() as session:
        live = set(session.scalars(select(Record.id).where(Record.deleted.is_(False))))
        grouped = set(session.scalars(select(WorkMember.record_id).where(WorkMember.work_id.is_not(None))))
    assert live == grouped


def test_full_regrouping_gives_the_same_works_and_keeps_their_ids(hub, demo_site):
    url, repos = demo_site
    for _slug, (_repo_id, _changed, summary) in harvest_demo(hub, url, repos).items():
        run_from(hub, PipelineStage.WORKS, summary.changed_ids)
    with hub.db.session() as session:
        before = dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())
        report = group_all(session)
    assert report.works_created == 0
    with hub.db.session() as session:
        after = dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())
    assert after == before
    assert _multi_works(hub) == _planted(repos)


def test_duplicate_copies_share_the_doi_evidence_and_relate_as_identical(hub, demo_site):
    url, repos = demo_site
    for _slug, (_repo_id, _changed, summary) in harvest_demo(hub, url, repos).items():
        run_from(hub, PipelineStage.WORKS, summary.changed_ids)
    donghai = next(r for r in repos if r.slug == "donghai")
    with hub.db.session() as session:
        record_id = session.scalar(select(Record.id).where(Record.source_identifier == oai_identifier(donghai, 25)))
        view = work_of(session, record_id)
        relations = relations_for(session, [record_id])[record_id]
    assert view is not None and view.size == 2
    assert {c.institution_slug for c in view.copies} == {"donghai", "nanhu"}
    assert view.doi == generate_record(donghai, 25).doi.lower()
    assert any("doi" in link["evidence"] for c in view.copies for link in c.evidence)
    assert [r.type for r in relations] == [RelationType.IS_IDENTICAL_TO]
    assert relations[0].record_id != record_id
