"""Fixtures of the admin tests: sample repositories on loopback, two members with their users,
and signed-in test clients (CSRF tokens read from the pages, as a browser would)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hub.accounts.users import create_user
from hub.members import add_institution, add_repository
from hub.models import Role
from hub.samples.catalog import SampleRepository, demo_repositories
from hub.samples.faults import attach_faults
from hub.samples.server import serve

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    url: str
    repos: list[SampleRepository]

    def base_url(self, slug: str) -> str:
        return next(r for r in self.repos if r.slug == slug).base_url(self.url)


def start_site(records: int = 30, faults: tuple[str, ...] = (), page_size: int = 100):
    repos = [r for r in demo_repositories(records) if r.slug in ("donghai", "xiling")]
    for repo in repos:
        repo.page_size = page_size
    attach_faults(repos, list(faults))
    server, _thread, url = serve(repos)
    return server, Site(url, repos)


@pytest.fixture
def site() -> Iterator[Site]:
    server, made = start_site()
    yield made
    server.shutdown()
    server.server_close()


@dataclass
class Network:
    """Two members (donghai, xiling), one repository each, and users of every role."""

    donghai: int
    xiling: int
    donghai_repo: int
    xiling_repo: int


@pytest.fixture
def network(hub, site) -> Network:
    with hub.db.session() as session:
        a = add_institution(session, "donghai", "Donghai University", "东海大学", contact_email="ir@donghai.example")
        b = add_institution(session, "xiling", "Xiling University", "西岭大学")
        ra = add_repository(session, hub.pm, hub.settings, member="donghai", platform="oai",
                            base_url=site.base_url("donghai"), name="Donghai IR")
        rb = add_repository(session, hub.pm, hub.settings, member="xiling", platform="oai",
                            base_url=site.base_url("xiling"), name="Xiling ePrints")
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(session, "staff", PASSWORD, Role.VIEWER)
        create_user(session, "dh-admin", PASSWORD, Role.MEMBER_ADMIN, member="donghai")
        create_user(session, "xl-admin", PASSWORD, Role.MEMBER_ADMIN, member="xiling")
        return Network(a.id, b.id, ra.id, rb.id)


def csrf_of(client, path: str = "/admin/sign-in") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1"):
    """Post the sign-in form; returns the response."""
    token = csrf_of(client)
    return client.post("/admin/sign-in", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def signed_in(app):
    """A factory of test clients signed in as a given user."""

    def make(username: str):
        client = app.test_client()
        client.set_cookie("lang", "en")  # the admin tests read English pages (Chinese: tests/admin/test_admin_pages.py)
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.csrf = csrf_of(client, "/admin/")
        return client

    return make
