"""``chair showcase rebuild|status``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import cli
from hub.models.showcase import DisciplineYear


@pytest.fixture
def chair(hub):
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_status_then_rebuild_backfills_the_figures(hub, network, chair):
    network.member("donghai")
    ids = [network.record("donghai", disciplines=("0812",), year=2020) for _ in range(3)]
    status = json.loads(chair("showcase", "status", "--json"))
    assert status["tables"]["record_facts"] == 0 and status["live_records"] == 3
    assert "0 of 3 live records have facts" in chair("showcase", "status")
    out = chair("showcase", "rebuild", "--quiet")
    assert out.startswith("showcase: 3 records, 3 with facts")
    with hub.db.session() as session:
        assert session.scalar(select(DisciplineYear.records).where(DisciplineYear.discipline == "0812",
                                                                   DisciplineYear.institution_id == 0)) == len(ids)
    status = json.loads(chair("showcase", "status", "--json"))
    assert status["tables"]["record_facts"] == 3 and status["tables"]["discipline_year"] == 2
    assert "3 of 3 live records have facts" in chair("showcase", "status")
    again = json.loads(chair("showcase", "rebuild", "--json"))  # a rebuild of a rebuilt hub changes nothing
    assert again["counts"]["facts"] == 3 and again["counts"]["years"] == 2


def test_an_unknown_option_is_one_clear_line(chair):
    out = chair("showcase", "rebuild", "--everything", code=2)
    assert "No such option" in out and "Traceback" not in out
