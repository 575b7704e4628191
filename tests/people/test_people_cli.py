"""``chair people relink|show`` and the people stage after a harvest: researchers filled end to end."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from hub.cli import cli
from hub.models import Authorship, Researcher
from hub.pipeline.dispatch import run_from
from hub.pipeline.graph import PipelineStage
from tests.people.conftest import add_members, meta, person, researcher_of, store

ORCID = "0000-0002-1825-0097"


@pytest.fixture
def chair(hub):
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        assert result.exit_code == code, result.output
        return result.output

    return run


def _crafted(hub) -> list[int]:
    a, b = add_members(hub, 2)
    return store(hub, {1: (a, meta([person("王伟", ORCID), person("李明")], disciplines=("0812",))),
                       2: (b, meta([person("Wang, Wei", ORCID)])),
                       3: (a, meta([person("李明"), person("赵六")], disciplines=("0812",)))})


def test_relink_all_fills_researchers_and_show_explains_them(hub, chair):
    _crafted(hub)
    out = chair("people", "relink", "--all")
    assert "people: 3 records" in out and "4 researchers new" in out  # 李明 of records 1 and 3: a discipline alone
    links = researcher_of(hub)
    assert links["1:王伟"] == links["2:Wang, Wei"]
    shown = chair("people", "show", str(links["1:王伟"]))
    assert "王伟" in shown and "Wang, Wei" in shown and f"orcid:{ORCID}" in shown
    assert "uni1, uni2" in shown or "uni2, uni1" in shown
    assert "2:Wang, Wei orcid (1.0)" in shown
    data = json.loads(chair("people", "show", str(links["1:王伟"]), "--json"))
    assert data["orcid"] == ORCID and len(data["authorships"]) == 2
    assert data["authorships"][0]["evidence"] == [{"with": "2:Wang, Wei", "evidence": ["orcid"], "score": 1.0}]
    again = json.loads(chair("people", "relink", "--repository", "2", "--json"))
    assert again["records"] == 1 and again["stages"][0]["stage"] == "people"
    assert researcher_of(hub) == links  # ids kept


@pytest.mark.parametrize(("args", "message"), [
    (("people", "relink"), "give either --all or --repository ID"),
    (("people", "relink", "--all", "--repository", "1"), "give either --all or --repository ID"),
    (("people", "relink", "--repository", "99"), "no repository 99"),
    (("people", "show", "12345"), "no researcher 12345"),
])
def test_bad_arguments_give_one_clear_line(hub, chair, args, message):
    _crafted(hub)
    out = chair(*args, code=1)
    assert message in out and "Traceback" not in out


def test_show_refuses_a_non_number(hub, chair):
    out = chair("people", "show", "abc", code=2)
    assert "is not a valid integer" in out


def test_the_people_stage_runs_from_the_dispatcher_and_feeds_the_showcase(hub):
    ids = _crafted(hub)
    reports = run_from(hub, PipelineStage.PEOPLE, ids)
    assert reports[0].stage is PipelineStage.PEOPLE
    assert sorted(reports[0].records) == ids and reports[0].counts["new researchers"] == 4
    assert PipelineStage.SHOWCASE in {r.stage for r in reports[1:]}
    with hub.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Researcher)) == 4
        assert session.scalar(select(func.count()).select_from(Authorship)
                              .where(Authorship.researcher_id.is_(None))) == 0


def test_a_harvest_fills_researchers(hub):
    from hub.members import add_institution, add_repository
    from hub.pipeline.harvest import harvest
    from hub.samples.catalog import demo_repositories
    from hub.samples.server import serve

    repos = [r for r in demo_repositories(40) if r.slug in ("donghai", "nanhu")]
    server, _thread, url = serve(repos)
    try:
        for sample in repos:
            with hub.db.session() as session:
                inst = sample.institution
                add_institution(session, inst.slug, inst.name_en, inst.name_zh, inst.region)
                repo_id = add_repository(session, hub.pm, hub.settings, member=inst.slug, platform="oai",
                                         base_url=sample.base_url(url)).id
            outcome = harvest(hub, repo_id)
            assert PipelineStage.PEOPLE in {r.stage for r in outcome.stages}
    finally:
        server.shutdown()
        server.server_close()
    with hub.db.session() as session:
        authorships = session.scalar(select(func.count()).select_from(Authorship))
        unlinked = session.scalar(select(func.count()).select_from(Authorship)
                                  .where(Authorship.researcher_id.is_(None)))
        researchers = session.scalar(select(func.count()).select_from(Researcher))
        linked = session.scalar(select(func.count()).select_from(Authorship).where(Authorship.score > 0))
    assert authorships > 0 and unlinked == 0
    assert 0 < researchers < authorships and linked > 0
