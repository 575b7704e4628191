"""The search contract, run on every backend (SQLite always; Elasticsearch and OpenSearch when running).

Records are created in the database and indexed through ``index_records`` (so the document
builder and the full-text reader are part of what is tested).
"""

from __future__ import annotations

import pytest

from hub.pipeline.index import index_records
from hub.search import (
    FilterError,
    QuerySyntaxError,
    ResultWindowError,
    SearchRequest,
    search_backend,
)
from tests.search.conftest import add_member, add_record, attach_text


@pytest.fixture
def corpus(search_hub):
    """A small bilingual corpus in two institutions; returns (hub, backend, ids by name)."""
    hub = search_hub
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = {
        "zh_title": add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho",
                               abstract="本文讨论卷积网络。", year=2016, subjects=("人工智能",), languages=("zho",)),
        "zh_abstract": add_record(hub, pku, 2, title="医学影像分析综述", title_lang="zho",
                                  abstract="综述了机器学习方法在影像分析中的进展。", year=2014,
                                  subjects=("人工智能",), languages=("zho",)),
        "zh_fulltext": add_record(hub, fdu, 3, title="城市交通流预测", title_lang="zho", abstract="交通数据研究。",
                                  year=2012, languages=("zho",), rtype="doctoral thesis"),
        "en_networks": add_record(hub, fdu, 4, title="Deep learning for sensor networks",
                                  abstract="We train networks on sensor data.", year=2010,
                                  creators=("Smith, Jane", "Li, Wei"), subjects=("Computer science",)),
        "en_other": add_record(hub, pku, 5, title="Learning deep structures in graphs",
                               abstract="A study of graph structure.", year=2020, creators=("Zhao, Min",)),
        "xss": add_record(hub, fdu, 6, title="<script>alert(1)</script> graphene oxide",
                          abstract="Graphene <b>bold</b> claims & more.", year=2018),
        "gone": add_record(hub, pku, 7, title="Withdrawn graphene paper", year=2019, deleted=True),
    }
    attach_text(hub, ids["zh_fulltext"], "第一章 引言。本文使用机器学习预测交通流量。第二章 数据。")
    attach_text(hub, ids["en_networks"], "Chapter one. The sensor network collects graphene measurements.")
    report = index_records(hub, ids.values())
    assert (report.indexed, report.deleted) == (6, 1)
    return hub, search_backend(hub), ids


def found(backend, q: str = "", **kwargs) -> list[int]:
    return [h.id for h in backend.search(SearchRequest(q=q, **kwargs)).hits]


def test_chinese_query_finds_title_abstract_and_fulltext_ranked_by_field(corpus):
    _hub, backend, ids = corpus
    assert found(backend, "机器学习") == [ids["zh_title"], ids["zh_abstract"], ids["zh_fulltext"]]


def test_chinese_word_is_a_phrase_of_bigrams_not_any_characters(corpus):
    _hub, backend, ids = corpus
    # 学机 never occurs: its characters do, but not adjacent
    assert found(backend, "学机") == []
    assert set(found(backend, "影像")) == {ids["zh_title"], ids["zh_abstract"]}


def test_single_cjk_character_query(corpus):
    _hub, backend, ids = corpus
    assert set(found(backend, "综")) == {ids["zh_abstract"]}


def test_english_stemming_and_phrases(corpus):
    _hub, backend, ids = corpus
    assert set(found(backend, "network")) == {ids["en_networks"]}
    assert set(found(backend, "learned")) == {ids["en_networks"], ids["en_other"]}
    assert found(backend, '"deep learning"') == [ids["en_networks"]]
    assert set(found(backend, "deep learning")) == {ids["en_networks"], ids["en_other"]}


def test_field_prefixes_and_years(corpus):
    _hub, backend, ids = corpus
    assert found(backend, "title:graphene") == [ids["xss"]]  # the full-text mention is not in a title
    assert set(found(backend, "graphene")) == {ids["xss"], ids["en_networks"]}
    assert found(backend, 'author:"Li, Wei"') == [ids["en_networks"]]
    assert found(backend, "author:zhao") == [ids["en_other"]]
    assert found(backend, "year:2016") == [ids["zh_title"]]
    assert set(found(backend, "year:2010-2014")) == {ids["zh_abstract"], ids["zh_fulltext"], ids["en_networks"]}
    assert found(backend, "learning year:2015-2025") == [ids["en_other"]]


def test_boolean_operators(corpus):
    _hub, backend, ids = corpus
    assert found(backend, "learning -sensor") == [ids["en_other"]]
    assert set(found(backend, "交通 OR graph")) == {ids["zh_fulltext"], ids["en_other"]}
    assert set(found(backend, "year:2012 OR year:2020")) == {ids["zh_fulltext"], ids["en_other"]}


def test_deleted_records_are_not_indexed(corpus):
    _hub, backend, ids = corpus
    assert ids["gone"] not in found(backend, "graphene")
    assert backend.get(ids["gone"]) is None


def test_facets_count_the_whole_result_and_filters_narrow_it(corpus):
    _hub, backend, ids = corpus
    result = backend.search(SearchRequest())
    assert result.total == 6
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert facets["institution"] == {"pku": 3, "fdu": 3}
    assert facets["year"]["2016"] == 1 and len(facets["year"]) == 6
    assert facets["type"] == {"journal article": 5, "doctoral thesis": 1}
    assert facets["language"] == {"zho": 3, "eng": 3}
    assert facets["subject"] == {"人工智能": 2, "计算机科学": 1}  # "Computer science": one concept (hub.normalise.subjects)
    assert facets["fulltext"] == {"true": 2, "false": 4}
    assert list(facets["year"]) == sorted(facets["year"], reverse=True)

    narrowed = backend.search(SearchRequest(filters={"institution": ["pku"], "language": ["zho"]}))
    assert {h.id for h in narrowed.hits} == {ids["zh_title"], ids["zh_abstract"]}
    assert {v.value: v.count for v in narrowed.facets["institution"]} == {"pku": 2}
    ranged = found(backend, filters={"year": ["2010-2013", "2020"]})
    assert set(ranged) == {ids["zh_fulltext"], ids["en_networks"], ids["en_other"]}
    assert set(found(backend, filters={"fulltext": ["true"]})) == {ids["zh_fulltext"], ids["en_networks"]}
    assert found(backend, "机器学习", filters={"type": ["doctoral thesis"]}) == [ids["zh_fulltext"]]


def test_highlights_are_escaped_then_marked_and_include_full_text(corpus):
    _hub, backend, ids = corpus
    hit = backend.search(SearchRequest(q="graphene")).hits
    by_id = {h.id: h for h in hit}
    title = str(by_id[ids["xss"]].highlights["title"][0])
    assert "<script>" not in title and "&lt;script&gt;" in title and "<mark>graphene</mark>" in title
    abstract = str(by_id[ids["xss"]].highlights["abstract"][0])
    assert "<b>" not in abstract and "<mark>Graphene</mark>" in abstract and "&amp;" in abstract
    assert "<mark>graphene</mark> measurements" in str(by_id[ids["en_networks"]].highlights["fulltext"][0])
    zh = {h.id: h for h in backend.search(SearchRequest(q="机器学习")).hits}
    assert "<mark>机器学习</mark>预测" in str(zh[ids["zh_fulltext"]].highlights["fulltext"][0])
    assert "fulltext" not in zh[ids["zh_fulltext"]].doc  # the full text is never returned whole


def test_sort_by_date(corpus):
    _hub, backend, ids = corpus
    newest = found(backend, sort="newest")
    assert newest[0] == ids["en_other"] and newest[-1] == ids["en_networks"]
    assert found(backend, sort="oldest") == list(reversed(newest))
    assert found(backend, "learning", sort="oldest") == [ids["en_networks"], ids["en_other"]]


def test_paging_is_bounded_by_max_results(corpus):
    _hub, backend, _ids = corpus
    first = backend.search(SearchRequest(size=4, sort="oldest"))
    second = backend.search(SearchRequest(size=4, page=2, sort="oldest"))
    assert len(first.hits) == 4 and len(second.hits) == 2 and first.pages == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    with pytest.raises(ResultWindowError, match="only the first 50 results"):
        backend.search(SearchRequest(size=10, page=6))


@pytest.mark.parametrize("q", ['"unclosed', "title:", "year:20x", "a OR", "(a b", "-only"])
def test_malformed_queries_raise_a_clear_error(corpus, q):
    _hub, backend, _ids = corpus
    with pytest.raises(QuerySyntaxError):
        backend.search(SearchRequest(q=q))


def test_bad_filters_raise_a_clear_error(corpus):
    _hub, backend, _ids = corpus
    with pytest.raises(FilterError, match="unknown filter"):
        backend.search(SearchRequest(filters={"colour": ["red"]}))
    with pytest.raises(FilterError, match="year"):
        backend.search(SearchRequest(filters={"year": ["last year"]}))
