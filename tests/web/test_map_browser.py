"""Browser tests of the map of China on /institutions/ (Debian's Chromium through Playwright, against a
running portal): Chinese and English, desktop and a 390 px phone, screenshots in test-artifacts/, axe; a
click on a province lands on its members, by mouse and by keyboard."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update

from hub.models import Institution
from hub.pipeline.index import index_records
from tests.a11y import assert_accessible
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record

PHONE = 390
REGIONS = {"pku": "北京", "thu": "Beijing Municipality", "fdu": "Shanghai", "scu": "四川省", "nus": "Singapore"}


@pytest.fixture
def portal(hub, app):
    """The portal on 127.0.0.1:<free port>: two members in Beijing, one each in Shanghai and Sichuan, one abroad."""
    from werkzeug.serving import make_server

    repos = {slug: add_member(hub, slug, name_en, name_zh)[1] for slug, name_en, name_zh in (
        ("pku", "Peking University", "北京大学"), ("thu", "Tsinghua University", "清华大学"),
        ("fdu", "Fudan University", "复旦大学"), ("scu", "Sichuan University", "四川大学"),
        ("nus", "National University of Singapore", "新加坡国立大学"))}
    with hub.db.session() as session:
        for slug, region in REGIONS.items():
            session.execute(update(Institution).where(Institution.slug == slug).values(region=region))
    ids = [add_record(hub, repos[slug], n, title=f"Record {n}", year=2000 + n)
           for n, slug in enumerate(["pku", "pku", "thu", "fdu", "scu", "scu", "scu"])]
    index_records(hub, ids)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _listed(page) -> list[str]:
    return sorted(h.split("/")[-1] for h in page.locator("#members table a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_map_in_both_languages_on_desktop_and_phone(portal, lang, width):
    with chromium_page(width=width, height=900) as page:
        page.goto(f"{portal}/institutions/?lang={lang}")
        frame = page.locator("svg.china-map-frame")
        box = frame.bounding_box()
        assert box and box["width"] <= width and 0.8 < box["height"] / box["width"] < 0.95  # the map's proportions
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("a.map-link").count() == 3  # Beijing, Shanghai, Sichuan
        label = page.locator("text.map-inset-label")
        assert label.text_content() == ("南海诸岛" if lang == "zh" else "South China Sea Islands")
        assert page.evaluate("getComputedStyle(document.querySelector('text.map-inset-label')).fontSize") == "12px"
        label_box = label.bounding_box()
        assert label_box and label_box["x"] >= 0 and label_box["x"] + label_box["width"] <= box["x"] + box["width"] + 1
        sichuan = page.locator("a.map-link").filter(has=page.locator("title", has_text="四川" if lang == "zh" else "Sichuan"))
        assert sichuan.locator("title").text_content() == (
            "四川：1 个成员，3 条记录（四川大学）" if lang == "zh" else "Sichuan: 1 member, 3 records (Sichuan University)")
        device = "phone" if width == PHONE else "desktop"
        page.screenshot(path=str(ARTIFACTS / f"map-institutions-{lang}-{device}.png"), full_page=True)
        assert_accessible(page, f"/institutions/ ({lang}, {width}px)")


def test_a_click_on_a_province_lands_on_its_members(portal):
    with chromium_page(width=PHONE, height=800) as page:
        page.goto(portal + "/institutions/?lang=zh")
        beijing = page.locator('a.map-link[aria-label^="北京："]')
        assert beijing.get_attribute("aria-label") == "北京：2 个成员，3 条记录（北京大学、清华大学）"
        marker = page.locator("a.map-marker").filter(has=page.locator("title", has_text="北京："))
        assert marker.locator("text").text_content() == "2"
        box = marker.locator("circle").bounding_box()
        assert box and box["width"] >= 18  # a finger's target on a province a few pixels wide
        marker.click()  # Beijing is smaller than its marker on a phone: the finger lands on the marker
        page.wait_for_url("**/institutions/?region=Beijing#members")
        assert _listed(page) == ["pku", "thu"]
        assert page.locator("#members-heading").inner_text().startswith("北京的成员")
        assert page.locator('a.map-link[aria-current="true"]').get_attribute("aria-label").startswith("北京：")
        members = page.locator("#members-heading").bounding_box()
        assert members and 0 <= members["y"] < 800  # the list is in view, not the map above it
        page.screenshot(path=str(ARTIFACTS / "map-institutions-beijing-zh-phone.png"), full_page=False)
        assert_accessible(page, "/institutions/?region=Beijing (zh, 390px)")
        page.click("#members >> text=显示全部成员")
        page.wait_for_url("**/institutions/#members")
        assert _listed(page) == ["fdu", "nus", "pku", "scu", "thu"]


def test_a_province_with_one_member_leads_to_its_page_by_keyboard(portal):
    with chromium_page(width=1280, height=900) as page:
        page.goto(portal + "/institutions/?lang=en")
        shanghai = page.locator('a.map-link[aria-label^="Shanghai:"]')
        shanghai.focus()
        assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Shanghai: 1 member")
        page.keyboard.press("Enter")
        page.wait_for_url("**/institutions/fdu")


def test_the_table_alternative_and_an_unknown_region(portal):
    with chromium_page(width=PHONE, height=800) as page:
        page.goto(portal + "/institutions/?lang=en")
        page.click(".china-map summary")
        rows = page.locator(".china-map table tbody tr")
        assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
            "Beijing", "Sichuan", "Shanghai"]  # most members first, then most records (Sichuan's 3, Shanghai's 1)
        resp = page.goto(portal + "/institutions/?region=Atlantis&lang=en")
        assert resp is not None and resp.status == 404
        assert page.locator("#members .empty").inner_text() == "No province or region is called “Atlantis”."
        assert page.locator("svg.china-map-frame").count() == 1
        page.screenshot(path=str(ARTIFACTS / "map-institutions-unknown-en-phone.png"), full_page=True)
        assert_accessible(page, "/institutions/?region=Atlantis (en, 390px)")


# A point inside a province's shape, away from its marker, in page coordinates (a real mouse click there).
INSIDE = """(path) => {
  const svg = path.ownerSVGElement, box = path.getBBox(), m = path.getScreenCTM();
  for (let fy = 0.2; fy < 0.9; fy += 0.1) for (let fx = 0.2; fx < 0.9; fx += 0.1) {
    const p = svg.createSVGPoint(); p.x = box.x + box.width * fx; p.y = box.y + box.height * fy;
    if (!path.isPointInFill(p)) continue;
    const s = p.matrixTransform(m);
    const hit = document.elementFromPoint(s.x, s.y);
    if (hit === path) return {x: s.x, y: s.y};
  }
  return null;
}"""


def test_a_click_on_a_provinces_shape_lands_on_its_member(portal):
    with chromium_page(width=1280, height=900) as page:
        page.goto(portal + "/institutions/?lang=en")
        shape = page.locator('a.map-link[aria-label^="Sichuan:"] path')
        point = shape.evaluate(INSIDE)
        assert point, "no point of Sichuan's shape takes the click"
        page.mouse.move(point["x"], point["y"])
        assert page.evaluate("getComputedStyle(document.querySelector('a.map-link[aria-label^=\"Sichuan:\"] path'))"
                             ".strokeWidth") == "2.5px"  # the hover outline
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url("**/institutions/scu")
