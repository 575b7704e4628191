"""The researcher pages of the portal (/researchers, /researchers/<id>) in Chinese and English, the
record page's links to them, and their bad input (400/404)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html

from hub.pipeline.index import index_records
from tests.people.test_profiles import build_people


@pytest.fixture
def people(hub):
    made = build_people(hub)
    index_records(hub, list(made.records.values()))
    return made


def _page(client, path: str, status: int = 200):
    resp = client.get(path)
    assert resp.status_code == status, resp.get_data(as_text=True)[:2000]
    return html.fromstring(resp.get_data(as_text=True))


def test_list_in_both_languages_with_search_and_member(client, people):
    zh = _page(client, "/researchers")
    assert zh.xpath("//h1/text()")[0].strip() == "人员"
    names = [a.text for a in zh.xpath("//table[contains(@class,'researchers')]//td[1]/a")]
    assert names == ["王伟", "李娜", "张三", "Wang, Wei"]
    en = _page(client, "/researchers?lang=en")
    assert en.xpath("//h1/text()")[0].strip() == "Researchers"
    assert "Peking University" in en.xpath("string(//table[contains(@class,'researchers')])")
    found = _page(client, "/researchers?q=Wang+Wei&institution=fudan")
    assert [a.text for a in found.xpath("//table[contains(@class,'researchers')]//td[1]/a")] == ["Wang, Wei"]
    assert _page(client, "/researchers?q=王伟").xpath("string(//p[@id='researcher-count'])").strip().startswith("1")
    nav = _page(client, "/").xpath("//a[@id='nav-researchers']/@href")
    assert nav == ["/researchers"]


def test_list_bad_input(client, people):
    assert client.get("/researchers?institution=nowhere").status_code == 404
    bad = _page(client, "/researchers?page=abc", 400)
    assert bad.xpath("string(//*[@id='researchers-error'])").strip()
    assert client.get("/researchers?page=0").status_code == 400
    assert client.get("/researchers?page=99999999999").status_code == 400
    assert client.get("/researchers?q=" + "x" * 5000).status_code == 200  # a long query is cut, not refused


def test_profile_shows_evidence_years_coauthors_timeline(client, people):
    page = _page(client, f"/researchers/{people.wang}?lang=en")
    assert page.xpath("string(//h1)").startswith("王伟")
    details = page.xpath("string(//dl[@id='researcher-details'])")
    assert "Wang, Wei" in details and "0000-0002-1825-0097" in details and "Peking University" in details
    assert "Computer Science" in details  # 0812's English name
    evidence = page.xpath("string(//section[@id='evidence'])")
    assert "the same ORCID iD" in evidence and "1 shared co-authors" in evidence
    assert "the Chinese name and its pinyin form" in evidence and "score 0.82" in evidence
    assert "2 shared subjects" in evidence
    coauthors = {a.text: a.get("href") for a in page.xpath("//table[contains(@class,'coauthors')]//a")}
    assert coauthors == {"李娜": f"/researchers/{people.li}", "张三": f"/researchers/{people.zhang}"}
    assert page.xpath("//h3[@id='coauthors-across']") and page.xpath("//h3[@id='coauthors-inside']")
    timeline = page.xpath("//section[@id='timeline']//a/@href")
    assert f"/records/{people.records['r3']}" in timeline and f"/records/{people.records['r6']}" in timeline
    zh = _page(client, f"/researchers/{people.wang}?lang=zh")
    assert "为何这些记录属于同一人" in zh.xpath("string(//h2[@id='h-evidence'])")


def test_year_columns_lead_to_a_search_listing_that_years_records(client, people):
    page = _page(client, f"/researchers/{people.wang}?lang=en")
    links = page.xpath("//figure[@id='researcher-years']//a[contains(@class,'chart-link')]/@href")
    assert len(links) == 2  # 2019 and 2020
    link_2020 = next(href for href in links if "from=2020" in href)
    args = parse_qs(urlsplit(link_2020).query)
    assert args["to"] == ["2020"] and args["institution"] == ["pku"]
    result = _page(client, link_2020)
    found = {a.get("href") for a in result.xpath("//li[@class='result']//h3/a")}
    assert found == {f"/records/{people.records['r2']}", f"/records/{people.records['r3']}"}
    assert page.xpath("//details[contains(@class,'chart-table')]//td")  # the table alternative


def test_profile_not_found(client, people):
    assert client.get("/researchers/999999").status_code == 404
    assert client.get("/researchers/abc").status_code == 404
    assert client.get("/researchers/99999999999999").status_code == 404


def test_record_page_links_creators_to_their_researchers(client, people):
    page = _page(client, f"/records/{people.records['r3']}?lang=en")
    links = page.xpath("//p[@class='creators']/a[@class='researcher-link']/@href")
    assert links == [f"/researchers/{people.wang}", f"/researchers/{people.zhang}"]
