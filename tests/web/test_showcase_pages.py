"""The showcase pages: disciplines (overview, one discipline, CSV, report) and collaboration, in
Chinese and English, with bad codes and slugs answered 400/404, read from aggregate rows written
directly (tests.showcase.showcase_seed)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.showcase.showcase_seed import seed_network


@pytest.fixture
def seeded(hub, client):
    return client, seed_network(hub)


def test_overview_lists_disciplines_under_categories(seeded):
    client, _ids = seeded
    zh = client.get("/disciplines?lang=zh").get_data(as_text=True)
    assert "<h1>学科</h1>" in zh and 'id="category-08"' in zh and "工学" in zh
    assert 'href="/disciplines/0812">计算机科学与技术</a>' in zh
    en = client.get("/disciplines?lang=en").get_data(as_text=True)
    assert "Computer Science and Technology" in en and 'id="discipline-0701"' in en
    row = en[en.index('id="discipline-0812"'):].split("</tr>")[0]
    assert ">8<" in row and ">3<" in row and "37.5%" in row and "12.5%" in row and "+600%" in row


def test_empty_network_says_so(client):
    page = client.get("/disciplines?lang=en").get_data(as_text=True)
    assert 'id="no-disciplines"' in page
    assert client.get("/disciplines/0812?lang=en").status_code == 200  # a discipline of the catalogue


def test_one_discipline_page_with_links_to_its_records(seeded):
    client, _ids = seeded
    page = client.get("/disciplines/0812?lang=en").get_data(as_text=True)
    assert "Computer Science and Technology" in page and 'id="stat-records"><strong>8</strong>' in page
    assert 'href="/search?discipline=0812&amp;institution=pku&amp;from=2019&amp;to=2019"' in page
    assert 'href="/search?discipline=0812&amp;from=2018&amp;to=2018"' in page  # a year column
    assert 'href="/search?discipline=0812&amp;institution=fdu"' in page  # a member's bar
    assert 'href="/researchers/' in page and "Wang, Wei" in page
    assert "机器学习" in page and 'id="discipline-csv"' in page and 'id="discipline-report"' in page
    zh = client.get("/disciplines/0812?lang=zh").get_data(as_text=True)
    assert "计算机科学与技术" in zh and "王伟" in zh and "北京大学" in zh


@pytest.mark.parametrize("path", ["/disciplines/08", "/disciplines/abcd", "/disciplines/08120",
                                  "/disciplines/08x2.csv", "/disciplines/1/report"])
def test_malformed_codes_are_400(seeded, path):
    client, _ids = seeded
    resp = client.get(path + "?lang=en")
    assert resp.status_code == 400
    assert "four digits" in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/disciplines/0899", "/disciplines/0899.csv", "/disciplines/9999/report",
                                  "/collaboration?institution=nobody"])
def test_unknown_codes_and_members_are_404(seeded, path):
    client, _ids = seeded
    assert client.get(path).status_code == 404


def test_csv_is_excel_ready_member_by_year(seeded):
    client, _ids = seeded
    resp = client.get("/disciplines/0812.csv?lang=zh")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for UTF-8
    assert 'filename="discipline-0812.csv"' in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0] == ["成员", "简称", "2016", "2018", "2019", "2020", "年份不详", "合计"]
    assert rows[1] == ["北京大学", "pku", "1", "0", "3", "1", "0", "5"]
    assert rows[-1] == ["全网", "", "1", "2", "3", "2", "0", "8"]


def test_report_is_printable(seeded):
    client, _ids = seeded
    page = client.get("/disciplines/0812/report?lang=en").get_data(as_text=True)
    assert "css/print.css" in page and 'class="report"' in page
    assert 'id="report-records">8<' in page and "Report: Computer Science and Technology" in page
    assert 'class="searchbar"' not in page


def test_collaboration_network_matrix_meeting_crossing(seeded):
    client, ids = seeded
    page = client.get("/collaboration?lang=en").get_data(as_text=True)
    assert 'svg class="chart network"' in page and 'class="heatmap"' in page
    assert 'class="cell heat-5"' in page and 'class="cell heat-3"' in page  # weights 2 and 1 of 2
    assert "Mathematics + Computer Science and Technology" in page
    assert f'href="/records/{ids["records"][7]}">跨学科</a>' in page  # the newer record of the work
    assert f'href="/records/{ids["records"][6]}"' not in page  # the same work once
    one = client.get("/collaboration?institution=pku&lang=zh").get_data(as_text=True)
    assert "合作：北京大学" in one and "复旦大学" in one and "浙江大学</a></td>" not in one


def test_institution_page_leads_with_its_showcase(seeded):
    client, ids = seeded
    page = client.get("/institutions/pku?lang=en").get_data(as_text=True)
    assert page.index('id="showcase"') < page.index('id="h-repos"')
    assert 'href="/search?discipline=0812&amp;institution=pku"' in page  # a discipline bar
    assert 'href="/search?discipline=0701&amp;institution=pku"' in page
    assert f'href="/researchers/{ids["wang"]}">Wang, Wei</a>' in page
    partners = page.split('id="partners"', 1)[1].split("</section>", 1)[0]
    assert 'href="/institutions/fdu">Fudan University</a>' in partners and "zju" not in partners
    assert re.search(r'id="stat-oa"[^>]*><strong>33.3%</strong>', page)  # 2 of 6 discipline records
    assert 'id="stat-partners"><strong>1</strong>' in page
    assert 'href="/collaboration?institution=pku"' in page
    zh = client.get("/institutions/pku?lang=zh").get_data(as_text=True)
    assert "各学科的记录数" in zh and "王伟" in zh and "复旦大学" in zh
