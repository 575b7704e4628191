"""Quality reports (findings, bilingual advice, suggestions from other copies) and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import cli
from hub.models import Record, WorkMember
from hub.quality.checks import Field, Problem, check_record
from hub.quality.report import SuggestionKind, build_report, to_csv
from hub.works.grouping import group_all
from tests.works.conftest import load_crafted


@pytest.fixture
def chair(hub):
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_check_record_flags_missing_and_invalid_values():
    meta = {"titles": [{"value": "T"}], "dates": ["sometime"], "types": ["Gizmo"],
            "identifiers": [{"scheme": "other", "value": "doi:10,1000/broken"}], "rights": ["CC BY"],
            "extra": {"invalid": {"languages": ["klingon-ish"]}}}
    present, findings = check_record(meta, has_fulltext=False)
    kinds = {(f.field, f.problem) for f in findings}
    assert Field.TITLE in present
    assert {(Field.DATE, Problem.INVALID), (Field.TYPE, Problem.INVALID), (Field.LANGUAGE, Problem.INVALID),
            (Field.DOI, Problem.INVALID), (Field.LICENSE, Problem.INVALID), (Field.CREATOR, Problem.MISSING),
            (Field.ACCESS_RIGHTS, Problem.MISSING), (Field.FULLTEXT, Problem.MISSING)} <= kinds
    creator = next(f for f in findings if f.field is Field.CREATOR)
    assert creator.required and creator.advice[0] and creator.advice[1]


def test_report_offers_the_doi_of_another_members_copy(hub):
    load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
        repository_15 = session.get(Record, 15).repository_id
        report = build_report(session, repository_15)
    item = next(i for i in report.items if i.record_id == 15)
    assert [(s.kind, s.value) for s in item.suggestions] == [(SuggestionKind.DOI, "10.1109/icc.2016.7511234")]
    data = report.to_dict()
    assert data["records"] == report.records > 0
    title = next(f for f in data["fields"] if f["field"] == "title")
    assert title["completeness"] == 1.0 and title["openaire_required"]
    rows = list(csv.reader(io.StringIO(to_csv(report).lstrip("\ufeff"))))
    assert rows[0][0] == "record_id"
    assert any(r[0] == "15" and r[4] == "suggestion" and "10.1109/icc.2016.7511234" in r[5] for r in rows)


def test_cli_group_show_split_join_and_quality(hub, chair):
    load_crafted(hub)
    assert chair("works", "group", "--all").startswith("works:")
    with hub.db.session() as session:
        work_13 = session.scalar(select(WorkMember.work_id).where(WorkMember.record_id == 13))
        work_28 = session.scalar(select(WorkMember.work_id).where(WorkMember.record_id == 28))
        work_29 = session.scalar(select(WorkMember.work_id).where(WorkMember.record_id == 29))
    shown = json.loads(chair("works", "show", str(work_13), "--json"))
    assert sorted(c["record_id"] for c in shown["copies"]) == [13, 14, 15]
    assert "member1" in chair("works", "show", "13", "--record")
    chair("works", "split", str(work_13), "15", "--note", "not the same paper")
    chair("works", "join", str(work_28), str(work_29))
    with hub.db.session() as session:
        works = dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())
    assert works[15] != works[13] and works[28] == works[29]
    assert "no work 999999" in chair("works", "split", "999999", "1", code=1)
    chair("works", "group", code=1)
    report = json.loads(chair("quality", "report", "1", "--json"))
    assert report["repository_id"] == 1 and report["records_concerned"]
    assert chair("quality", "report", "1", "--csv").lstrip("\ufeff").startswith("record_id,")
    assert "OpenAIRE" in chair("quality", "report", "1")
    assert "no repository 999" in chair("quality", "report", "999", code=1)
