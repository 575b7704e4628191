"""The admin lists reached from the navigation (repositories, quality problems, works, users, audit),
their filters and pagers, what member administrators see of them, and the admin area's language
switch (one language at a time, as in the portal)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.accounts.audit import log_action
from hub.models import Record, Repository, Work, WorkMember
from hub.pipeline.harvest import harvest
from hub.states import RepositoryState
from hub.web.admin.paging import PER_PAGE

NAV = ("/admin/", "/admin/institutions", "/admin/repositories", "/admin/quality", "/admin/works",
       "/admin/webhooks", "/admin/users", "/admin/audit")
HREF = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)


def nav_links(body: str) -> set[str]:
    match = HREF.search(body)
    assert match, "no navigation on the page"
    return set(re.findall(r'href="([^"?]+)', match.group(1)))


@pytest.fixture
def harvested(hub, network):
    """Both sample repositories harvested (their records carry quality findings)."""
    for repo_id in (network.donghai_repo, network.xiling_repo):
        harvest(hub, repo_id, full=True)
    return network


def english(client):
    client.get("/admin/?lang=en")
    return client


def test_every_admin_list_is_in_the_navigation_and_opens(signed_in, network):
    client = english(signed_in("root"))
    body = client.get("/admin/").get_data(as_text=True)
    assert set(NAV) <= nav_links(body)
    for path in NAV:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert 'aria-current="page"' in page, path  # the navigation says where the user is


def test_member_admin_navigation_leaves_out_what_they_cannot_open(signed_in, network):
    client = signed_in("dh-admin")
    links = nav_links(client.get("/admin/").get_data(as_text=True))
    assert "/admin/users" not in links and "/admin/audit" not in links
    for path in links - {"/statistics"}:
        assert client.get(path).status_code == 200, path


def test_repository_list_filters_by_member_state_health_and_platform(hub, signed_in, network):
    with hub.db.session() as session:
        session.get(Repository, network.xiling_repo).state = RepositoryState.PAUSED
    client = english(signed_in("root"))

    def names(query: str) -> set[str]:
        body = client.get("/admin/repositories" + query).get_data(as_text=True)
        return set(re.findall(r'<td><a href="/admin/repositories/\d+">([^<]+)</a></td>', body))

    assert names("") == {"Donghai IR", "Xiling ePrints"}
    assert names(f"?institution_id={network.donghai}") == {"Donghai IR"}
    assert names("?state=paused") == {"Xiling ePrints"}
    assert names("?state=active") == {"Donghai IR"}
    assert names("?health=never") == {"Donghai IR", "Xiling ePrints"}
    assert names("?health=failing") == set()
    assert names("?platform=oai") == {"Donghai IR", "Xiling ePrints"}
    assert names("?platform=dspace") == set()
    # bad filter values are no filter, never an error
    assert names("?state=bogus&institution_id=x&health=sick&platform=nope&page=-3") == {"Donghai IR", "Xiling ePrints"}
    body = client.get("/admin/repositories?state=paused").get_data(as_text=True)
    assert 'data-state="paused"' in body and "paused" in body  # the state is written, not only coloured
    assert '<option value="paused" selected>' in body


def test_member_admin_sees_only_their_repositories_whatever_the_filter(signed_in, network):
    client = english(signed_in("xl-admin"))
    for query in ("", f"?institution_id={network.donghai}", "?platform=oai"):
        body = client.get("/admin/repositories" + query).get_data(as_text=True)
        assert "Donghai" not in body and "donghai" not in body, query
    assert "Xiling ePrints" in client.get("/admin/repositories").get_data(as_text=True)


def test_quality_problems_filter_paginate_and_link_to_records(hub, signed_in, harvested):
    client = english(signed_in("root"))
    body = client.get("/admin/quality").get_data(as_text=True)
    total = int(re.search(r'<p id="list-count">(\d+) problems?</p>', body).group(1))
    assert total > 0
    record_links = re.findall(r'href="/records/(\d+)"', body)
    assert record_links and len(record_links) <= PER_PAGE
    with hub.db.session() as session:
        first = session.get(Record, int(record_links[0]))
        assert first is not None and not first.deleted
    if total > PER_PAGE:
        second = client.get("/admin/quality?page=2").get_data(as_text=True)
        assert set(re.findall(r'href="/records/(\d+)"', second)) != set(record_links) or "rel=\"prev\"" in second
    only = client.get(f"/admin/quality?repository_id={harvested.xiling_repo}&problem=missing").get_data(as_text=True)
    with hub.db.session() as session:
        xiling = set(session.scalars(select(Record.id).where(Record.repository_id == harvested.xiling_repo)))
    shown = {int(i) for i in re.findall(r'href="/records/(\d+)"', only)}
    assert shown <= xiling
    assert "invalid</span>" not in only
    member = english(signed_in("xl-admin")).get(
        f"/admin/quality?repository_id={harvested.donghai_repo}").get_data(as_text=True)
    assert "Donghai" not in member and re.search(r'<p id="list-count">0 problems</p>', member)


def test_works_list_links_each_work_and_respects_the_member(hub, signed_in, harvested):
    with hub.db.session() as session:
        ids = session.scalars(select(Record.id).where(Record.repository_id == harvested.donghai_repo)
                              .order_by(Record.id).limit(2)).all()
        work = Work(size=2, title="A shared <b>work</b>", doi="10.1/x")
        session.add(work)
        session.flush()
        for record_id in ids:
            member = session.get(WorkMember, record_id)
            if member is None:
                session.add(WorkMember(record_id=record_id, work_id=work.id, repository_id=harvested.donghai_repo))
            else:
                member.work_id = work.id
        work_id = work.id
    body = english(signed_in("root")).get("/admin/works?q=shared").get_data(as_text=True)
    assert f'href="/admin/works/{work_id}"' in body and "A shared &lt;b&gt;work&lt;/b&gt;" in body
    assert f'href="/admin/works/{work_id}"' not in english(signed_in("root")).get(
        "/admin/works?q=nothing-like-it").get_data(as_text=True)
    assert f'/admin/works/{work_id}"' in english(signed_in("dh-admin")).get("/admin/works").get_data(as_text=True)
    assert f'/admin/works/{work_id}"' not in english(signed_in("xl-admin")).get(
        f"/admin/works?institution_id={harvested.donghai}").get_data(as_text=True)


def test_audit_log_is_paginated_and_filtered(hub, signed_in, network):
    with hub.db.session() as session:
        for n in range(PER_PAGE + 5):
            log_action(session, None, "test.ping", target_type="thing", target_id=str(n))
        log_action(session, None, "test.other", target_type="thing", target_id="other")
    client = english(signed_in("root"))
    first = client.get("/admin/audit").get_data(as_text=True)
    assert 'rel="next"' in first and first.count("<tr><td>") == PER_PAGE
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and second.count("<tr><td>") >= 6
    only = client.get("/admin/audit?action=test.other").get_data(as_text=True)
    assert only.count("<tr><td>") == 1 and "thing other" in only


def test_admin_pages_speak_one_language_at_a_time(signed_in, network):
    client = signed_in("root")
    zh = client.get("/admin/?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "网络健康" in zh and "Network health" not in zh
    assert 'id="lang-switch"' in zh and ">English<" in zh
    en = client.get("/admin/repositories?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Repositories" in en and "机构库" not in en
    assert "中文" in en  # the switch back
    assert "Repositories" in client.get("/admin/repositories").get_data(as_text=True)  # the choice is kept
    sign_in_page = client.get("/admin/sign-in?lang=zh").get_data(as_text=True)
    assert "登录" in sign_in_page and "Sign in" not in sign_in_page


def test_every_filter_control_has_a_label(signed_in, network):
    client = english(signed_in("root"))
    for path in ("/admin/repositories", "/admin/quality", "/admin/works", "/admin/audit"):
        body = client.get(path).get_data(as_text=True)
        form = re.search(r'<form method="get" class="filters".*?</form>', body, re.S).group(0)
        controls = re.findall(r"<(select|input)\b", form)
        labelled = re.findall(r'<label class="field compact"><span>[^<]+</span>\s*<(?:select|input)\b', form)
        assert controls and len(labelled) == len(controls), path


def test_repository_page_and_its_live_progress_speak_the_visitors_language(signed_in, network):
    import html
    import json

    client = signed_in("root")
    zh = client.get(f"/admin/repositories/{network.donghai_repo}?lang=zh").get_data(as_text=True)
    words = json.loads(html.unescape(re.search(r"data-words='([^']*)'", zh).group(1)))
    assert words["none"] == "尚未收割。" and words["state-partial"] == "部分失败"
    assert "立即收割" in zh and "Harvest now" not in zh
    en = client.get(f"/admin/repositories/{network.donghai_repo}?lang=en").get_data(as_text=True)
    assert "Harvest now" in en and "立即收割" not in en
