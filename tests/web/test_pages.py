"""The portal's pages about the hub (about, help, contact, privacy), its name and footer, and the
theme override that lets a deployment rewrite them."""

from __future__ import annotations

import html
import re

import pytest

from hub.pipeline.index import index_records
from tests.search.conftest import add_member, add_record


@pytest.fixture
def site(hub, app):
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    ids = [add_record(hub, pku, 1, title="机器学习", title_lang="zho", year=2016, languages=("zho",)),
           add_record(hub, pku, 2, title="Deep learning", year=2012, rtype="doctoral thesis")]
    index_records(hub, ids)
    return ids


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def client_with(overrides, tmp_path, **settings):
    """A client of the same database and index under other settings (settings are frozen)."""
    from hub.app import create_app
    from hub.context import Hub

    instance = tmp_path / f"instance-{len(list(tmp_path.glob('instance-*')))}"
    instance.mkdir()
    return create_app(hub=Hub.create(overrides={**overrides, **settings}, instance_path=instance)).test_client()


@pytest.mark.parametrize("path", ["/about", "/help", "/contact", "/privacy"])
def test_each_page_answers_in_both_languages(client, site, path):
    zh = client.get(path + "?lang=zh")
    en = client.get(path + "?lang=en")
    assert zh.status_code == en.status_code == 200
    assert 'lang="zh-CN"' in zh.get_data(as_text=True) and 'lang="en"' in en.get_data(as_text=True)
    assert text(zh) != text(en)


def test_about_states_what_the_hub_holds(client, site):
    page = text(client.get("/about?lang=en"))
    assert re.search(r"<strong>2</strong>\s*records", page)
    assert "Peking University" in page and "CC0-1.0" in page
    assert "/statistics" in page


def test_help_gives_the_real_addresses_formats_and_harvesting_policy(hub, client, site):
    page = text(client.get("/help?lang=en"))
    base = hub.settings["BASE_URL"].rstrip("/")
    assert f"{base}/oai" in page and f"{base}/api/v1/openapi.json" in page
    assert f"{base}/.well-known/resourcesync" in page
    for prefix in ("oai_dc", "oai_openaire", "mods"):
        assert f"<code>{prefix}</code>" in page
    assert hub.settings["USER_AGENT"] in page
    assert f"{hub.settings['OAI_PAGE_SIZE_RECORDS']} records" in page
    assert "year:2010-2015" in page and "title:graphene" in page
    for field in ("abstract:", "identifier:", "creator:"):  # every field of hub.search.query, and its alias
        assert f"<code>{field}" in page
    assert "the same as author:" in page
    zh = text(client.get("/help?lang=zh"))
    assert all(f"<code>{field}" in zh for field in ("abstract:", "identifier:", "creator:"))
    assert "与 author: 相同" in zh and "the same as author" not in zh
    assert "采集器的 User-Agent" in zh and "每页返回 100 条记录" in zh


def test_contact_lists_the_hub_address_and_each_member(hub, client, site):
    from sqlalchemy import update

    from hub.models import Institution

    with hub.db.session() as session:
        session.execute(update(Institution).values(contact_email="ir@pku.example.edu", website="javascript:alert(1)"))
    page = client.get("/contact?lang=en").get_data(as_text=True)
    assert f'href="mailto:{hub.settings["ADMIN_EMAIL"]}"' in page
    assert 'href="mailto:ir@pku.example.edu"' in page
    assert "javascript:" not in page  # a member's website is linked only when it is http(s)


def test_privacy_describes_the_usage_counting_as_the_code_does(hub, client, site):
    page = text(client.get("/privacy?lang=en"))
    assert "first 16 characters" in page
    assert f"within {hub.settings['USAGE_DOUBLE_CLICK_SECONDS']} seconds" in page
    assert "<code>lang</code>" in page


def test_footer_links_every_page_and_interface_with_the_licence(client, site):
    page = client.get("/?lang=en").get_data(as_text=True)
    footer = page.split('<footer class="site">', 1)[1]
    for href in ("/about", "/help", "/contact", "/privacy", "/data", "/oai?verb=Identify",
                 "/.well-known/resourcesync", "/statistics"):
        assert f'href="{href}"' in footer, href
    assert 'rel="license">CC0-1.0</a>' in footer
    assert "/api/v1/" in footer


def test_the_hubs_name_in_each_language_comes_from_the_settings(overrides, tmp_path, site):
    client = client_with(overrides, tmp_path, SITE_NAME_ZH="华东高校知识库联盟",
                         SITE_NAME_EN="East China Repository Network")
    zh, en = text(client.get("/?lang=zh")), text(client.get("/?lang=en"))
    assert "<title>华东高校知识库联盟</title>" in zh and "East China Repository Network" not in zh
    assert "<title>East China Repository Network</title>" in en and "华东高校知识库联盟" not in en


def test_english_name_falls_back_to_the_repository_name(overrides, tmp_path, site):
    client = client_with(overrides, tmp_path, SITE_NAME_EN="", REPOSITORY_NAME="Test Network Hub")
    page = text(client.get("/about?lang=en"))
    assert "About Test Network Hub" in page


def test_a_deployment_rewrites_a_page_through_its_theme(overrides, tmp_path, site):
    theme = tmp_path / "themes" / "network" / "templates"
    theme.mkdir(parents=True)
    (theme / "about.html").write_text('{% extends "base.html" %}{% block content %}<h1>Our own story</h1>'
                                      "{% endblock %}", encoding="utf-8")
    client = client_with(overrides, tmp_path, THEMES_PATH=str(tmp_path / "themes"), THEME="network")
    about = text(client.get("/about"))
    assert "Our own story" in about and 'href="/privacy"' in about  # the default theme's footer around it
    assert "User-Agent" in text(client.get("/help"))  # the pages it does not override stay
