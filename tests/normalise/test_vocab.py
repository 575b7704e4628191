"""Table-driven tests of the normalisation vocabularies (languages, dates, names, ids, types, rights)."""

from __future__ import annotations

import pytest

from hub.normalise.record import Identifier
from hub.normalise.vocab import (
    access_right,
    canonical_doi,
    canonical_handle,
    classify_identifier,
    coar_type,
    detect_language,
    embargo_end,
    extract_orcid,
    is_cjk,
    language_code,
    license_url,
    parse_date,
    parse_issued,
    split_name,
)

COAR = "http://purl.org/coar/resource_type/"
ACCESS = "http://purl.org/coar/access_right/"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("zh", "zho"), ("chi", "zho"), ("zho", "zho"), ("Chinese", "zho"), ("中文", "zho"), ("汉语", "zho"),
        ("zh-CN", "zho"), ("zh_TW", "zho"), ("zh-Hans", "zho"), ("ZH_cn", "zho"), ("cmn", "zho"),
        ("中文（简体）", "zho"), ("简体中文", "zho"),
        ("en", "eng"), ("eng", "eng"), ("English", "eng"), ("英文", "eng"), ("英语", "eng"),
        ("en_US", "eng"), ("en-GB", "eng"), (" English ", "eng"), ("English (US)", "eng"),
        ("fr", "fra"), ("fre", "fra"), ("fra", "fra"), ("French", "fra"), ("法语", "fra"),
        ("de", "deu"), ("ger", "deu"), ("nl", "nld"), ("dut", "nld"), ("Dutch", "nld"),
        ("ja", "jpn"), ("日语", "jpn"), ("ko", "kor"), ("ru", "rus"), ("es", "spa"), ("pt-BR", "por"),
        ("cze", "ces"), ("gre", "ell"), ("per", "fas"), ("tib", "bod"), ("bo", "bod"), ("藏文", "bod"),
        ("ug", "uig"), ("维吾尔语", "uig"), ("mn", "mon"), ("vi", "vie"), ("iw", "heb"),
        ("yue", "yue"), ("haw", "haw"),  # unknown 3-letter codes are taken as ISO 639-3
        ("other", ""), ("und", ""), ("", ""), ("xx", ""), ("Klingonese", ""), ("12", ""),
    ],
)
def test_language_code(text: str, code: str) -> None:
    assert language_code(text) == code


def test_language_tables_cover_the_common_languages() -> None:
    from hub.normalise.languages import ISO639_1_TO_3, ISO639_2B_TO_3

    assert len(ISO639_1_TO_3) >= 60
    assert len(ISO639_2B_TO_3) == 20
    assert all(len(code) == 3 for code in ISO639_1_TO_3.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("基于深度学习的古籍图像文字识别研究", True),
        ("基于BERT的中文文本分类研究", True),
        ("基于Transformer的图像识别", True),
        ("日本語の文章です", True),
        ("The concept of 道 in Laozi", False),
        ("Deep learning", False),
        ("", False),
        ("Ελληνικά", False),
    ],
)
def test_is_cjk(text: str, expected: bool) -> None:
    assert is_cjk(text) is expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("基于深度学习的古籍图像文字识别研究", "zho"),
        ("古籍是中华文明的重要载体。", "zho"),
        ("ひらがなとカタカナの研究", "jpn"),
        ("한국어 연구", "kor"),
        ("Η ελληνική γλώσσα", "ell"),
        ("Research on text recognition in ancient book images based on deep learning", "eng"),
        ("We present a retrieval of soil moisture over the plateau.", "eng"),
        ("Kijken in het brein: Over de mogelijkheden van neuromarketing", ""),
        ("Un résumé en français, qui ne doit pas être pris pour de l'anglais.", ""),
        ("Doubles", ""),  # too short to tell
        ("Deep learning", ""),
        ("", ""),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2016", "2016"), ("2016-05", "2016-05"), ("2016-05-03", "2016-05-03"), ("2016-5-3", "2016-05-03"),
        ("2016-05-03T10:00:00Z", "2016-05-03"), ("2016-05-03T23:30:00+08:00", "2016-05-03"),
        ("2016-05-03 10:00", "2016-05-03"), ("2016-05-03T10:00:00.123Z", "2016-05-03"),
        ("2016年", "2016"), ("2016年5月", "2016-05"), ("2016年5月3日", "2016-05-03"), ("2016 年 05 月", "2016-05"),
        ("2016年5月3号", "2016-05-03"), ("二〇一六年十二月二十三日", "2016-12-23"), ("２０１６年５月", "2016-05"),
        ("2016年第5期", "2016"),
        ("2016.05", "2016-05"), ("2016.5.3", "2016-05-03"), ("2016/5/3", "2016-05-03"), ("2016/05", "2016-05"),
        ("20160503", "2016-05-03"),
        ("5/3/2016", "2016"), ("03/05/2016", "2016"),  # ambiguous day/month: year only
        ("25/12/2016", "2016-12-25"), ("12/25/2016", "2016-12-25"), ("3/3/2016", "2016-03-03"),
        ("May 2016", "2016-05"), ("3 May 2016", "2016-05-03"), ("May 3, 2016", "2016-05-03"),
        ("Sept. 2001", "2001-09"),
        ("c2001", "2001"), ("c.2001", "2001"), ("c. 2001.", "2001"), ("©2001", "2001"), ("[2001]", "2001"),
        ("[c2001]", "2001"), ("2001?", "2001"), ("ca. 1900", "1900"),
        ("2015-2016", "2015"), ("Spring 2001", "2001"),
        ("2016-13", "2016"), ("2016-02-30", "2016-02"), ("2015-02-29", "2015-02"), ("2016-02-29", "2016-02-29"),
    ],
)
def test_parse_date(value: str, iso: str) -> None:
    parsed = parse_date(value)
    assert parsed is not None
    assert parsed.iso == iso


@pytest.mark.parametrize("value", ["", "   ", "n.d.", "unknown", "s.d."])
def test_parse_date_rejects_non_dates(value: str) -> None:
    assert parse_date(value) is None


def test_parse_date_marks_timestamps() -> None:
    assert parse_date("2022-02-24T20:08:20Z").timestamp is True
    assert parse_date("2022-02-24").timestamp is False


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # DSpace: accessioned and available are timestamps; the issued date wins even if later-looking
        (["2022-02-24T20:08:20Z", "2022-02-24T20:08:20Z", "1984-10"], ("1984-10", 1984)),
        (["2019-06-20T08:00:00Z", "2016年5月3日"], ("2016-05-03", 2016)),
        (["2010-01-01T00:00:00Z", "2016"], ("2016", 2016)),  # plain dates beat timestamps
        # only timestamps: the earliest of them
        (["2003-04-15T10:18:51Z", "2003-04-15T10:18:51Z", "2003-04-16T10:18:51Z"], ("2003-04-15", 2003)),
        (["2018", "2016-05"], ("2016-05", 2016)),  # the earliest
        (["2016", "2016-05-03"], ("2016-05-03", 2016)),  # a more precise date of the same period
        (["2016-05", "2016-03-01"], ("2016-03-01", 2016)),
        (["0001-01-01", "2016"], ("2016", 2016)),  # implausible years ignored
        (["9999", "2016"], ("2016", 2016)),
        (["info:eu-repo/date/embargoEnd/2015-01-01", "2016"], ("2016", 2016)),
        (["5/3/2016"], ("2016", 2016)),
        (["not a date"], ("", None)),
        ([], ("", None)),
    ],
)
def test_parse_issued(dates: list[str], expected: tuple[str, int | None]) -> None:
    assert parse_issued(dates) == expected


def test_embargo_end() -> None:
    assert embargo_end(["2016", "info:eu-repo/date/embargoEnd/2030-01-01"]) == "2030-01-01"
    assert embargo_end(["2016"]) == ""


@pytest.mark.parametrize(
    ("words", "uri", "label"),
    [
        (["article"], "c_6501", "journal article"), (["Journal Article"], "c_6501", "journal article"),
        (["info:eu-repo/semantics/article"], "c_6501", "journal article"),
        (["期刊论文"], "c_6501", "journal article"), (["期刊文章"], "c_6501", "journal article"),
        (["Thesis"], "c_46ec", "thesis"), (["学位论文"], "c_46ec", "thesis"),
        (["Doctoral thesis"], "c_db06", "doctoral thesis"), (["博士论文"], "c_db06", "doctoral thesis"),
        (["博士学位论文"], "c_db06", "doctoral thesis"), (["Thesis (Ph.D.)"], "c_db06", "doctoral thesis"),
        (["info:eu-repo/semantics/doctoralThesis"], "c_db06", "doctoral thesis"),
        (["Master thesis"], "c_bdcc", "master thesis"), (["Master's thesis"], "c_bdcc", "master thesis"),
        (["硕士论文"], "c_bdcc", "master thesis"), (["硕士学位论文"], "c_bdcc", "master thesis"),
        (["info:eu-repo/semantics/masterThesis"], "c_bdcc", "master thesis"),
        (["info:eu-repo/semantics/bachelorThesis"], "c_7a1f", "bachelor thesis"),
        (["本科毕业论文"], "c_7a1f", "bachelor thesis"),
        (["会议论文"], "c_5794", "conference paper"), (["Conference Paper"], "c_5794", "conference paper"),
        (["Conference proceedings"], "c_f744", "conference proceedings"), (["会议论文集"], "c_f744", "conference proceedings"),
        (["info:eu-repo/semantics/conferenceObject"], "c_c94f", "conference object"),
        (["Conference Item"], "c_c94f", "conference object"),
        (["Book"], "c_2f33", "book"), (["专著"], "c_2f33", "book"), (["图书"], "c_2f33", "book"),
        (["Book chapter"], "c_3248", "book part"), (["Book Section"], "c_3248", "book part"),
        (["info:eu-repo/semantics/bookPart"], "c_3248", "book part"),
        (["报告"], "c_93fc", "report"), (["Report"], "c_93fc", "report"),
        (["Technical Report"], "c_18gh", "technical report"), (["研究报告"], "c_18ws", "research report"),
        (["Preprint"], "c_816b", "preprint"), (["预印本"], "c_816b", "preprint"),
        (["Working Paper"], "c_8042", "working paper"), (["info:eu-repo/semantics/workingPaper"], "c_8042", "working paper"),
        (["Dataset"], "c_ddb1", "dataset"), (["数据集"], "c_ddb1", "dataset"),
        (["http://purl.org/dc/dcmitype/Dataset"], "c_ddb1", "dataset"),
        (["Patent"], "c_15cd", "patent"), (["专利"], "c_15cd", "patent"), (["发明专利"], "c_15cd", "patent"),
        (["Image"], "c_c513", "image"), (["Video"], "c_12ce", "video"), (["Software"], "c_5ce6", "software"),
        (["Other"], "c_1843", "other"), (["其他"], "c_1843", "other"), (["Text"], "c_18cf", "text"),
        (["http://purl.org/coar/resource_type/c_6501"], "c_6501", "journal article"),
        # the most specific wins; ties go to the first
        (["Text", "Article"], "c_6501", "journal article"),
        (["Thesis", "Doctoral thesis"], "c_db06", "doctoral thesis"),
        (["Other", "Working Paper"], "c_8042", "working paper"),
        (["Article", "PeerReviewed"], "c_6501", "journal article"),
        (["博士论文", "info:eu-repo/semantics/doctoralThesis"], "c_db06", "doctoral thesis"),
        (["Article", "Book"], "c_6501", "journal article"),
    ],
)
def test_coar_type(words: list[str], uri: str, label: str) -> None:
    assert coar_type(words) == (COAR + uri, label)


@pytest.mark.parametrize(
    "words",
    [[], ["PeerReviewed"], ["NonPeerReviewed"], ["info:eu-repo/semantics/publishedVersion"], [""], ["xyzzy"]],
)
def test_coar_type_none(words: list[str]) -> None:
    assert coar_type(words) is None


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("doi:10.1000/XYZ123", "10.1000/xyz123"), ("DOI: 10.1000/xyz123", "10.1000/xyz123"),
        ("https://doi.org/10.1000/ABC.2016.001", "10.1000/abc.2016.001"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"), ("https://www.doi.org/10.1000/abc", "10.1000/abc"),
        ("10.1016/j.rse.2018.03.001", "10.1016/j.rse.2018.03.001"), ("info:doi/10.1000/abc", "10.1000/abc"),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"), ("10.1000/abc.", "10.1000/abc"),
        ("  10.1000/abc  ", "10.1000/abc"),
        ("10.1/abc", ""), ("11.1000/abc", ""), ("http://example.org/10.1000/abc", ""), ("", ""),
    ],
)
def test_canonical_doi(value: str, doi: str) -> None:
    assert canonical_doi(value) == doi


@pytest.mark.parametrize(
    ("value", "scheme", "canonical"),
    [
        ("doi:10.1000/XYZ", "doi", "10.1000/xyz"),
        ("https://doi.org/10.1000/XYZ", "doi", "10.1000/xyz"),
        ("10.1000/xyz", "doi", "10.1000/xyz"),
        ("hdl:1765/308", "handle", "1765/308"),
        ("https://hdl.handle.net/1721.1/140717", "handle", "1721.1/140717"),
        ("http://hdl.handle.net/20.500.12345/678/", "handle", "20.500.12345/678"),
        ("http://ir.example.edu.cn/handle/123456/789", "handle", "123456/789"),
        ("https://dspace.example.org/xmlui/handle/1721.1/55", "handle", "1721.1/55"),
        ("http://repo.example.org/id/eprint/42", "url", "http://repo.example.org/id/eprint/42"),
        ("urn:nbn:de:0000-quirks42", "urn", "urn:nbn:de:0000-quirks42"),
        ("URN:NBN:nl:ui:15-1765/308", "urn", "URN:NBN:nl:ui:15-1765/308"),
        ("90-5892-036-4", "isbn", "9058920364"), ("90 - 5892 - 032 - 1", "isbn", "9058920321"),
        ("ISBN 978-7-111-54742-6", "isbn", "9787111547426"), ("ISBN: 9787300123455", "isbn", "9787300123455"),
        ("ISBN-10: 0-8044-2957-x", "isbn", "080442957X"),
        ("1566-5283", "issn", "1566-5283"), ("ISSN 1001-960x", "issn", "1001-960X"),
        ("eISSN: 0253-2832", "issn", "0253-2832"), ("ISSN 02532832", "issn", "0253-2832"),
        ("1234-5678", "other", "1234-5678"),  # bad ISSN check digit
        ("978-7-111-54742-7", "other", "978-7-111-54742-7"),  # bad ISBN check digit
        ("oai:dspace.mit.edu:1721.1/140717", "other", "oai:dspace.mit.edu:1721.1/140717"),
        ("arXiv:1706.03762", "other", "arXiv:1706.03762"),
    ],
)
def test_classify_identifier(value: str, scheme: str, canonical: str) -> None:
    assert classify_identifier(value) == Identifier(scheme, canonical)


@pytest.mark.parametrize("value", ["", "  ", "Journal of Remote Sensing, 22 (3). pp. 101-115", "20160503 x"])
def test_classify_identifier_none(value: str) -> None:
    assert classify_identifier(value) is None


@pytest.mark.parametrize(
    ("value", "handle"),
    [
        ("http://host/bitstream/handle/123/456/file.pdf", ""),
        ("hdl:10.1000/abc", ""),  # a DOI, not a Handle
        ("info:hdl/2027/spo.123", "2027/spo.123"),
    ],
)
def test_canonical_handle(value: str, handle: str) -> None:
    assert canonical_handle(value) == handle


@pytest.mark.parametrize(
    ("name", "person_name", "family", "given", "orcid"),
    [
        ("Brody, Martin", "Brody, Martin", "Brody", "Martin", ""),
        ("Smidts, A.", "Smidts, A.", "Smidts", "A.", ""),
        ("  Kenney,   Diana ", "Kenney, Diana", "Kenney", "Diana", ""),
        ("Berg, J. van den", "Berg, J. van den", "van den Berg", "J.", ""),
        ("Jong, Martijn de", "Jong, Martijn de", "de Jong", "Martijn", ""),
        ("Smith, John, 1950-", "Smith, John, 1950-", "Smith", "John", ""),
        ("King, Martin Luther, Jr.", "King, Martin Luther, Jr.", "King", "Martin Luther", ""),
        ("Zhang, Wei (https://orcid.org/0000-0002-1825-0097)", "Zhang, Wei", "Zhang", "Wei", "0000-0002-1825-0097"),
        ("Li, Na [0000-0001-5109-3700]", "Li, Na", "Li", "Na", "0000-0001-5109-3700"),
        ("Li, Na ORCID: 0000-0001-5109-3700", "Li, Na", "Li", "Na", "0000-0001-5109-3700"),
        ("Carberry, Josiah https://orcid.org/0000-0002-1694-233x", "Carberry, Josiah", "Carberry", "Josiah",
         "0000-0002-1694-233X"),
        ("Li, Na (0000-0001-5109-3701)", "Li, Na (0000-0001-5109-3701)", "Li", "Na (0000-0001-5109-3701)", ""),
        ("张伟", "张伟", "张", "伟", ""),
        ("张伟 (https://orcid.org/0000-0002-1825-0097)", "张伟", "张", "伟", "0000-0002-1825-0097"),
        ("欧阳明华", "欧阳明华", "欧阳", "明华", ""),
        ("司马迁", "司马迁", "司马", "迁", ""),
        ("某人", "某人", "某", "人", ""),
        ("张, 三丰", "张, 三丰", "张", "三丰", ""),
        ("阿依古丽·买买提", "阿依古丽·买买提", "", "", ""),
        ("Zhang San", "Zhang San", "", "", ""),
        ("Various Artists", "Various Artists", "", "", ""),
    ],
)
def test_split_name(name: str, person_name: str, family: str, given: str, orcid: str) -> None:
    person = split_name(name)
    assert (person.name, person.family, person.given, person.orcid) == (person_name, family, given, orcid)


def test_extract_orcid_without_one() -> None:
    assert extract_orcid("Jean-Luc Picard") == ("Jean-Luc Picard", "")


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("http://creativecommons.org/licenses/by/4.0/", "https://creativecommons.org/licenses/by/4.0/"),
        ("https://creativecommons.org/licenses/by-nc/4.0/deed.zh", "https://creativecommons.org/licenses/by-nc/4.0/"),
        ("http://creativecommons.org/licenses/by-nc-nd/4.0/legalcode", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
        ("https://www.creativecommons.org/licenses/by-sa/3.0", "https://creativecommons.org/licenses/by-sa/3.0/"),
        ("http://creativecommons.org/licenses/by/3.0/cn/", "https://creativecommons.org/licenses/by/3.0/cn/"),
        ("http://creativecommons.org/licenses/by-nd-nc/1.0/", "https://creativecommons.org/licenses/by-nc-nd/1.0/"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("Licensed under http://creativecommons.org/licenses/by/4.0/ .", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC-BY-NC-SA-3.0", "https://creativecommons.org/licenses/by-nc-sa/3.0/"),
        ("cc by-nc-nd 4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
        ("cc_by_4", "https://creativecommons.org/licenses/by/4.0/"),
        ("cc_by_nc_sa_4", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        ("CC0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("本作品采用知识共享署名-非商业性使用-相同方式共享 4.0 国际许可协议进行许可",
         "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        ("知识共享 署名 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC BY", ""), ("All rights reserved", ""), ("http://creativecommons.org/licenses/foo/4.0/", ""),
        ("", ""),
    ],
)
def test_license_url(value: str, url: str) -> None:
    assert license_url(value) == url


@pytest.mark.parametrize(
    ("value", "uri"),
    [
        ("info:eu-repo/semantics/openAccess", "c_abf2"), ("Open Access", "c_abf2"), ("开放获取", "c_abf2"),
        ("http://purl.org/coar/access_right/c_abf2", "c_abf2"),
        ("info:eu-repo/semantics/embargoedAccess", "c_f1cf"), ("延期开放", "c_f1cf"),
        ("info:eu-repo/semantics/restrictedAccess", "c_16ec"), ("校内开放", "c_16ec"),
        ("info:eu-repo/semantics/closedAccess", "c_14cb"), ("Metadata only", "c_14cb"), ("仅元数据", "c_14cb"),
    ],
)
def test_access_right(value: str, uri: str) -> None:
    assert access_right(value) == ACCESS + uri


@pytest.mark.parametrize("value", ["", "These materials are made available for use in research", "CC BY 4.0"])
def test_access_right_none(value: str) -> None:
    assert access_right(value) == ""
