"""The portal: pages, languages, facets, escaping, records, citations, feeds, sitemaps, errors, themes."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest

from hub.pipeline.index import index_records
from tests.search.conftest import add_member, add_record, attach_text


@pytest.fixture
def site(hub, app):
    """Two members, a few records (one with extracted full text, one deleted), indexed."""
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = {
        "zh": add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", abstract="本文讨论机器学习。",
                         year=2016, subjects=("人工智能",), languages=("zho",), doi="10.1234/same",
                         creators=("王, 力",), source=["计算机学报"]),
        "en": add_record(hub, fdu, 2, title="Deep learning <script>alert(1)</script>", abstract="Networks & graphs.",
                         year=2012, doi="10.1234/same", rtype="doctoral thesis", publisher=["Fudan Press"]),
        "gone": add_record(hub, pku, 3, title="Withdrawn", deleted=True),
    }
    attach_text(hub, ids["en"], "Chapter 1. Graphene measurements with deep learning.")
    index_records(hub, ids.values())
    return ids


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_home_shows_totals_members_newest_and_an_inline_chart(client, site):
    page = text(client.get("/"))
    assert "北京大学" in page and "复旦大学" in page  # Chinese by default
    assert "最新记录" in page and "机器学习在医学影像中的应用" in page
    assert re.search(r"<strong>2</strong>\s*条记录", page)
    assert "<svg" in page and "<rect" in page and "2016: 1" in page
    assert "<script src" not in page and "cdn" not in page.lower()


def test_language_switch_sets_a_cookie_and_keeps_the_page(client, site):
    zh = text(client.get("/search?q=learning"))
    assert 'href="/search?q=learning&amp;lang=en"' in zh and "检索结果" in zh
    resp = client.get("/search?q=learning&lang=en")
    assert "lang=en" in resp.headers["Set-Cookie"]
    assert "Search results" in text(resp) and 'lang="en"' in text(resp)
    assert "Recent records" in text(client.get("/institutions/pku"))  # remembered by the cookie
    assert "成员机构" in text(client.get("/institutions/?lang=zh"))


def test_default_locale_is_configurable(hub, site):
    from hub.app import create_app

    hub.configure(DEFAULT_LOCALE="en")
    page = text(create_app(hub=hub).test_client().get("/"))
    assert "Newest records" in page and 'lang="en"' in page


def test_search_results_facets_and_filter_links(client, site):
    page = text(client.get("/search?q=机器学习&lang=en"))
    assert "<mark>机器学习</mark>" in page
    assert 'href="/search?q=%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0&amp;institution=pku"' in page
    filtered = text(client.get("/search?q=learning&type=doctoral+thesis&lang=en"))
    assert "Deep <mark>learning</mark>" in filtered and "Remove filter" in filtered
    assert 'href="/search?q=learning"' in filtered  # the chip that removes the filter
    assert "In the full text:" in filtered and "<mark>learning</mark>" in filtered


def test_harvested_markup_is_escaped(client, site):
    page = text(client.get("/search?q=deep"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    record = text(client.get(f"/records/{site['en']}"))
    assert "<script>alert(1)</script>" not in record


def test_malformed_query_gets_a_clear_message_not_a_500(client, site):
    resp = client.get('/search?q="unclosed&lang=en')
    assert resp.status_code == 400 and "Unbalanced quote" in text(resp)
    zh = client.get('/search?q="unclosed&lang=zh')
    assert zh.status_code == 400 and "引号不成对" in text(zh) and "Unbalanced quote" not in text(zh)
    assert client.get("/search?page=abc").status_code == 400
    deep = client.get("/search?page=100000&lang=en")
    assert deep.status_code == 400 and "Only the first 10,000 results" in text(deep)


def test_record_page_metadata_files_versions_and_machine_readable_tags(client, site):
    page = text(client.get(f"/records/{site['en']}?lang=en"))
    assert '<meta name="citation_title" content="Deep learning &lt;script&gt;alert(1)&lt;/script&gt;">' in page
    assert '<meta name="citation_doi" content="10.1234/same">' in page
    assert re.search(r'<meta name="citation_pdf_url" content="http://127\.0\.0\.1:5000/files/[0-9a-f]{64}">', page)
    assert re.search(r'href="/files/[0-9a-f]{64}" download', page) and "application/pdf" in page
    ld = json.loads(re.search(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', page, re.S).group(1))
    assert ld["@type"] == "Thesis" and ld["identifier"]["value"] == "10.1234/same"
    assert "Other copies and versions" in page and f'href="/records/{site["zh"]}"' in page
    assert 'href="https://repo.example.edu/handle/123456789/2"' in page


def test_deleted_record_is_a_tombstone(client, site):
    resp = client.get(f"/records/{site['gone']}")
    assert resp.status_code == 410 and "撤回" in text(resp)
    assert client.get("/records/999999").status_code == 404


def test_citation_exports(client, site):
    bib = text(client.get(f"/records/{site['zh']}/cite.bib"))
    assert bib.startswith(f"@article{{chair{site['zh']},") and "doi = {10.1234/same}" in bib
    assert "journal = {计算机学报}" in bib
    ris = client.get(f"/records/{site['en']}/cite.ris")
    assert ris.headers["Content-Type"].startswith("application/x-research-info-systems")
    assert text(ris).startswith("TY  - THES\r\n") and "ER  - \r\n" in text(ris)
    csl = json.loads(text(client.get(f"/records/{site['zh']}/cite.json")))
    assert csl[0]["type"] == "article-journal" and csl[0]["issued"] == {"date-parts": [[2016]]}
    assert client.get(f"/records/{site['zh']}/cite.doc").status_code == 404


def test_institution_browse_and_feeds(client, site):
    page = text(client.get("/institutions/pku?lang=en"))
    assert "Peking University" in page and "北京大学" not in page and "journal article" in page  # one language
    assert client.get("/institutions/nobody").status_code == 404
    assert "人工智能" in text(client.get("/browse/subject"))
    assert "2016" in text(client.get("/browse/year"))
    assert client.get("/browse/colour").status_code == 404
    atom = ET.fromstring(client.get("/feeds/atom?institution=pku").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in atom.findall("a:entry", ns)] == ["机器学习在医学影像中的应用"]
    rss = ET.fromstring(client.get("/feeds/rss?q=learning").data)
    # feeds carry text: the harvested markup is gone (tests/security/test_exports.py)
    assert [i.findtext("title") for i in rss.findall("channel/item")] == ["Deep learning"]
    assert len(ET.fromstring(client.get("/feeds/rss").data).findall("channel/item")) == 2
    assert client.get('/feeds/atom?q="x').status_code == 400


def test_sitemaps_and_robots(client, site):
    index = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs[-1].endswith("/sitemaps/records-0.xml")
    records = client.get("/sitemaps/records-0.xml").get_data(as_text=True)
    assert f"/records/{site['zh']}<" in records and f"/records/{site['gone']}<" not in records
    robots = text(client.get("/robots.txt"))
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in robots and "Disallow: /search" in robots


def test_friendly_404_page(client, site):
    resp = client.get("/no/such/page?lang=en")
    assert resp.status_code == 404 and "Page not found" in text(resp) and "<html" in text(resp)


def test_a_theme_overrides_one_file_and_inherits_the_rest(hub, tmp_path, site):
    from hub.app import create_app

    theme = tmp_path / "themes" / "campus"
    (theme / "templates").mkdir(parents=True)
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "templates" / "error.html").write_text("{% extends 'base.html' %}{% block content %}Campus 404{% endblock %}")
    (theme / "static" / "css" / "portal.css").write_text("body { color: rebeccapurple; }")
    hub.configure(THEME="campus", THEMES_PATH=str(tmp_path / "themes"))
    client = create_app(hub=hub).test_client()
    assert "Campus 404" in text(client.get("/missing"))
    assert "rebeccapurple" in text(client.get("/static/css/portal.css"))
    assert client.get("/static/favicon.svg").status_code == 200  # from the default theme
    assert "最新记录" in text(client.get("/"))  # home.html from the default theme
    assert client.get("/static/../../pyproject.toml").status_code == 404
