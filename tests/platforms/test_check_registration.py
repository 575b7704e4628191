"""Registration refuses what is not a repository (issue 15, item 5).

``chair repo add`` asks the source first (the platform's probe: one Identify for OAI-PMH): a web
page, a closed port or a feed that is not there is refused with the reason and nothing is saved,
unless ``--paused`` saves it paused anyway; a repository registered without a name takes its
Identify ``repositoryName``. The peers are real local servers (tests/platforms).
"""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from hub.cli import cli
from hub.members import add_institution
from hub.models import Repository
from hub.registration import NotARepository, register_repository
from hub.states import RepositoryState
from tests.platforms.fake_oai import FakeOAI, OAIItem

DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _dc(item: OAIItem) -> str:
    return (f'<oai_dc:dc xmlns:oai_dc="{DC}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>Item {item.identifier}</dc:title></oai_dc:dc>")


@pytest.fixture
def member(hub):
    with hub.db.session() as session:
        add_institution(session, "member", "Member University", "成员大学")
    return "member"


@pytest.fixture
def oai(served):
    """A real OAI-PMH endpoint named 东海大学机构知识库 / Donghai Repository."""
    fake = FakeOAI(f"{served.url}/repo/oai", [OAIItem("oai:x:1", "2024-01-02T00:00:00Z")], {"oai_dc": _dc},
                   {"oai_dc": DC}, name="东海大学机构知识库 Donghai Repository")
    served.site.mount("repo", lambda request, parts: fake(request))
    return fake


@pytest.fixture
def web_page(served):
    """An ordinary web page (HTTP 200, HTML): what a mistyped repository address often is."""
    served.site.mount("home", lambda request, parts: Response("<html><body>Welcome</body></html>",
                                                             content_type="text/html"))
    return f"{served.url}/home/"


def _repo_add(hub, *args: str):
    return CliRunner().invoke(cli, ["repo", "add", "--member", "member", *args], obj={"hub": hub})


def _repositories(hub) -> list[Repository]:
    with hub.db.session() as session:
        rows = list(session.scalars(select(Repository).order_by(Repository.id)))
        session.expunge_all()
        return rows


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_web_page_is_refused_with_the_reason(hub, member, web_page):
    result = _repo_add(hub, web_page)
    assert result.exit_code == 1, result.output
    assert "not registered" in result.output and "does not answer OAI-PMH Identify" in result.output
    assert result.output.count("\n") == 1 and "--paused saves it" in result.output
    assert _repositories(hub) == []


def test_a_closed_port_is_refused(hub, member):
    result = _repo_add(hub, f"http://127.0.0.1:{_closed_port()}/oai")
    assert result.exit_code == 1 and "not registered" in result.output and "connection" in result.output.lower()
    assert _repositories(hub) == []


def test_paused_saves_it_anyway_paused(hub, member, web_page):
    result = _repo_add(hub, web_page, "--paused", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["answers"] is False and "Identify" in data["probe"] and data["state"] == "paused"
    (repo,) = _repositories(hub)
    assert repo.id == data["id"] and repo.state == RepositoryState.PAUSED and repo.base_url == web_page


def test_a_repository_is_registered_active_named_by_its_identify(hub, member, oai):
    result = _repo_add(hub, oai.base_url)
    assert result.exit_code == 0, result.output
    (repo,) = _repositories(hub)
    assert result.output.strip() == str(repo.id)
    assert repo.state == RepositoryState.ACTIVE and repo.name == "东海大学机构知识库 Donghai Repository"


def test_a_given_name_is_kept(hub, member, oai):
    assert _repo_add(hub, oai.base_url, "--name", "Donghai").exit_code == 0
    assert [r.name for r in _repositories(hub)] == ["Donghai"]


def test_the_probe_is_the_platforms_own(hub, member, served):
    """A feed platform (no Identify) is asked through its own check: a missing feed is refused."""
    options = {"format": "jsonl", "columns": {"identifier": "id", "datestamp": "updated", "titles": "title"}}
    with hub.db.session() as session, pytest.raises(NotARepository, match="not registered"):
        register_repository(session, hub, member="member", platform="feed", base_url=f"{served.url}/nothing.jsonl",
                            options=options)
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == 0


def test_a_repository_saved_paused_unnamed_takes_its_name_at_its_first_good_check(hub, member, served, oai):
    from hub.checking import run_check_now

    served.site.mount("later", lambda request, parts: Response("not yet", status=503))
    result = _repo_add(hub, f"{served.url}/later/oai", "--paused", "--json")
    repo_id = json.loads(result.output)["id"]
    assert [r.name for r in _repositories(hub)] == [""]
    served.site.mount("later", lambda request, parts: oai(request))  # the repository is up now
    assert run_check_now(hub, repo_id)["reachable"] is True
    assert [r.name for r in _repositories(hub)] == ["东海大学机构知识库 Donghai Repository"]
