"""The oai_dc crosswalk on real-shaped records (tests/fixtures/normalise) and on tricky elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from hub.normalise.identifiers import file_mime_type, landing_page_rank
from hub.normalise.oai_dc import OAI_DC_TAG, crosswalk_oai_dc
from hub.normalise.record import FileLink, Identifier, LangString, NormalisedRecord, Person

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "normalise"
OAI_IDENTIFIER = "{http://www.openarchives.org/OAI/2.0/}identifier"
COAR = "http://purl.org/coar/resource_type/"
ACCESS = "http://purl.org/coar/access_right/"
DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
)


def records(name: str) -> dict[str, NormalisedRecord]:
    """OAI identifier -> crosswalked record, for every oai_dc record of a fixture file."""
    tree = etree.parse(str(FIXTURES / name))
    result = {}
    for record in tree.iter("{http://www.openarchives.org/OAI/2.0/}record"):
        identifier = record.find(f"{{http://www.openarchives.org/OAI/2.0/}}header/{OAI_IDENTIFIER}").text
        result[identifier] = crosswalk_oai_dc(next(record.iter(OAI_DC_TAG)))
    return result


def dc(body: str) -> NormalisedRecord:
    """Crosswalk an oai_dc element written inline."""
    return crosswalk_oai_dc(etree.fromstring(f"{DC_OPEN}{body}</oai_dc:dc>"))


# --- real records -------------------------------------------------------------------------


def test_mit_dspace_record() -> None:
    record = records("mit_ListRecords_oai_dc_3records.xml")["oai:dspace.mit.edu:1721.1/140717"]
    assert record.titles == [LangString("Doubles")]
    assert record.creators == [Person("Brody, Martin", family="Brody", given="Martin")]
    assert record.subjects == [LangString("Experimental Music Studio")]
    assert record.dates == ["2022-02-24T20:08:20Z", "1984-10"]  # the duplicate accession date kept once
    assert (record.issued, record.year) == ("1984-10", 1984)
    assert record.identifiers == [Identifier("handle", "1721.1/140717")]
    assert record.landing_page == "https://hdl.handle.net/1721.1/140717"
    assert record.formats == ["audio/x-wav"]
    assert record.relations == ["MIT Experimental Music Studio recordings"]
    assert record.rights[0].startswith("These materials are made available")
    assert (record.license_url, record.access_rights, record.doi, record.files) == ("", "", "", [])


def test_mit_dspace_record_with_only_accession_dates() -> None:
    record = records("mit_ListRecords_oai_dc_3records.xml")["oai:dspace.mit.edu:1721.1/140745"]
    assert (record.issued, record.year) == ("2022-02-24", 2022)


def test_erasmus_old_dspace_records() -> None:
    got = records("erasmus2003_ListRecords_oai_dc_3records.xml")
    inaugural = got["hdl:1765/308"]
    assert inaugural.identifiers == [Identifier("isbn", "9058920364"), Identifier("handle", "1765/308")]
    assert inaugural.landing_page == "http://hdl.handle.net/1765/308"
    assert inaugural.resource_type == COAR + "c_1843"
    assert inaugural.languages == []  # dc:language "other"
    assert [a.lang for a in inaugural.abstracts] == ["", "eng"]  # Dutch is not guessed; English is
    assert inaugural.contributors == [Person("Smidts, A.", family="Smidts", given="A.")]
    assert inaugural.issued == "2003-04-15"
    assert "neuromarketing" in [s.value for s in inaugural.subjects]
    assert got["hdl:1765/315"].resource_type_label == "technical report"
    assert Identifier("issn", "1566-5283") in got["hdl:1765/317"].identifiers
    assert got["hdl:1765/317"].resource_type_label == "working paper"


def test_sickle_utf8_record() -> None:
    record = records("sickle_GetRecord_utf8test.xml")["oai:test.example.com:1996652"]
    assert record.creators == [Person("某人", family="某", given="人")]
    assert record.languages == ["eng"]
    assert (record.issued, record.year) == ("2011", 2011)
    assert record.resource_type_label == "text"
    assert record.identifiers == [Identifier("url", "http://test.example.com/publication/1996652")]
    assert record.landing_page == "http://test.example.com/publication/1996652"
    assert (record.publisher, record.source) == (["Sample Publisher"], ["Sample Source"])


def test_bilingual_chinese_thesis() -> None:
    record = records("chair_bilingual_thesis_oai_dc.xml")["oai:ir.example.edu.cn:123456/789"]
    assert record.titles == [
        LangString("基于深度学习的古籍图像文字识别研究", "zho"),
        LangString("Research on text recognition in ancient book images based on deep learning", "eng"),
    ]
    assert [a.lang for a in record.abstracts] == ["zho", "eng"]
    assert record.creators == [
        Person("张伟", family="张", given="伟", orcid="0000-0002-1825-0097"),
        Person("Zhang, Wei", family="Zhang", given="Wei"),
    ]
    assert record.contributors == [
        Person("欧阳明华", family="欧阳", given="明华"),
        Person("Li, Na", family="Li", given="Na", orcid="0000-0001-5109-3700"),
    ]
    assert record.subjects == [
        LangString("深度学习", "zho"), LangString("古籍数字化", "zho"), LangString("文字识别", "zho"),
        LangString("deep learning", "eng"), LangString("digitisation of ancient books", "eng"),
        LangString("text recognition", "eng"), LangString("TP391", ""),
    ]
    assert (record.issued, record.year) == ("2016-05-03", 2016)
    assert (record.resource_type, record.resource_type_label) == (COAR + "c_db06", "doctoral thesis")
    assert record.identifiers == [
        Identifier("handle", "123456/789"),
        Identifier("doi", "10.12345/abc.2016.001"),
        Identifier("isbn", "9787111547426"),
    ]
    assert record.doi == "10.12345/abc.2016.001"
    assert record.languages == ["zho", "eng"]
    assert record.license_url == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert record.access_rights == ACCESS + "c_abf2"
    assert record.publisher == ["示例大学"]
    assert record.files == [
        FileLink("http://ir.example.edu.cn/bitstream/123456/789/1/thesis.pdf", mime_type="application/pdf")
    ]
    assert record.landing_page == "http://ir.example.edu.cn/handle/123456/789"


def test_eprints_article() -> None:
    record = records("chair_eprints_article_oai_dc.xml")["oai:eprints.example.ac.cn:1234"]
    assert record.files == [FileLink("http://eprints.example.ac.cn/1234/1/wang2018.pdf", mime_type="application/pdf")]
    assert record.landing_page == "http://eprints.example.ac.cn/1234/"
    assert record.doi == "10.1016/j.rse.2018.03.001"  # the only DOI of dc:relation
    assert record.resource_type_label == "journal article"
    assert record.license_url == "https://creativecommons.org/licenses/by/4.0/"
    assert record.extra["citations"][0].startswith("Wang, Fang and Smith, John (2018)")
    assert record.creators[1] == Person("Smith, John, 1950-", family="Smith", given="John")
    assert (record.issued, record.languages) == ("2018-03", ["eng"])


def test_quirks_record() -> None:
    record = records("chair_quirks_oai_dc.xml")["oai:repo.example.org:42"]
    assert record.titles == [LangString("The padded title", "eng")]  # whitespace collapsed, duplicates and empties gone
    assert record.abstracts == [
        LangString("Un résumé en français, qui ne doit pas être pris pour de l'anglais.", "fra")
    ]
    assert [p.name for p in record.creators] == ["Doe, Jane", "Roe, Richard"]
    assert [s.value for s in record.subjects] == ["climate", "ocean", "ice", "海洋", "气候变化", "冰川"]
    assert (record.issued, record.year) == ("2001", 2001)
    assert record.extra["embargo_end"] == "2030-01-01"
    assert record.access_rights == ACCESS + "c_f1cf"
    assert record.files == [
        FileLink(
            "http://repo.example.org/42/1/paper.docx",
            mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            access="embargoed",
            embargo_until="2030-01-01",
        )
    ]
    assert record.landing_page == "http://repo.example.org/id/eprint/42"
    assert record.doi == "10.5555/quirks.42"
    assert record.identifiers == [
        Identifier("doi", "10.5555/quirks.42"),
        Identifier("url", "http://repo.example.org/id/eprint/42"),
        Identifier("urn", "urn:nbn:de:0000-quirks42"),
        Identifier("issn", "0253-2832"),
        Identifier("other", "1234-5678"),
        Identifier("other", "pmid:12345678"),
    ]
    assert record.resource_type_label == "conference paper"
    assert record.languages == ["fra"]


def test_record_survives_a_json_round_trip() -> None:
    record = records("chair_bilingual_thesis_oai_dc.xml")["oai:ir.example.edu.cn:123456/789"]
    assert NormalisedRecord.from_dict(record.to_dict()) == record


# --- which URLs are files, which are landing pages ---------------------------------------


@pytest.mark.parametrize(
    ("url", "mime"),
    [
        ("http://ir.example.edu.cn/bitstream/123456/789/1/thesis.pdf", "application/pdf"),
        ("https://dspace.example.org/bitstream/handle/1721.1/5/file.PDF?sequence=1", "application/pdf"),
        ("https://dspace.example.org/bitstream/handle/1721.1/5/1?sequence=1", ""),
        ("https://repo.example.org/bitstreams/4b1d-uuid/download", ""),
        ("https://repo.example.org/download/123/", ""),
        ("http://eprints.example.ac.cn/1234/1/wang2018.pdf", "application/pdf"),
        ("http://eprints.example.ac.cn/1234/1/data.zip", ""),
        ("http://eprints.example.ac.cn/id/eprint/1234/1/paper.epub", "application/epub+zip"),
        ("http://example.org/paper.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("http://example.org/paper.doc", "application/msword"),
    ],
)
def test_file_mime_type(url: str, mime: str) -> None:
    assert file_mime_type(url) == mime


@pytest.mark.parametrize(
    "url",
    [
        "http://ir.example.edu.cn/handle/123456/789",
        "http://repo.example.org/id/eprint/42",
        "https://doi.org/10.1000/abc",
        "https://hdl.handle.net/1721.1/140717",
        "http://eprints.example.ac.cn/1234/",
        "not a url",
    ],
)
def test_landing_pages_are_not_files(url: str) -> None:
    assert file_mime_type(url) is None


@pytest.mark.parametrize(
    ("url", "rank"),
    [
        ("http://ir.example.edu.cn/handle/123456/789", 0),
        ("http://repo.example.org/id/eprint/42", 0),
        ("http://eprints.example.ac.cn/1234/", 0),
        ("https://hdl.handle.net/1721.1/140717", 1),
        ("http://test.example.com/publication/1996652", 2),
        ("https://doi.org/10.1000/abc", 3),
        ("http://dx.doi.org/10.1000/abc", 3),
        ("hdl:1765/308", None),
    ],
)
def test_landing_page_rank(url: str, rank: int | None) -> None:
    assert landing_page_rank(url) == rank


# --- single elements ----------------------------------------------------------------------


def test_none_and_empty_records() -> None:
    assert crosswalk_oai_dc(None) == NormalisedRecord()
    assert dc("") == NormalisedRecord()
    assert dc("<dc:title/><dc:creator>  </dc:creator>") == NormalisedRecord()


def test_metadata_wrapper_is_accepted() -> None:
    wrapper = etree.fromstring(
        f'<metadata xmlns="http://www.openarchives.org/OAI/2.0/">{DC_OPEN}<dc:title>T</dc:title></oai_dc:dc></metadata>'
    )
    assert crosswalk_oai_dc(wrapper).title == "T"


@pytest.mark.parametrize(
    ("element", "lang"),
    [
        ('<dc:title xml:lang="zh-CN">Any text</dc:title>', "zho"),
        ('<dc:title xml:lang="en_US">标题</dc:title>', "eng"),
        ('<dc:title xml:lang="chi">标题</dc:title>', "zho"),
        ('<dc:title xml:lang="x-unknown">中文标题</dc:title>', "zho"),  # unknown code: detected
        ("<dc:title>中文标题</dc:title>", "zho"),
        ("<dc:title>The history of the book in China</dc:title>", "eng"),
        ("<dc:title>Histoire du livre en Chine</dc:title>", ""),
    ],
)
def test_title_language(element: str, lang: str) -> None:
    assert dc(element).titles[0].lang == lang


@pytest.mark.parametrize(
    ("elements", "subjects"),
    [
        ("<dc:subject>a; b；c</dc:subject>", ["a", "b", "c"]),
        ("<dc:subject>Education, Higher</dc:subject>", ["Education, Higher"]),
        ("<dc:subject>人工智能，机器学习、深度学习</dc:subject>", ["人工智能", "机器学习", "深度学习"]),
        ("<dc:subject>a</dc:subject><dc:subject>a;b</dc:subject>", ["a", "b"]),
        ("<dc:subject>;;</dc:subject>", []),
    ],
)
def test_subjects_are_split(elements: str, subjects: list[str]) -> None:
    assert [s.value for s in dc(elements).subjects] == subjects


@pytest.mark.parametrize(
    ("elements", "issued"),
    [
        ("<dc:date>2016年5月</dc:date>", "2016-05"),
        ("<dc:date>2019-01-01T00:00:00Z</dc:date><dc:date>2016.05</dc:date>", "2016-05"),
        ("<dc:date>5/3/2016</dc:date>", "2016"),
        ("<dc:date>[2001]</dc:date>", "2001"),
        ("<dcterms:issued xmlns:dcterms='http://purl.org/dc/terms/'>2012-03-04</dcterms:issued>", "2012-03-04"),
    ],
)
def test_issued(elements: str, issued: str) -> None:
    assert dc(elements).issued == issued


@pytest.mark.parametrize(
    ("elements", "files", "landing"),
    [
        (
            "<dc:identifier>http://host/handle/1/2</dc:identifier>"
            "<dc:identifier>http://host/bitstream/handle/1/2/a.pdf?sequence=1</dc:identifier>",
            ["http://host/bitstream/handle/1/2/a.pdf?sequence=1"],
            "http://host/handle/1/2",
        ),
        (
            "<dc:identifier>https://doi.org/10.1000/x</dc:identifier>"
            "<dc:identifier>https://hdl.handle.net/1/2</dc:identifier>",
            [],
            "https://hdl.handle.net/1/2",
        ),
        ("<dc:identifier>10.1000/x</dc:identifier>", [], "https://doi.org/10.1000/x"),
        (
            "<dc:relation>http://host/download/7/</dc:relation><dc:relation>http://other.org/page</dc:relation>",
            ["http://host/download/7/"],
            "",
        ),
    ],
)
def test_files_and_landing_page(elements: str, files: list[str], landing: str) -> None:
    record = dc(elements)
    assert [f.url for f in record.files] == files
    assert record.landing_page == landing


def test_file_mime_from_the_only_format() -> None:
    record = dc(
        "<dc:identifier>https://host/bitstreams/abc/download</dc:identifier><dc:format>application/pdf</dc:format>"
    )
    assert record.files == [FileLink("https://host/bitstreams/abc/download", mime_type="application/pdf")]


def test_restricted_record_has_restricted_files() -> None:
    record = dc(
        "<dc:identifier>http://host/a.pdf</dc:identifier><dc:rights>info:eu-repo/semantics/closedAccess</dc:rights>"
    )
    assert record.files[0].access == "restricted"
    assert record.access_rights == ACCESS + "c_14cb"


def test_doi_from_a_citation_when_no_identifier_is_one() -> None:
    record = dc("<dc:identifier>Journal of Things 3 (2016) 1-10. doi:10.1000/ABC</dc:identifier>")
    assert record.doi == "10.1000/abc"
    assert record.identifiers == [Identifier("doi", "10.1000/abc")]


def test_identifier_doi_beats_relation_dois() -> None:
    record = dc(
        "<dc:identifier>doi:10.1000/own</dc:identifier>"
        "<dc:relation>https://doi.org/10.1000/related</dc:relation>"
    )
    assert record.doi == "10.1000/own"


def test_several_relation_dois_are_not_guessed() -> None:
    record = dc("<dc:relation>doi:10.1000/a</dc:relation><dc:relation>doi:10.1000/b</dc:relation>")
    assert record.doi == ""


def test_alt_identifier_doi() -> None:
    record = dc("<dc:relation>info:eu-repo/semantics/altIdentifier/doi/10.1000/ALT</dc:relation>")
    assert record.doi == "10.1000/alt"


def test_licence_in_relation() -> None:
    record = dc("<dc:relation>https://creativecommons.org/licenses/by-sa/4.0/</dc:relation>")
    assert record.license_url == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_persons_packed_in_one_element_and_duplicates() -> None:
    record = dc(
        "<dc:contributor>王芳；李娜</dc:contributor><dc:contributor>王芳</dc:contributor>"
        "<dc:creator>Doe, J. (https://orcid.org/0000-0002-1825-0097)</dc:creator>"
    )
    assert [p.name for p in record.contributors] == ["王芳", "李娜"]
    assert record.creators == [Person("Doe, J.", family="Doe", given="J.", orcid="0000-0002-1825-0097")]


@pytest.mark.parametrize(
    ("languages", "codes"),
    [
        (["zh", "chi", "中文"], ["zho"]),
        (["en; zh"], ["eng", "zho"]),
        (["汉语", "英语"], ["zho", "eng"]),
        (["other"], []),
    ],
)
def test_languages(languages: list[str], codes: list[str]) -> None:
    body = "".join(f"<dc:language>{value}</dc:language>" for value in languages)
    assert dc(body).languages == codes


def test_nested_markup_text_is_kept() -> None:
    assert dc("<dc:description>E = mc<sup xmlns=''>2</sup> holds</dc:description>").abstracts[0].value == (
        "E = mc2 holds"
    )
