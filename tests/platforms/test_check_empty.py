"""A check that read no record verifies nothing, on every platform (issue 13, item 4).

The OAI-PMH check's own findings are covered in test_check.py; these are the platform findings that
EPrints and feeds add on top, which used to be ok when there was nothing to look at.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from tests.platforms.conftest import check, register
from tests.platforms.fake_eprints import FakeEPrints


def _findings(report):
    return {f["key"]: f for f in report["findings"]}


def test_eprints_export_is_not_ok_when_no_record_was_sampled(hub, served):
    fake = FakeEPrints("empty", served.url, eprints=[])
    served.site.mount("empty", fake)
    report = check(hub, register(hub, "eprints", fake.base_url))
    export = _findings(report)["ep3_export"]
    assert not export["ok"] and "not verified" in export["detail"] and export["advice_zh"]
    assert not report["ok"]


def test_an_empty_feed_is_not_a_verified_feed(hub, served):
    served.site.mount("feed", lambda request, parts: Response(b"", content_type="application/x-ndjson"))
    options = {"format": "jsonl", "columns": {"identifier": "id", "datestamp": "updated", "titles": "title"}}
    report = check(hub, register(hub, "feed", f"{served.url}/feed/rows.jsonl", options=options))
    rows = _findings(report)["rows"]
    assert not rows["ok"] and "no rows" in rows["detail"] and not report["ok"]
