"""The showcase stage through real harvests of the demo repositories: figures after the follow-ups equal
a rebuild from scratch, and the planted duplicates held by two members show as collaboration."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.members import add_institution, add_repository
from hub.models import Institution
from hub.models.showcase import NETWORK, Collaboration, DisciplineYear, RecordFacts
from hub.pipeline.graph import PipelineStage
from hub.pipeline.harvest import harvest
from hub.showcase.rebuild import live_count
from tests.showcase.test_incremental import incremental, rebuilt


def test_harvests_keep_the_figures_equal_to_a_rebuild(hub, demo_site):
    url, repos = demo_site
    members = {}
    for sample in repos:
        with hub.db.session() as session:
            inst = sample.institution
            if session.scalar(select(Institution).where(Institution.slug == inst.slug)) is None:
                add_institution(session, inst.slug, inst.name_en, inst.name_zh, inst.region)
            repo_id = add_repository(session, hub.pm, hub.settings, member=inst.slug, platform="oai",
                                     base_url=sample.base_url(url)).id
            members[inst.slug] = session.scalar(select(Institution.id).where(Institution.slug == inst.slug))
        outcome = harvest(hub, repo_id)
        showcase = [r for r in outcome.stages if r.stage is PipelineStage.SHOWCASE]
        assert showcase and not showcase[0].errors, [r.line() for r in outcome.stages]
        assert showcase[0].note.startswith("showcase:")
        assert incremental(hub) == rebuilt(hub), sample.slug  # after each harvest, not only at the end
    with hub.db.session() as session:
        assert session.scalar(select(func.count()).select_from(RecordFacts)) == live_count(session) > 0
        network_records = session.scalar(select(func.sum(DisciplineYear.records)).where(
            DisciplineYear.institution_id == NETWORK))
        assert network_records and network_records >= live_count(session) // 2  # most demo records have a discipline
        pairs = {(c.institution_a, c.institution_b): c.works for c in session.scalars(select(Collaboration))}
    # the sample catalogue plants duplicates of one repository's records in another's (tests/works)
    planted = {tuple(sorted((members[r.slug], members[r.duplicates_of.slug]))) for r in repos if r.duplicates_of}
    assert planted and all(pairs.get(pair, 0) >= 1 for pair in planted), (planted, pairs)
