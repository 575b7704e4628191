"""Browser tests of the search and record pages (Debian's Chromium through Playwright): the advanced
search, the year range, numbered pages and page sizes, export downloads, the filters collapsed on a
390 px phone, and the record page's citations copied to the clipboard, in Chinese and English.
Screenshots of both pages, both languages, desktop and phone, go to test-artifacts/."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hub.pipeline.index import index_records
from tests.a11y import assert_accessible
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record, attach_text

PHONE = 390


@pytest.fixture
def portal(hub, app):
    """The portal on a free loopback port with 25 records: bilingual subjects, one with four authors,
    a DOI and a stored PDF."""
    from werkzeug.serving import make_server

    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = {
        "zh": add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", languages=("zho",),
                         abstract="本文讨论机器学习在影像中的应用。", year=2016, subjects=("计算机科学",),
                         creators=("王力", "李明", "张华", "赵强"), source=["计算机学报"]),
        "en": add_record(hub, fdu, 2, title="Deep learning for sensor networks", abstract="Sensor networks.",
                         year=2012, rtype="doctoral thesis", subjects=("Computer science",),
                         creators=("Smith, Jane Anne",), doi="10.1234/deep"),
    }
    ids["embargo"] = add_record(hub, fdu, 26, title="Embargoed thesis on graph sensors", year=2024,
                                rtype="master thesis", files=[{"url": "https://repo.example.edu/e.pdf",
                                                               "access": "embargoed", "embargo_until": "2099-01-31"}])
    for n in range(3, 26):
        ids[f"s{n}"] = add_record(hub, pku, n, title=f"统计学习方法研究 {n}", title_lang="zho", year=1997 + n,
                                  languages=("zho",), subjects=("统计学",))
    attach_text(hub, ids["en"], "Chapter one: deep learning on sensor networks.", data=b"%PDF-1.4\n% sensor\n")
    index_records(hub, ids.values())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(5)


def test_advanced_search_year_range_paging_and_export_in_chinese(portal):
    base, ids = portal
    with chromium_page() as page:
        page.goto(base + "/search?lang=zh")
        page.click("#advanced summary")
        page.select_option("#af1", "title")
        page.fill("#at1", "learning")
        page.select_option("#ao2", "OR")
        page.select_option("#af2", "subject")
        page.fill("#at2", "Computer Science")  # the merged subject: finds the Chinese record too
        page.select_option("#ao3", "NOT")
        page.fill("#at3", "传感器")
        page.click("#adv-submit")
        page.wait_for_url("**/search?*at=learning*")
        assert page.locator("#h-count").inner_text() == "共 2 条结果"
        assert page.locator("#advanced").get_attribute("open") is not None
        page.screenshot(path=str(ARTIFACTS / "search-page-advanced-zh.png"), full_page=True)

        page.goto(base + "/search?q=统计&lang=zh")
        page.fill("#year-from", "2005")
        page.fill("#year-to", "2010")
        page.click("#year-apply")
        page.wait_for_url("**from=2005&to=2010*")
        assert page.locator("#h-count").inner_text() == "共 6 条结果"
        assert page.locator("#chip-years").is_visible()

        page.goto(base + "/search?q=统计&lang=zh")
        page.click("#page-sizes a:text-is('10')")
        page.wait_for_url("**size=10*")
        assert page.locator("ol.results li.result").count() == 10
        page.click("nav.pages a[aria-label='第 3 页']")
        page.wait_for_url("**page=3*")
        assert page.locator("nav.pages [aria-current='page']").inner_text() == "3"
        assert page.locator("ol.results li.result").count() == 3
        page.screenshot(path=str(ARTIFACTS / "search-page-paged-zh.png"), full_page=True)
        assert_accessible(page, "search (zh)")

        with page.expect_download() as info:
            page.click("a[data-export='ris']")
        ris = Path(info.value.path()).read_text("utf-8")
        assert ris.count("TY  - ") == 23 and "统计学习方法研究" in ris
        with page.expect_download() as info:
            page.click("a[data-export='csv']")
        assert Path(info.value.path()).read_text("utf-8-sig").splitlines()[0].startswith("id,url,title")

        page.goto(base + "/search?q=zzqqxx&lang=zh")
        assert page.locator("#h-none").inner_text() == "没有找到结果"
        assert page.locator("#no-results a[href='/browse/subject']").is_visible()


def test_search_on_a_phone_in_english_filters_collapsed(portal):
    base, ids = portal
    with chromium_page(width=PHONE, height=844) as page:
        page.goto(base + "/search?q=learning&lang=en")
        filters = page.locator("details.filters")
        assert filters.get_attribute("open") is None  # closed on a phone; the results come first
        assert not page.locator("#year-from").is_visible()
        assert page.locator("ol.results li.result").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "search-page-en-phone.png"), full_page=True)
        page.click("details.filters summary")
        assert page.locator("#year-from").is_visible()
        assert page.locator("a[data-facet='subject']").first.inner_text() == "Computer Science"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE, f"the page scrolls sideways on a phone: {width}px"
        page.click("#advanced summary")
        page.fill("#at1", "sensor")
        page.click("#adv-submit")
        page.wait_for_url("**at=sensor*")
        assert page.locator("ol.results li.result").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        page.screenshot(path=str(ARTIFACTS / "search-page-advanced-en-phone.png"), full_page=True)
        assert_accessible(page, "search (en, phone)")
    with chromium_page() as page:
        page.goto(base + "/search?q=learning&lang=en")
        assert page.locator("details.filters").get_attribute("open") is not None
        page.screenshot(path=str(ARTIFACTS / "search-page-en.png"), full_page=True)
    with chromium_page(width=PHONE, height=844) as page:
        page.goto(base + "/search?q=统计&lang=zh")
        page.screenshot(path=str(ARTIFACTS / "search-page-zh-phone.png"), full_page=True)


@pytest.mark.parametrize(("lang", "width"), [("zh", 1280), ("en", 1280), ("zh", PHONE), ("en", PHONE)])
def test_record_citation_copied_in_both_languages_and_on_a_phone(portal, lang, width):
    base, ids = portal
    with chromium_page(width=width, height=900) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page.goto(f"{base}/records/{ids['zh']}?lang={lang}")
        gbt = page.locator("#cite-gbt7714").inner_text()
        assert gbt == "王力, 李明, 张华, 等. 机器学习在医学影像中的应用[J]. 计算机学报, 2016."
        page.click("button[data-copy='cite-gbt7714']")
        page.wait_for_function("document.getElementById('cite-gbt7714-status').textContent !== ''")
        assert page.locator("#cite-gbt7714-status").inner_text() == ("已复制" if lang == "zh" else "Copied")
        assert page.evaluate("navigator.clipboard.readText()") == gbt
        suffix = "" if width > PHONE else "-phone"
        page.screenshot(path=str(ARTIFACTS / f"record-page-{lang}{suffix}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto(f"{base}/records/{ids['en']}?lang={lang}")
        page.click("button[data-copy='cite-apa']")
        page.wait_for_function("document.getElementById('cite-apa-status').textContent !== ''")
        assert page.evaluate("navigator.clipboard.readText()") == \
            "Smith, J. A. (2012). Deep learning for sensor networks [Doctoral dissertation, Fudan University]. " \
            "https://doi.org/10.1234/deep"
        assert page.locator("#offer .badge").first.inner_text() == ("全文" if lang == "zh" else "Full text")
        assert page.locator("a[href='https://hdl.handle.net/123456789/2']").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"record-page-fulltext-{lang}{suffix}.png"), full_page=True)
        assert_accessible(page, f"record ({lang}, {width}px)")

        page.goto(f"{base}/records/{ids['embargo']}?lang={lang}")
        assert page.locator("#offer .badge").inner_text() == \
            ("2099-01-31 前不开放" if lang == "zh" else "Embargoed until 2099-01-31")
        assert page.locator("ul.files a").count() == 0  # nothing to download before the embargo ends
