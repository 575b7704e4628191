"""Statistics charts lead to the records behind each bar: a search with the bar's year, type,
language, subject or full-text filter (kept to the member on a member's page), a region's bar to the
members there; every search link gives exactly the records the bar counts, and the tables stay."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.pipeline.index import index_records
from hub.stats.aggregates import clear_cache
from tests.search.conftest import add_member, add_record, attach_text


@pytest.fixture
def site(hub, app):
    clear_cache()
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习", title_lang="zho", year=2010, languages=("zho",),
                      subjects=("人工智能",)),
           add_record(hub, pku, 2, title="统计学习", title_lang="zho", year=2014, languages=("zho",),
                      subjects=("人工智能",)),
           add_record(hub, fdu, 3, title="Deep learning", year=2014, rtype="doctoral thesis",
                      subjects=("Machine learning",))]
    attach_text(hub, ids[2], "Chapter one.")
    index_records(hub, ids)
    return hub


def _links(page: str, key: str) -> dict[str, str]:
    """accessible name (the link's <title>) -> href of the links in one chart's section."""
    section = page.split(f'id="chart-{key}"', 1)[1].split("</section>", 1)[0]
    svg = section.split("</svg>", 1)[0]
    assert 'role="group"' in svg and '<details class="chart-table">' in section  # the table stays
    return {html.unescape(label): html.unescape(href)
            for href, label in re.findall(r'<a href="([^"]+)" class="chart-link"[^>]*><title>([^<]+)</title>', svg)}


def _total(client, href: str) -> int:
    page = client.get(href + "&lang=en").get_data(as_text=True)
    found = re.search(r'id="h-count">([\d,]+) results?<', page)
    assert found, href
    return int(found.group(1).replace(",", ""))


def test_network_bars_lead_to_searches_of_the_records_they_count(client, site):
    page = client.get("/statistics?lang=en").get_data(as_text=True)
    years = _links(page, "years")
    assert years == {"2010: 1": "/search?from=2010&to=2010", "2014: 2": "/search?from=2014&to=2014"}
    assert _links(page, "types")["journal article: 2"] == "/search?type=journal+article"
    assert _links(page, "languages")["Chinese: 2"] == "/search?language=zho"
    subjects = _links(page, "subjects")
    assert parse_qs(urlsplit(subjects["人工智能: 2"]).query) == {"subject": ["人工智能"]}
    assert _links(page, "fulltext") == {"With full text: 1": "/search?fulltext=true",
                                        "Metadata only: 2": "/search?fulltext=false"}
    assert _links(page, "regions") == {"Beijing: 3": "/institutions/?region=Beijing#members"}
    for chart in ("years", "types", "languages", "subjects", "fulltext"):
        for label, href in _links(page, chart).items():
            assert _total(client, href) == int(label.rsplit(": ", 1)[1]), (label, href)


def test_a_members_bars_keep_to_its_records(client, site):
    page = client.get("/statistics/pku?lang=en").get_data(as_text=True)
    years = _links(page, "years")
    assert years == {"2010: 1": "/search?institution=pku&from=2010&to=2010",
                     "2014: 1": "/search?institution=pku&from=2014&to=2014"}
    assert _total(client, years["2014: 1"]) == 1
    assert 'id="chart-regions"' not in page
