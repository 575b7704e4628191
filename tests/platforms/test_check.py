"""The repository check: declared vs observed behaviour, resumption, samples, bilingual advice."""

from __future__ import annotations

from tests.platforms.conftest import check, register
from tests.platforms.fake_dspace import FakeDSpace
from tests.platforms.fake_oai import FakeOAI, OAIItem


def _findings(report):
    return {f["key"]: f for f in report["findings"]}


def test_check_of_a_responsive_dspace_repository(hub, served):
    fake = FakeDSpace("d7", 7, served.url)
    served.site.mount("d7", fake)
    report = check(hub, register(hub, "dspace", fake.base_url))
    facts, findings = report["facts"], _findings(report)
    assert report["reachable"] and facts["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    assert facts["granularity_observed"] == "seconds" and findings["granularity"]["ok"]
    assert facts["metadata_formats"] == ["dim", "mods", "oai_dc", "qdc"] and facts["sets"] == 3
    assert facts["page_size"] == fake.oai.page_size and facts["complete_list_size"] == len(fake.items)
    assert findings["resumption"]["ok"] and facts["deleted_seen"] == 1
    assert findings["mandatory_fields"]["ok"] and facts["field_fill"]["titles"] == f"{facts['sample']}/{facts['sample']}"
    two_pages = fake.items[:2 * fake.oai.page_size]
    assert facts["sample"] == sum(not i.deleted for i in two_pages)  # the sample is the first two pages
    first_live = [i for i in two_pages if not i.deleted][:5]
    assert facts["fulltext_sample"]["with_reachable_pdf"] == sum(
        any(b.bundle == "ORIGINAL" and b.access == "open" for b in i.bits) for i in first_live)
    assert facts["robots_txt"] == "absent" and {"identify", "list_records_page1", "list_records_page2"} <= set(
        facts["response_ms"])
    assert "dim" in facts["strategy"] and "resumption tokens" in facts["strategy"]
    for finding in report["findings"]:
        if not finding["ok"]:
            assert finding["advice_en"] and finding["advice_zh"], finding["key"]


def test_check_names_problems_with_advice(hub, served):
    items = [OAIItem(f"oai:x:{n}", f"2024-01-0{n}", sets=[]) for n in range(1, 6)]
    fake = FakeOAI(f"{served.url}/bad/oai", items, {"oai_dc": lambda i: (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Only a title</dc:title></oai_dc:dc>')},
        {"oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}, style="dspace", page_size=2,
        deleted_record="no", earliest="0001-01-01T00:00:00Z")
    served.site.mount("bad", lambda request, parts: fake(request))
    report = check(hub, register(hub, "oai", fake.base_url))
    findings = _findings(report)
    assert not report["ok"]
    assert not findings["granularity"]["ok"] and report["facts"]["granularity_observed"] == "day"
    assert not findings["deleted_record"]["ok"] and not findings["earliest_datestamp"]["ok"]
    missing = findings["mandatory_fields"]
    assert not missing["ok"] and "creators missing in 4 of 4" in missing["detail"]
    assert "creators" in missing["advice_en"] and "creators" in missing["advice_zh"]
    assert not findings["fulltext"]["ok"]
    for finding in report["findings"]:
        if not finding["ok"]:
            assert finding["advice_en"] and finding["advice_zh"], finding["key"]


def test_check_of_an_unreachable_repository(hub):
    report = check(hub, register(hub, "dspace", "http://127.0.0.1:9/oai/request"))
    assert report["reachable"] is False and report["findings"][0]["key"] == "reachable"
    assert report["findings"][0]["advice_zh"]


def test_feed_check(hub, served):
    from werkzeug.wrappers import Response

    body = '{"id": "a", "updated": "2024-01-01", "title": "T"}\n{"id": "b", "updated": "soon"}\n'
    served.site.mount("f", lambda request, parts: Response(body))
    options = {"format": "jsonl", "columns": {"identifier": "id", "datestamp": "updated", "titles": "title"}}
    report = check(hub, register(hub, "feed", f"{served.url}/f/x.jsonl", options=options))
    assert report["facts"]["rows"] == 2 and report["facts"]["unreadable"] == 1
    assert not _findings(report)["rows"]["ok"]
