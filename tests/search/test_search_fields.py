"""The search contract of the advanced search, on every backend: field prefixes (abstract, identifier,
creator), year ranges as filters, and subjects that mean the same in Chinese and English merged."""

from __future__ import annotations

import pytest

from hub.search import FilterError, SearchRequest, search_backend
from tests.search.conftest import add_member, add_record

try:
    from hub.pipeline.index import index_records
except ImportError:  # before the index stage moved into the pipeline
    from hub.pipeline.index import index_records


@pytest.fixture
def collection(search_hub):
    """Records with subjects in both languages and identifiers; returns (backend, ids by name)."""
    hub = search_hub
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = {
        "zh_cs": add_record(hub, pku, 1, title="图神经网络研究", title_lang="zho", abstract="本文研究传感器。",
                            year=2015, subjects=("计算机科学",), languages=("zho",)),
        "en_cs": add_record(hub, fdu, 2, title="Graph networks", abstract="Sensor fusion on graphs.", year=2018,
                            subjects=("Computer science",), creators=("Smith, Jane",)),
        "both": add_record(hub, fdu, 3, title="Bilingual record", year=2020,
                           subjects=("Computer Science", "计算机科学", "Ecology")),
        "other": add_record(hub, pku, 4, title="Sensor arrays", year=2009, subjects=("生态学",),
                            identifiers=[{"scheme": "isbn", "value": "9787040000001"}]),
    }
    index_records(hub, ids.values())
    return search_backend(hub), ids


def found(backend, q: str = "", **kwargs) -> set[int]:
    return {h.id for h in backend.search(SearchRequest(q=q, **kwargs)).hits}


def test_abstract_identifier_and_creator_fields(collection):
    backend, ids = collection
    assert found(backend, "abstract:sensor") == {ids["en_cs"]}  # not the title "Sensor arrays"
    hit = backend.search(SearchRequest(q="abstract:sensor")).hits[0]
    assert [str(m) for m in hit.highlights["abstract"]] == ["<mark>Sensor</mark> fusion on graphs."]
    assert "title" not in hit.highlights
    assert found(backend, "abstract:传感器") == {ids["zh_cs"]}
    assert found(backend, "sensor") == {ids["en_cs"], ids["other"]}
    assert found(backend, "identifier:9787040000001") == {ids["other"]}
    assert found(backend, 'identifier:"123456789/2"') == {ids["en_cs"]}  # a handle
    assert found(backend, "creator:smith") == found(backend, "author:smith") == {ids["en_cs"]}


def test_year_range_filter_open_ends_and_bad_values(collection):
    backend, ids = collection
    assert found(backend, filters={"year": ["2015-2018"]}) == {ids["zh_cs"], ids["en_cs"]}
    assert found(backend, filters={"year": ["2016-2999"]}) == {ids["en_cs"], ids["both"]}
    with pytest.raises(FilterError, match="not a year"):
        backend.search(SearchRequest(filters={"year": ["abc"]}))


def test_subjects_in_both_languages_are_one_facet_value_and_one_filter(collection):
    backend, ids = collection
    result = backend.search(SearchRequest())
    subjects = {v.value: v.count for v in result.facets["subject"]}
    # one concept, counted once per record (the bilingual record holds both spellings)
    assert subjects == {"计算机科学": 3, "生态学": 2}
    for spelling in ("计算机科学", "Computer science", "computer  SCIENCE"):
        assert found(backend, filters={"subject": [spelling]}) == {ids["zh_cs"], ids["en_cs"], ids["both"]}
    assert found(backend, filters={"subject": ["Ecology"]}) == {ids["both"], ids["other"]}


def test_a_subject_query_finds_the_concept_in_both_languages(collection):
    backend, ids = collection
    expected = {ids["zh_cs"], ids["en_cs"], ids["both"]}
    assert found(backend, 'subject:"computer science"') == found(backend, "subject:计算机科学") == expected
    assert found(backend, "subject:ecology") == {ids["both"], ids["other"]}
