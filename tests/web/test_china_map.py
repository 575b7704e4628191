"""The map of China: the stored geometry, province names in their common forms, the renderer (shades,
links, titles, escaping, empty input, unknown regions) and the /institutions/ page with ?region=."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from sqlalchemy import update

from hub.models import Institution
from hub.pipeline.index import index_records
from hub.web import china_map
from hub.web.china_map import MapMember, province_of, province_rows
from tests.search.conftest import add_member, add_record

ALL = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
       "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
       "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门"]


def test_the_stored_geometry_has_every_provincial_division_the_inset_and_is_small():
    data = json.loads(china_map.GEOMETRY.read_text(encoding="utf-8"))
    assert sorted(p["name"] for p in data["provinces"]) == sorted(ALL)
    assert all(re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", p["d"]) for p in data["provinces"])
    assert data["nanhai"]["name"] == "南海诸岛" and data["nanhai"]["d"].count("M") == 12  # frame, coast, 10 dashes
    assert china_map.GEOMETRY.stat().st_size < 300_000
    taiwan = next(p for p in data["provinces"] if p["name"] == "台湾")
    assert taiwan["d"].count("M") >= 2  # the island and Diaoyu Island at least
    assert (china_map.GEOMETRY.parent / "LICENSE").is_file() and "Apache" in (
        china_map.GEOMETRY.parent / "SOURCE.md").read_text(encoding="utf-8")


def test_the_stylesheet_keeps_the_frames_proportions():
    data = json.loads(china_map.GEOMETRY.read_text(encoding="utf-8"))
    css = (china_map.GEOMETRY.parents[3] / "themes/default/static/css/portal.css").read_text(encoding="utf-8")
    ratio = f"aspect-ratio: {data['width']:g} / {data['height'] + china_map.LABEL_STRIP:g};"
    assert re.search(r"svg\.china-map-frame \{[^}]*" + re.escape(ratio), css)


@pytest.mark.parametrize(("form", "zh"), [
    ("北京", "北京"), ("北京市", "北京"), ("Beijing", "北京"), ("beijing", "北京"), (" Beijing Municipality ", "北京"),
    ("广西壮族自治区", "广西"), ("Guangxi Zhuang Autonomous Region", "广西"), ("内蒙古自治区", "内蒙古"),
    ("Inner Mongolia", "内蒙古"), ("inner-mongolia", "内蒙古"), ("Nei Mongol", "内蒙古"), ("Tibet", "西藏"),
    ("Xizang", "西藏"), ("香港特别行政区", "香港"), ("Hong Kong SAR", "香港"), ("Macau", "澳门"), ("Shaanxi", "陕西"),
    ("Shanxi", "山西"), ("Sichuan Province", "四川"), ("Taiwan", "台湾"), ("新疆维吾尔自治区", "新疆")])
def test_common_forms_of_a_province_name_are_one_province(form, zh):
    province = province_of(form)
    assert province is not None and province.zh == zh


@pytest.mark.parametrize("form", ["", "   ", None, "Singapore", "Atlantis", "北", "市", "<script>"])
def test_other_regions_are_no_province(form):
    assert province_of(form) is None


def _members(*rows: tuple[str, str, int]) -> list[tuple[str, MapMember]]:
    return [(region, MapMember(name, f"/institutions/{name.lower()}", records)) for region, name, records in rows]


def test_rows_group_members_by_province_and_keep_the_rest_aside():
    rows, elsewhere = province_rows(_members(("北京", "PKU", 10), ("Beijing", "THU", 30), ("上海市", "FDU", 5),
                                             ("Singapore", "NUS", 7), ("", "Nowhere", 1)))
    assert [(r.province.zh, [m.name for m in r.members], r.records) for r in rows] == [
        ("北京", ["THU", "PKU"], 40), ("上海", ["FDU"], 5)]
    assert [m.name for m in elsewhere] == ["NUS", "Nowhere"]


def _render(app, members, lang="zh", selected=None):
    rows, _ = province_rows(members)
    with app.test_request_context(f"/?lang={lang}"):
        svg = china_map.china_map(rows, title="Members <by> province", lang=lang, selected=selected,
                                  region_href=lambda p: f"/institutions/?region={p.en}&x=1")
        legend = china_map.legend(rows)
    return svg, legend


def test_the_map_links_provinces_with_members_and_titles_every_province(app):
    svg, legend = _render(app, _members(("北京", "PKU", 10), ("Beijing", "THU", 30), ("上海", "FDU", 5)), lang="en")
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "group" and root.get("aria-label") == "Members <by> province"
    links = {a.get("aria-label"): a.get("href") for a in root.iter("a") if a.get("class") == "chart-link map-link"}
    assert links == {"Beijing: 2 members, 40 records (THU, PKU)": "/institutions/?region=Beijing&x=1",
                     "Shanghai: 1 member, 5 records (FDU)": "/institutions/fdu"}
    titles = [t.text for t in root.iter("title")]
    assert "Qinghai: no members" in titles and len(set(titles)) == 34 + 1  # every province and the inset
    markers = [a for a in root.iter("a") if a.get("class") == "chart-link map-marker"]
    assert [(m.get("href"), m.get("tabindex"), m.get("aria-hidden"), m.find("text").text) for m in markers] == [
        ("/institutions/?region=Beijing&x=1", "-1", "true", "2"), ("/institutions/fdu", "-1", "true", "1")]
    shades = dict(re.findall(r'<a [^>]*aria-label="(\w+):[^"]*".*?class="map-province map-level-(\d)', svg))
    assert shades == {"Beijing": "2", "Shanghai": "1"}
    assert "South China Sea Islands" in svg and not re.search(r"[\u3400-\u9fff]", svg)  # one language a page
    assert "no members" in legend and "2–3" in legend and "4–7" not in legend


def test_the_map_in_chinese_speaks_chinese(app):
    svg, _ = _render(app, _members(("北京", "北京大学", 3), ("北京", "清华大学", 1)), lang="zh")
    assert 'aria-label="北京：2 个成员，4 条记录（北京大学、清华大学）"' in svg
    assert "<title>青海：无成员</title>" in svg and ">南海诸岛</text>" in svg


def test_harvested_names_are_escaped_and_long_lists_cut(app):
    many = [("Hubei", f"<b>U{i}</b>", i) for i in range(12)]
    svg, _ = _render(app, _members(*many), lang="en")
    assert "<b>" not in svg and "&lt;b&gt;U11&lt;/b&gt;" in svg
    label = next(a.get("aria-label") for a in ElementTree.fromstring(svg).iter("a") if a.get("aria-label"))
    assert label.startswith("Hubei: 12 members") and label.endswith("and 4 more)")


def test_an_empty_network_draws_the_map_without_links(app):
    svg, legend = _render(app, [])
    assert "<a " not in svg and svg.count("map-level-0") == 34 and "map-level-1" not in legend


def test_the_selected_province_is_marked_current(app):
    svg, _ = _render(app, _members(("北京", "PKU", 1), ("北京", "THU", 1)), selected=province_of("北京"))
    assert re.search(r'<a [^>]*aria-current="true"><title>北京：[^<]*</title><path [^>]*map-selected', svg)


@pytest.fixture
def network(hub):
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, thu = add_member(hub, "thu", "Tsinghua University", "清华大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    _, nus = add_member(hub, "nus", "National University of Singapore", "新加坡国立大学")
    with hub.db.session() as session:
        session.execute(update(Institution).where(Institution.slug == "thu").values(region="Beijing Municipality"))
        session.execute(update(Institution).where(Institution.slug == "fdu").values(region="Shanghai"))
        session.execute(update(Institution).where(Institution.slug == "nus").values(region="Singapore"))
    index_records(hub, [add_record(hub, pku, 1, title="A"), add_record(hub, pku, 2, title="B"),
                        add_record(hub, fdu, 3, title="C")])
    return hub


def _members_listed(page: str) -> list[str]:
    section = page.split('id="members"', 1)[1]
    return re.findall(r'<tr><td><a href="/institutions/(\w+)">', section)


def test_the_institutions_page_shows_the_map_above_the_list(client, network):
    page = client.get("/institutions/?lang=zh").get_data(as_text=True)
    assert page.index("china-map-frame") < page.index('id="members"')
    assert 'href="/institutions/?region=Beijing#members"' in page and 'href="/institutions/fdu"' in page
    assert "北京：2 个成员" in page and sorted(_members_listed(page)) == ["fdu", "nus", "pku", "thu"]
    table = page.split('class="chart-table"', 1)[1].split("</details>", 1)[0]
    assert re.search(r">北京</a></td>\s*<td><a href=\"/institutions/pku\">北京大学</a>、<a href=\"/institutions/thu\">"
                     r"清华大学</a></td>\s*<td class=\"num\">2</td>", table)
    assert "新加坡国立大学" in page.split('class="map-elsewhere"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("region", ["Beijing", "北京", "北京市", "beijing"])
def test_region_keeps_the_list_to_the_provinces_members(client, network, region):
    resp = client.get(f"/institutions/?region={region}&lang=en")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and sorted(_members_listed(page)) == ["pku", "thu"]
    assert "Members in Beijing" in page and 'aria-current="true"' in page


def test_a_registered_region_off_the_map_filters_too(client, network):
    page = client.get("/institutions/?region=singapore&lang=en").get_data(as_text=True)
    assert _members_listed(page) == ["nus"]


def test_a_province_without_members_is_an_empty_list(client, network):
    resp = client.get("/institutions/?region=Qinghai&lang=en")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _members_listed(page) == [] and "No members in Qinghai yet." in page


@pytest.mark.parametrize("region", ["Atlantis", "<script>alert(1)</script>", "x" * 500, "%00"])
def test_an_unknown_region_is_a_clear_404_in_the_page(client, network, region):
    resp = client.get("/institutions/", query_string={"region": region, "lang": "en"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "No province or region is called" in page and _members_listed(page) == []
    assert "<script>alert" not in page and "china-map-frame" in page


def test_the_page_in_chinese(client, network):
    page = client.get("/institutions/?region=Shanghai&lang=zh").get_data(as_text=True)
    assert "上海的成员" in page and _members_listed(page) == ["fdu"]


def test_the_home_page_leads_to_the_map(client, network):
    page = client.get("/?lang=zh").get_data(as_text=True)
    assert '<a id="home-map" href="/institutions/">成员分布地图</a>' in page
