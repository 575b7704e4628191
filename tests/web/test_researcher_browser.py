"""Browser tests of the researcher pages (/researchers, /researchers/<id>) in Chinese and English, on
a desktop and on a 390 px phone (Debian's Chromium through Playwright against a running portal):
no sideways scroll, axe, screenshots in test-artifacts/, a click from the works-by-year chart to a
search listing that year's records, and the record page's creator link to the researcher."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from hub.models.people import Authorship
from hub.people.linking import relink
from hub.pipeline.index import index_records
from tests.a11y import assert_accessible
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record

PHONE = 390


@pytest.fixture
def portal(hub, app):
    """王伟 / Wang, Wei at pku over 2017-2021 with co-authors (one mainly at fudan), linked by the people
    stage's own rules; indexed; served on 127.0.0.1:<free port>. Yields (base URL, 王伟's id, record ids)."""
    from werkzeug.serving import make_server

    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fudan = add_member(hub, "fudan", "Fudan University", "复旦大学")
    subjects = ("graph neural networks",)
    ids = [add_record(hub, pku, 1, title="图神经网络的表示学习", title_lang="zho", creators=("王伟", "李娜", "赵六"),
                      subjects=subjects, year=2017, disciplines=["0812"]),
           add_record(hub, pku, 2, title="Graph learning at scale", creators=("Wang, Wei", "Li, Na", "Zhao, Liu"),
                      subjects=subjects, year=2019, disciplines=["0812"]),
           add_record(hub, pku, 3, title="Message passing on large graphs", creators=("王伟", "李娜", "张三"),
                      subjects=subjects, year=2020, disciplines=["0812"]),
           add_record(hub, pku, 4, title="图上的自监督学习", title_lang="zho", creators=("王伟", "李娜"),
                      subjects=subjects, year=2021, disciplines=["0812", "0701"]),
           add_record(hub, fudan, 5, title="复旦的图计算论文", title_lang="zho", creators=("张三", "钱七"), year=2020),
           add_record(hub, fudan, 6, title="Another paper by a namesake", creators=("Wang, Wei",), year=2020)]
    with hub.db.session() as session:
        relink(session, ids, 400)
        wang = session.scalar(select(Authorship.researcher_id).where(Authorship.record_id == ids[0],
                                                                     Authorship.name == "王伟"))
    index_records(hub, ids)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", wang, ids
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, PHONE])
def test_researcher_pages_in_both_languages_desktop_and_phone(portal, lang, width):
    base, wang, ids = portal
    device = "phone" if width == PHONE else "desktop"
    pages = {"researchers": "/researchers", "researcher": f"/researchers/{wang}",
             "researchers-search": "/researchers?q=Wang+Wei&institution=pku", "record": f"/records/{ids[2]}"}
    with chromium_page(width=width, height=900) as page:
        for name, path in pages.items():
            page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name}: {scroll}px wide at {width}px"
            page.screenshot(path=str(ARTIFACTS / f"researchers-{name}-{lang}-{device}.png"), full_page=True)
            assert_accessible(page, f"{path} ({lang}, {width}px)")
        page.goto(f"{base}/researchers/{wang}?lang={lang}")
        heading = page.locator("#h-evidence").inner_text()
        assert heading == ("为何这些记录属于同一人" if lang == "zh" else "Why these records are one person")
        evidence = page.locator("#evidence").inner_text()
        assert ("中文姓名与其拼音形式" if lang == "zh" else "the Chinese name and its pinyin form") in evidence


def test_a_year_column_leads_to_a_search_listing_that_years_records(portal):
    base, wang, _ids = portal
    with chromium_page(width=PHONE, height=900) as page:
        page.goto(f"{base}/researchers/{wang}?lang=en")
        column = page.locator("#researcher-years a.chart-link[aria-label='2020: 1']")
        assert column.count() == 1
        assert page.locator("#researcher-years a.chart-link").count() == 4  # 2017, 2019, 2020, 2021
        column.click()
        page.wait_for_url("**/search?**")
        titles = page.locator("li.result h3 a").all_inner_texts()
        assert titles == ["Message passing on large graphs"]  # the namesake's 2020 paper at fudan is not listed
        page.screenshot(path=str(ARTIFACTS / "researchers-year-click-en-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_record_creators_and_coauthors_lead_to_researcher_pages(portal):
    base, wang, ids = portal
    with chromium_page(width=1280, height=900) as page:
        page.goto(f"{base}/records/{ids[2]}?lang=zh")
        page.locator("p.creators a.researcher-link").first.click()
        page.wait_for_url(f"**/researchers/{wang}")
        assert page.locator("#researcher-name").inner_text().startswith("王伟")
        page.locator("table.coauthors a", has_text="李娜").click()
        page.wait_for_url("**/researchers/*")
        assert page.locator("#researcher-name").inner_text().startswith("李娜")
        page.click("#nav-researchers")
        page.wait_for_url("**/researchers")
        assert page.locator("h1").inner_text().startswith("人员")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_member_admin_splits_a_researcher_on_a_phone(hub, portal, lang):
    from hub.accounts.users import create_user
    from hub.models import Role

    base, wang, ids = portal
    with hub.db.session() as session:
        create_user(session, "pku-admin", "correct-horse-battery-9", Role.MEMBER_ADMIN, member="pku")
    with chromium_page(width=PHONE, height=900) as page:
        page.goto(f"{base}/admin/sign-in?lang={lang}")
        page.fill("input[name=username]", "pku-admin")
        page.fill("input[name=password]", "correct-horse-battery-9")
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(f"{base}/admin/researchers")
        page.locator("table.researchers a", has_text="王伟").click()
        page.wait_for_url(f"**/admin/researchers/{wang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert_accessible(page, f"/admin/researchers/{wang} ({lang}, phone)")
        page.screenshot(path=str(ARTIFACTS / f"admin-researcher-{lang}-phone.png"), full_page=True)
        page.check(f"input[name=ref][value='{ids[3]}:王伟']")
        page.click("#split-button")
        page.wait_for_load_state()
        flash = page.locator("p.flash").inner_text()
        assert flash == ("已拆分，重新收割后仍然有效。" if lang == "zh" else "Split saved; it is kept across re-harvests.")
        assert page.locator(f"input[name=ref][value='{ids[3]}:王伟']").count() == 0  # moved out
        page.goto(f"{base}/admin/researchers")
        assert_accessible(page, f"/admin/researchers ({lang}, phone)")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
