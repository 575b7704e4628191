"""A feed row that cannot be decoded fails alone: the harvest goes on, the row's bytes are kept.

A lone surrogate escaped in a JSON string (``"\\ud800"``: valid JSON, but no character, and no
database or page can hold it) and bytes that are not UTF-8 (in a JSON line or in a CSV row) each
become one item error with the row's bytes as the feed sent them; every other row is imported, and
nothing is logged with a traceback.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.states import RunState, Stage
from plugins.custom.feed import read_csv, read_jsonl
from tests.platforms.conftest import harvest, records, register

JSONL_ROWS = [
    b'{"id": "f1", "updated": "2024-05-01T00:00:00Z", "title": "First"}',
    b'{"id": "f2", "updated": "2024-05-02T00:00:00Z", "title": "Half a pair \\ud800 here"}',
    b'{"id": "f3", "updated": "2024-05-03T00:00:00Z", "title": "Bytes \xff\xfe here"}',
    b'{"id": "f4", "updated": "2024-05-04T00:00:00Z", "title": "A whole pair \\ud83d\\ude00 \xe4\xb8\xad\xe6\x96\x87"}',
    b'{"id": "f5", "updated": "2024-05-05T00:00:00Z", "title": "Nested", "x": {"k": ["\\udc80"]}}',
    b'{"id": "f6", "updated": "2024-05-06T00:00:00Z", "title": "Last"}',
]
CSV_LINES = [
    b"id,updated,title\r\n",
    b"c1,2024-05-01,First\r\n",
    b"c2,2024-05-02,Bytes \xed\xa0\x80 not UTF-8\r\n",
    b'c3,2024-05-03,"Two\r\nlines \xe4\xb8\xad\xe6\x96\x87"\r\n',
    b"c4,2024-05-04,Last\r\n",
]


def _errors(hub, run_id: int) -> list:
    from hub.models import ItemError

    with hub.db.session() as session:
        rows = session.scalars(select(ItemError).where(ItemError.run_id == run_id).order_by(ItemError.id)).all()
        session.expunge_all()
        return list(rows)


def _harvest_feed(hub, served, body: bytes, fmt: str, caplog):
    served.site.mount("feed", lambda request, parts: Response(body, content_type="application/octet-stream"))
    options = {"format": fmt, "columns": {"identifier": "id", "datestamp": "updated", "titles": "title"}}
    repo_id = register(hub, "feed", f"{served.url}/feed/rows.{fmt}", options=options)
    with caplog.at_level(logging.INFO):
        summary = harvest(hub, repo_id)
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"
    return repo_id, summary


def test_jsonl_rows_with_a_lone_surrogate_or_invalid_utf8_fail_alone(hub, served, caplog):
    repo_id, summary = _harvest_feed(hub, served, b"\n".join(JSONL_ROWS) + b"\n", "jsonl", caplog)
    assert summary.state == RunState.PARTIAL, summary.message
    assert summary.counts["new"] == 3 and summary.counts["failed"] == 3
    stored = {r.source_identifier: r for r in records(hub, repo_id)}
    assert sorted(stored) == ["f1", "f4", "f6"]
    assert stored["f4"].meta["titles"][0]["value"] == "A whole pair 😀 中文", "a surrogate pair is one character"
    errors = _errors(hub, summary.run_id)
    assert [(e.source_identifier, e.stage, e.kind) for e in errors] == [
        (f"line:{n}", Stage.GATHER, "unreadable-record") for n in (2, 3, 5)]
    assert [e.raw for e in errors] == [JSONL_ROWS[1], JSONL_ROWS[2], JSONL_ROWS[4]], "bytes kept as sent"
    assert "lone surrogate (U+D800)" in errors[0].message and "'title'" in errors[0].message
    bad_at = JSONL_ROWS[2].index(b"\xff")
    assert errors[1].message == f"line 3 is not UTF-8: invalid bytes (FF) at byte {bad_at}"
    assert "'x.k[0]'" in errors[2].message


def test_csv_row_with_invalid_utf8_fails_alone(hub, served, caplog):
    repo_id, summary = _harvest_feed(hub, served, b"".join(CSV_LINES), "csv", caplog)
    assert summary.state == RunState.PARTIAL, summary.message
    assert summary.counts["new"] == 3 and summary.counts["failed"] == 1
    stored = {r.source_identifier: r for r in records(hub, repo_id)}
    assert sorted(stored) == ["c1", "c3", "c4"]
    assert stored["c3"].meta["titles"][0]["value"].endswith("中文")
    [error] = _errors(hub, summary.run_id)
    assert error.source_identifier == "line:3" and error.kind == "unreadable-record"
    assert error.raw == CSV_LINES[2]
    assert error.message == "line 3 is not UTF-8: invalid bytes (ED A0 80) in column 'title'"


def test_rows_keep_their_line_numbers_and_bytes():
    body = b"\xef\xbb\xbf" + b"\r\n".join([JSONL_ROWS[0], b"", b"[1, 2]", b"{broken", JSONL_ROWS[2]])
    rows = read_jsonl(body)
    assert [(r.line, r.row is None) for r in rows] == [(1, False), (3, True), (4, True), (5, True)]
    assert [r.raw for r in rows] == [JSONL_ROWS[0], b"[1, 2]", b"{broken", JSONL_ROWS[2]]
    assert read_jsonl(b"[" * 100_000)[0].error.startswith("line 1 is not JSON"), "deep nesting fails the row"
    csv_rows = read_csv(b"".join(CSV_LINES) + b"c5,2024-05-05,x,extra\n")
    assert [r.line for r in csv_rows] == [2, 3, 4, 6, 7], "a row spanning two lines starts on its first"
    assert csv_rows[2].raw == CSV_LINES[3] and csv_rows[2].row["title"] == "Two\r\nlines 中文"
    assert csv_rows[-1].row["(extra cells)"] == ["extra"]
