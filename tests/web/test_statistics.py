"""The statistics pages as pages of the portal: its design, languages and navigation, labels as
words, a growth chart over the years, figures that agree with the home page, and charts that are
inline SVG with hover values, accessible names and a table beside each."""

from __future__ import annotations

import html
import re

import pytest

from hub.pipeline.index import index_records
from hub.stats.aggregates import clear_cache
from hub.web import charts
from tests.search.conftest import add_member, add_record, attach_text


@pytest.fixture
def site(hub, app):
    clear_cache()
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习", title_lang="zho", year=2010, languages=("zho",),
                      subjects=("<b>人工智能</b>",)),
           add_record(hub, pku, 2, title="统计学习", title_lang="zho", year=2014, languages=("zho",)),
           add_record(hub, fdu, 3, title="Deep learning", year=2016, rtype="doctoral thesis"),
           add_record(hub, fdu, 4, title="Withdrawn", year=2016, deleted=True)]
    attach_text(hub, ids[2], "Chapter one.")
    index_records(hub, ids)
    yield ids
    clear_cache()


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def test_statistics_is_a_portal_page_with_its_navigation_and_language_switch(client, site):
    page = client.get("/statistics?lang=zh").get_data(as_text=True)
    assert '<header class="site">' in page and 'id="lang-switch"' in page and 'href="/statistics?lang=en"' in page
    assert "全网统计" in page and 'href="/statistics/pku"' in page
    assert 'aria-current="page">全网' in page
    home = client.get("/?lang=zh").get_data(as_text=True)
    assert 'href="/statistics"' in home and 'id="home-statistics"' in home
    institution = client.get("/institutions/pku").get_data(as_text=True)
    assert 'href="/statistics/pku"' in institution


def test_labels_are_words_in_the_visitors_language(client, site):
    zh = text(client.get("/statistics?lang=zh"))
    assert "中文" in zh and "博士学位论文" in zh and "期刊论文" in zh
    assert not re.search(r">\s*zho\s*<", zh) and "doctoral thesis" not in zh and "journal article" not in zh
    en = text(client.get("/statistics?lang=en"))
    assert "Chinese" in en and "doctoral thesis" in en and "全网" not in en
    assert not re.search(r">\s*zho\s*<", en)


def test_figures_agree_with_the_home_page(client, site):
    home = text(client.get("/?lang=en"))
    stats = text(client.get("/statistics?lang=en"))
    home_records = re.search(r"<strong>([\d,]+)</strong>\s*records", home).group(1)
    home_fulltext = re.search(r"<strong>([\d,]+)</strong>\s*with full text", home).group(1)
    assert home_records == "3" and home_fulltext == "1"
    assert re.search(rf'id="stat-records"><strong>{home_records}</strong>', stats)
    assert re.search(rf'id="stat-fulltext"><strong>{home_fulltext}</strong>', stats)
    member = text(client.get("/statistics/pku?lang=en"))
    institution = text(client.get("/institutions/pku?lang=en"))
    count = re.search(r"<dt>Records</dt><dd><a [^>]*>([\d,]+)</a>", institution).group(1)
    assert count == "2" and re.search(rf'id="stat-records"><strong>{count}</strong>', member)


def test_growth_shows_the_history_of_the_collection(client, site):
    page = client.get("/statistics?lang=en").get_data(as_text=True)
    growth = page.split('id="chart-growth"', 1)[1].split("</section>", 1)[0]
    assert growth.count('class="chart-line"') >= 6  # a line from year to year
    # cumulative by year of publication, every year from the first to the last
    assert "<title>2010: 1</title>" in growth and "<title>2013: 1</title>" in growth
    assert "<title>2014: 2</title>" in growth and "<title>2016: 3</title>" in growth
    assert "<table>" in growth and "<td>2016</td>" in growth


def test_every_chart_has_a_name_hover_values_and_a_table(client, site):
    page = client.get("/statistics?lang=en").get_data(as_text=True)
    sections = re.findall(r'<section class="stats-chart".*?</section>', page, re.S)
    assert len(sections) >= 6
    for section in sections:
        assert re.search(r'<svg [^>]*role="(?:img|group)"[^>]*aria-label="[^"]+"', section), section[:200]
        assert section.count("<title>") >= 2
        assert "<details class=\"chart-table\">" in section
    assert "<script" not in page.split("<body", 1)[1]


def test_harvested_labels_are_escaped_in_the_charts(client, site):
    page = client.get("/statistics").get_data(as_text=True)
    assert "<b>人工智能</b>" not in page and "&lt;b&gt;人工智能&lt;/b&gt;" in page


def test_unknown_member_is_404_in_the_portals_design(client, site):
    resp = client.get("/statistics/nobody?lang=en")
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


def test_charts_draw_what_they_are_given():
    assert charts.cumulative([(2010, 1), (2012, 2)]) == [("2010", 1), ("2011", 1), ("2012", 3)]
    columns = charts.column_chart([(2000, 3), (2002, 1)], "Years")
    assert columns.count("<rect") == 3 and "<title>2001: 0</title>" in columns
    line = charts.line_chart([("2000", 1), ("2001", 4)], "Growth")
    assert 'aria-label="Growth"' in line and "<title>2001: 4</title>" in line
    bars = charts.bar_chart([("<i>x</i>", 12_345)], "Bars")
    assert "&lt;i&gt;x&lt;/i&gt;: 12,345" in bars and "<i>" not in bars
    assert "chart-empty" in charts.bar_chart([], "Nothing")


def test_the_network_page_sums_records_by_region_in_words(hub, client, site):
    from sqlalchemy import update

    from hub.models import Institution

    with hub.db.session() as session:
        session.execute(update(Institution).where(Institution.slug == "fdu").values(region="Shanghai"))
    zh = client.get("/statistics?lang=zh").get_data(as_text=True)
    regions = zh.split('id="chart-regions"', 1)[1].split("</section>", 1)[0]
    assert "<title>北京: 2</title>" in regions and "<title>上海: 1</title>" in regions
    en = client.get("/statistics?lang=en").get_data(as_text=True)
    assert "<title>Beijing: 2</title>" in en and "<title>Shanghai: 1</title>" in en
    assert 'id="chart-regions"' not in client.get("/statistics/pku").get_data(as_text=True)


def test_cached_figures_belong_to_their_own_database(hub, site, tmp_path, overrides):
    """Two hubs in one process (two test apps, two deployments under one server) never share figures."""
    from hub.app import create_app
    from hub.context import Hub

    first = text(create_app(hub=hub).test_client().get("/statistics/pku?lang=en"))
    assert "<title>2014: 1</title>" in first
    other_db = {**overrides, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}",
                "SEARCH_URL": f"sqlite:///{tmp_path / 'other-search.db'}"}
    instance = tmp_path / "other-instance"
    instance.mkdir()
    other = Hub.create(overrides=other_db, instance_path=instance)
    _, repo = add_member(other, "pku", "Peking University", "北京大学")
    index_records(other, [add_record(other, repo, 1, title="Only one", year=1999)])
    page = text(create_app(hub=other).test_client().get("/statistics/pku?lang=en"))
    assert "<title>1999: 1</title>" in page and "<title>2014: 1</title>" not in page
