"""Links built from the request path stay on the hub (issue 14, item 12).

The 404 page (and every portal page) writes a language switch built from the request path, and the
sign-in form redirects to ``next=``. A hostile path or target (``//evil.example``, a backslash, a tab,
their percent-encoded forms) must never turn into a link or a redirect to another site: checked as
the HTML says, as Chromium resolves it, and as the sign-in redirect's Location says.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urljoin, urlsplit

import pytest

from hub.accounts.users import create_user
from hub.models import Role
from hub.web.links import local_path, same_site_target
from tests.browser import chromium_page

BASE = "http://hub.test"
LANG_SWITCH = re.compile(r'<a href="([^"]*)" hreflang="[a-z]+" lang="[^"]+" id="lang-switch"')
PASSWORD = "quartz-lantern-meadow-7413"

# What a client can put in the path: PATH_INFO after percent-decoding.
HOSTILE_PATHS = [
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example/x",
    "/\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "//evil.example\\@hub.test/",
]
# The same, as a visitor's browser sends them in a link someone planted.
HOSTILE_URLS = ["/%2F%2Fevil.example/x", "/%2F/evil.example", "/%5Cevil.example/x", "/%5C%5Cevil.example",
                "/%09/evil.example", "//evil.example/%2e%2e"]
HOSTILE_TARGETS = ["//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
                   "/\r\n/evil.example", "https://evil.example/admin/", "http:evil.example", "javascript:alert(1)",
                   "evil.example", " /admin/", "/admin/\r\nSet-Cookie: x=1"]


def html_unescape(href: str) -> str:
    return href.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')


def assert_same_site(href: str) -> None:
    """``href`` is a path of this site for any browser: one slash first, nothing it could reread."""
    assert href.startswith("/") and href[1:2] not in ("/", "\\"), href
    assert not re.search(r"[\x00-\x20\x7f\\]", href), href
    assert urlsplit(urljoin(BASE + "/a/b", href)).netloc == "hub.test", href


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_the_404_language_switch_stays_on_the_hub(client, path):
    response = client.get("/", environ_overrides={"PATH_INFO": path})
    assert response.status_code == 404
    switch = LANG_SWITCH.search(response.get_data(as_text=True))
    assert switch, "the 404 page carries the language switch"
    assert_same_site(html_unescape(switch.group(1)))


def test_the_language_switch_keeps_the_page_and_its_query(client):
    response = client.get("/search", query_string={"q": "learning", "page": "2"})
    href = html_unescape(LANG_SWITCH.search(response.get_data(as_text=True)).group(1))
    assert href == "/search?q=learning&page=2&lang=en"


@pytest.mark.parametrize("path", HOSTILE_PATHS + ["/search", "/records/1/", "/北京/x y", "/a%2Fb"])
def test_local_path_is_always_a_path_of_this_site(path):
    assert_same_site(local_path(path))


def test_local_path_keeps_an_ordinary_path():
    assert local_path("/institutions/pku") == "/institutions/pku"
    assert local_path("/search") == "/search"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_same_site_target_refuses_every_off_site_form(target):
    assert same_site_target(target) is None


@pytest.mark.parametrize("target", ["/admin/", "/admin/institutions?x=1", "/admin/repositories/3#runs"])
def test_same_site_target_keeps_a_path_of_the_hub(target):
    assert same_site_target(target) == target


@pytest.fixture
def root_user(hub):
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)


def sign_in_redirect(client, target: str) -> str:
    page = client.get("/admin/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/admin/sign-in", query_string={"next": target},
                           data={"username": "root", "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_sign_in_never_redirects_off_site(app, root_user, target):
    location = sign_in_redirect(app.test_client(), target)
    assert location in ("/admin/", "http://localhost/admin/"), location


def test_sign_in_redirects_to_a_page_of_the_hub(app, root_user):
    assert sign_in_redirect(app.test_client(), "/admin/institutions").endswith("/admin/institutions")


@pytest.fixture
def served(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_chromium_resolves_every_language_switch_to_the_hub(served):
    """What a visitor's browser does with the planted links: the switch it shows points at the hub."""
    origin = served
    with chromium_page() as page:
        for url in HOSTILE_URLS:
            page.goto(origin + url)
            resolved = page.eval_on_selector("#lang-switch", "a => a.href")
            assert resolved.startswith(origin + "/"), (url, resolved)
