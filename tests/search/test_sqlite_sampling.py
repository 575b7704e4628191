"""The embedded backend counts a huge hit set from a sample: estimated totals and facets, flagged approximate."""

from __future__ import annotations

import pytest

import hub.search.sqlite_query as sqlite_query
from hub.search import SearchRequest
from hub.search.sqlite import SQLiteSearch


def _docs(n: int) -> list[dict]:
    return [{"id": i, "version": "v", "title": "soil survey" if i % 4 else "soil moisture", "abstract": "",
             "institution": "pku" if i % 2 else "fdu", "type": "report", "year": 2000 + i % 5,
             "date_sort": f"{2000 + i % 5}-01-01", "has_fulltext": i % 3 == 0, "work_id": f"r{i}"}
            for i in range(1, n + 1)]


@pytest.fixture
def backend(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_query, "EXACT_LIMIT", 100)
    monkeypatch.setattr(sqlite_query, "SAMPLE_SIZE", 200)
    sqlite_query._COUNTS.clear()
    b = SQLiteSearch(f"sqlite:///{tmp_path / 'search.db'}", {})
    b.index_documents(_docs(2000))
    yield b
    b.close()
    sqlite_query._COUNTS.clear()


@pytest.mark.parametrize("q, filters, expected", [("soil", {}, 2000), ("soil", {"type": ["report"]}, 2000),
                                                  ("", {"institution": ["pku"]}, 1000)])
def test_huge_hit_sets_are_counted_from_a_sample_and_flagged(backend, q, filters, expected):
    result = backend.search(SearchRequest(q=q, filters=filters))
    assert result.approximate
    assert abs(result.records - expected) <= expected * 0.25
    assert abs(result.total - expected) <= expected * 0.25
    years = {f.value: f.count for f in result.facets["year"]}
    assert set(years) == {"2000", "2001", "2002", "2003", "2004"}
    assert all(abs(c - expected / 5) <= expected / 5 * 0.5 for c in years.values())
    assert len(result.hits) == 20  # the page itself is exact


def test_small_hit_sets_stay_exact(backend):
    result = backend.search(SearchRequest(q="moisture", filters={"year": ["2000"], "fulltext": ["true"]}))
    assert not result.approximate
    assert result.records == result.total == 33  # ids divisible by 60
    assert {f.value: f.count for f in result.facets["institution"]} == {"fdu": 33}


def test_ranked_pages_are_the_same_as_one_sorted_read(backend):
    seen = []
    for page in range(1, 6):
        seen += [h.id for h in backend.search(SearchRequest(q="soil", page=page, size=10, facets=False)).hits]
    assert len(seen) == len(set(seen)) == 50
    assert seen == list(range(1, 51))  # equal scores: by id, as one ORDER BY score, id would give
