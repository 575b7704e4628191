"""Custom sources: an XPath-mapped OAI-PMH format, JSON-lines and CSV feeds, another CHAIR hub."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from werkzeug.wrappers import Response

from hub.states import RunState
from plugins.custom.feed import FeedPlatform
from plugins.custom.mapping import FIELDS
from tests.platforms.conftest import harvest, links, records, register
from tests.platforms.fake_oai import FakeOAI, OAIItem

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_OPTIONS = {
    "namespaces": {"marc": MARC_NS},
    "fields": {
        "titles": "marc:datafield[@tag='245']/marc:subfield[@code='a']",
        "creators": "marc:datafield[@tag='100' or @tag='700']/marc:subfield[@code='a']",
        "dates": "marc:datafield[@tag='260']/marc:subfield[@code='c']",
        "types": "marc:datafield[@tag='655']/marc:subfield[@code='a']",
        "files": "marc:datafield[@tag='856'][marc:subfield[@code='q']='application/pdf']/marc:subfield[@code='u']",
        "languages": "substring(marc:controlfield[@tag='008'], 36, 3)",
    },
}


def _marc(item: OAIItem) -> str:
    n = item.identifier.rpartition(":")[2]
    field = '<marc:datafield tag="{}" ind1=" " ind2=" ">{}</marc:datafield>'
    sub = '<marc:subfield code="{}">{}</marc:subfield>'
    return (f'<marc:record xmlns:marc="{MARC_NS}"><marc:controlfield tag="008">'
            f"{'240101s2020    cc            000 0 chi d'}</marc:controlfield>"
            + field.format("245", sub.format("a", escape(f"长江流域的鱼类 {n}")))
            + field.format("100", sub.format("a", "李明"))
            + field.format("260", sub.format("c", "2020"))
            + field.format("655", sub.format("a", "Thesis"))
            + field.format("856", sub.format("u", f"https://lib.example.edu.cn/files/{n}.pdf")
                           + sub.format("q", "application/pdf")) + "</marc:record>")


def test_mapping_is_validated_on_save(hub):
    from hub.members import add_institution, add_repository

    bad = [({"fields": {"title": "x"}}, "unknown field(s) title"),
           ({"fields": {"titles": "marc:datafield[@tag='245'"}, "namespaces": {"marc": MARC_NS}}, "invalid XPath"),
           ({"fields": {"titles": "nope:title"}}, "options.fields.titles: invalid XPath"),
           ({"fields": {}}, "non-empty object")]
    with hub.db.session() as session:
        add_institution(session, "lib", "Library")
        for options, message in bad:
            with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")
                               .replace("[", r"\[")):
                add_repository(session, hub.pm, hub.settings, member="lib", platform="oai-mapped",
                               base_url="http://127.0.0.1:1/oai", metadata_prefix="marcxml", options=options)
        with pytest.raises(ValueError, match="options.columns.datestamp"):
            add_repository(session, hub.pm, hub.settings, member="lib", platform="feed",
                           base_url="http://127.0.0.1:1/feed.jsonl",
                           options={"format": "jsonl", "columns": {"identifier": "id"}})


def test_xpath_mapped_marcxml_harvest(hub, served):
    items = [OAIItem(f"oai:lib.example.edu.cn:{n}", f"2024-05-{n:02d}T00:00:00Z", deleted=(n == 3))
             for n in range(1, 8)]
    fake = FakeOAI(f"{served.url}/marc/oai", items, {"marcxml": _marc}, {"marcxml": MARC_NS}, style="dspace")
    served.site.mount("marc", lambda request, parts: fake(request))
    repo_id = register(hub, "oai-mapped", fake.base_url, options=MARC_OPTIONS, prefix="marcxml")
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    rows = records(hub, repo_id)
    assert (sum(not r.deleted for r in rows), sum(r.deleted for r in rows)) == (6, 1)
    meta = next(r for r in rows if not r.deleted).meta
    assert meta["titles"][0]["value"].startswith("长江流域的鱼类") and meta["creators"][0]["name"] == "李明"
    assert meta["issued"] == "2020" and meta["languages"] == ["zho"] and meta["resource_type"]
    assert len(links(rows, "open")) == 6


FEED_OPTIONS = {"format": "jsonl", "separator": ";", "deleted_values": ["withdrawn"],
                "columns": {"identifier": "id", "datestamp": "updated", "status": "status", "titles": "title",
                            "creators": "authors", "dates": "year", "files": "pdf", "types": "type"}}


class Feed:
    """A JSON-lines feed whose rows tests change between harvests."""

    def __init__(self) -> None:
        self.rows = [{"id": f"r{n}", "updated": f"2024-06-{1 + n // 2:02d}T08:00:00Z", "title": f"Report {n}",
                      "authors": "Zhao, Lei; Sun, Mei", "year": "2023", "type": "report",
                      "pdf": f"https://reports.example.edu.cn/{n}.pdf"} for n in range(12)]
        self.extra_lines = ["{not json", json.dumps({"id": "r-nodate", "title": "no date"})]

    def __call__(self, request, parts):
        body = "\n".join([json.dumps(r, ensure_ascii=False) for r in self.rows] + self.extra_lines)
        return Response(body, content_type="application/x-ndjson")


def test_jsonl_feed_incremental_with_deletions(hub, served):
    feed = Feed()
    served.site.mount("feed", feed)
    repo_id = register(hub, "feed", f"{served.url}/feed/records.jsonl", options=FEED_OPTIONS)
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.PARTIAL and summary.counts["failed"] == 2
    rows = records(hub, repo_id)
    assert len(rows) == len(feed.rows)
    assert [p["name"] for p in rows[0].meta["creators"]] == ["Zhao, Lei", "Sun, Mei"]
    assert len(links(rows, "open")) == len(feed.rows)
    feed.extra_lines = []
    feed.rows[0].update(updated="2024-07-01T00:00:00Z", status="withdrawn")
    feed.rows.append({"id": "r-new", "updated": "2024-07-02T00:00:00Z", "title": "New report", "year": "2024"})
    summary = harvest(hub, repo_id)
    assert summary.state == RunState.SUCCEEDED
    assert summary.counts["new"] == 1 and summary.counts["deleted"] == 1
    rows = records(hub, repo_id)
    assert len(rows) == len(feed.rows) and sum(r.deleted for r in rows) == 1


def test_feed_checkpoint_resumes_after_the_rows_done(hub, served, monkeypatch):
    from hub.http import HttpClient
    from hub.platform import SourceConfig

    feed = Feed()
    feed.extra_lines = []
    served.site.mount("feed", feed)
    monkeypatch.setattr("plugins.custom.feed.PAGE_SIZE", 5)
    source = SourceConfig(id=1, base_url=f"{served.url}/feed/x.jsonl", options=FEED_OPTIONS)
    platform = FeedPlatform(source, HttpClient(hub.settings))
    pages = list(platform.gather(since=None, checkpoint=None))
    assert [len(p.items) for p in pages] == [5, 5, 2]
    resumed = list(platform.gather(since=None, checkpoint=pages[0].checkpoint))
    assert [i.source_identifier for p in resumed for i in p.items] == [i.source_identifier for p in pages[1:]
                                                                       for i in p.items]
    assert pages[0].checkpoint == {"last_date": "2024-06-03T08:00:00Z", "rows_done": 1}


def test_csv_feed(hub, served):
    body = "id,updated,title,authors\nc1,2024-01-01,Annual report,王芳\nc2,,Undated,李四\n"
    served.site.mount("csv", lambda request, parts: Response(body, content_type="text/csv"))
    options = {"format": "csv", "columns": {"identifier": "id", "datestamp": "updated", "titles": "title",
                                            "creators": "authors"}}
    repo_id = register(hub, "feed", f"{served.url}/csv/records.csv", options=options)
    summary = harvest(hub, repo_id)
    assert summary.counts["new"] == 1 and summary.counts["failed"] == 1
    assert records(hub, repo_id)[0].meta["creators"][0]["name"] == "王芳"


def test_mapping_fields_are_normalised_fields():
    from hub.normalise.record import NormalisedRecord

    assert set(FIELDS) <= set(NormalisedRecord.__dataclass_fields__)
