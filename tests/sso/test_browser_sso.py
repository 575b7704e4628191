"""Browser tests of federated sign-in (统一认证): Debian's Chromium, the hub on a live loopback server, and the
real Keycloak of scripts/services with its two institutions.

- univ-a over OpenID Connect: alice (group repository-managers; rule: that group -> member-admin) starts at
  /auth/login, signs in on Keycloak's own login page and lands in univ-a's admin area as its member admin;
  mallory (univ-a's IdP vouching for univ-b's scope) is refused by the hub; dora (disabled in Keycloak)
  never gets past Keycloak.
- univ-b over SAML 2.0: bob (entitlement repository-manager; rule: that entitlement -> member-admin) lands in
  univ-b's admin area.
- Signing out (the admin area's button) ends the hub session and, through the IdP's single logout, Keycloak's:
  the browser comes back to the hub's signed-out page, /admin/ asks to sign in again, and so does Keycloak.

Each test's hub has its own SQLite database and the members univ-a and univ-b with one repository each, so
the dashboard shows whose area it is. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync
from sqlalchemy import select

from hub.accounts.federation_metadata import add_saml_provider, read_idp_metadata
from hub.accounts.providers import add_oidc_provider, add_rule
from hub.context import Hub
from hub.members import add_institution, get_institution
from hub.models import AuditEntry, Repository, Role, User
from hub.models.accounts import AdminSession
from hub.models.federation import ExternalIdentity, IdentityProvider, Provisioning, RuleSource
from tests.browser import ARTIFACTS, chromium_page
from tests.sso.keycloak import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, PASSWORD, SP_ENTITY_ID, Keycloak

pytestmark = pytest.mark.services
expect = playwright_sync.expect
KEYCLOAK_WAIT = 30_000  # ms: Keycloak's pages on a busy machine
ENTITLEMENT = "urn:mace:chair.example.org:repository-manager"  # bob's, in the realm univ-b


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests are about the protocols, not the database (tests/sso's others cover both)."""
    return f"sqlite:///{tmp_path / 'chair.db'}"


@dataclass
class LiveHub:
    """The hub served on 127.0.0.1 (``base`` is also its BASE_URL) and its Hub."""

    base: str
    hub: Hub

    def user(self, username: str) -> User | None:
        with self.hub.db.session() as db:
            found = db.scalar(select(User).where(User.username == username))
            if found is not None:
                db.expunge(found)
            return found

    def institution_id(self, slug: str) -> int:
        with self.hub.db.session() as db:
            return get_institution(db, slug).id

    def audit_actions(self) -> list[str]:
        with self.hub.db.session() as db:
            return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all())


@pytest.fixture
def live(keycloak: Keycloak, overrides: dict[str, object], tmp_path: Path) -> Iterator[LiveHub]:
    """The hub on a free loopback port, with members univ-a and univ-b (a repository each), univ-a's OIDC
    provider (the Keycloak realm univ-a, scope univ-a.edu.cn) and univ-b's SAML IdP (the realm univ-b, its
    metadata read from Keycloak's descriptor URL as `chair sso add-saml` reads it, scope univ-b.edu.cn), accounts active at once, and their rules: univ-a's
    group repository-managers and univ-b's entitlement repository-manager make member admins."""
    from werkzeug.serving import make_server

    from hub.app import create_app

    holder: dict[str, object] = {}
    # the socket first (its port is the hub's BASE_URL), the application once the hub knows it
    server = make_server("127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    instance = tmp_path / "instance"
    instance.mkdir()
    hub = Hub.create(overrides={**overrides, "BASE_URL": base, "SAML_SP_ENTITY_ID": SP_ENTITY_ID},
                     instance_path=instance)
    with hub.db.session() as db:
        for slug, name_en, name_zh in (("univ-a", "University A", "甲大学"), ("univ-b", "University B", "乙大学")):
            institution = add_institution(db, slug, name_en, name_zh)
            db.flush()
            db.add(Repository(institution_id=institution.id, name=f"{name_en} Repository", platform="oai",
                              base_url=f"https://ir.{slug}.edu.cn/oai"))
        add_oidc_provider(db, slug="univ-a", issuer=keycloak.oidc_issuer, client_id=OIDC_CLIENT_ID,
                          client_secret=OIDC_CLIENT_SECRET, member="univ-a", scopes=["univ-a.edu.cn"],
                          provisioning=Provisioning.ACTIVE, name_en="University A", name_zh="甲大学",
                          allow_http=True)
        add_rule(db, member="univ-a", source=RuleSource.GROUP, value="repository-managers", role=Role.MEMBER_ADMIN)
        add_saml_provider(db, read_idp_metadata(hub, keycloak.saml_metadata_url), slug="univ-b", member="univ-b",
                          scopes=["univ-b.edu.cn"], provisioning=Provisioning.ACTIVE, name_en="University B",
                          name_zh="乙大学")
        add_rule(db, member="univ-b", source=RuleSource.ENTITLEMENT, value=ENTITLEMENT, role=Role.MEMBER_ADMIN)
    holder["app"] = create_app(hub=hub)
    keycloak.set_saml_logout_url(f"{base}/auth/saml/sls")  # SAML single logout comes back to this hub
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveHub(base, hub)
    keycloak.set_saml_logout_url("")
    server.shutdown()
    thread.join(5)
    server.server_close()
    hub.db.dispose()


@pytest.fixture
def page() -> Iterator[playwright_sync.Page]:
    with chromium_page(height=900) as opened:
        yield opened


def keycloak_login(page: playwright_sync.Page, username: str, password: str = PASSWORD) -> None:
    """Fill in and submit Keycloak's own login page (the browser is on it)."""
    expect(page.locator("#kc-form-login")).to_be_visible(timeout=KEYCLOAK_WAIT)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#kc-login")


def sign_out(page: playwright_sync.Page, live: LiveHub, screenshot: str) -> None:
    """Click the admin area's "Sign out": the hub session ends, the identity provider's single logout
    follows and the browser comes back to the hub's signed-out page; the admin area then asks to sign in."""
    page.click("header button:has-text('Sign out')")
    expect(page).to_have_url(re.compile("^" + re.escape(live.base) + "/auth/logged-out"), timeout=KEYCLOAK_WAIT)
    expect(page.locator("h1")).to_have_text("Signed out")
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    page.goto(f"{live.base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in"))


def start_oidc(page: playwright_sync.Page, live: LiveHub, keycloak: Keycloak) -> None:
    """From the hub's discovery page to univ-a's login page at Keycloak."""
    page.goto(f"{live.base}/auth/login?lang=en")
    expect(page.locator("h1")).to_have_text("Sign in with your institution")
    page.click("#idp-list a[data-slug=univ-a]")
    expect(page).to_have_url(re.compile("^" + re.escape(keycloak.oidc_issuer) + "/protocol/openid-connect/auth"),
                             timeout=KEYCLOAK_WAIT)


def test_alice_signs_in_through_keycloak_and_lands_in_univ_a_as_member_admin(live, keycloak, page):
    start_oidc(page, live, keycloak)
    expect(page.locator("body")).to_contain_text("University A (test, OpenID Connect)")  # Keycloak's realm page
    keycloak_login(page, "alice")

    expect(page).to_have_url(re.compile("^" + re.escape(live.base) + "/admin/"), timeout=KEYCLOAK_WAIT)
    expect(page.locator("h1")).to_have_text("Your repositories")
    expect(page.locator("header .user")).to_contain_text("alice")
    expect(page.locator("main")).to_contain_text("univ-a")
    expect(page.locator("main")).not_to_contain_text("univ-b")  # only her own member's area
    page.screenshot(path=str(ARTIFACTS / "sso-oidc-alice-landing.png"), full_page=True)

    alice = live.user("alice")
    assert alice is not None and alice.active
    assert alice.role == Role.MEMBER_ADMIN and alice.institution_id == live.institution_id("univ-a")
    with live.hub.db.session() as db:
        (link,) = db.scalars(select(ExternalIdentity).where(ExternalIdentity.user_id == alice.id)).all()
        sessions = db.scalars(select(AdminSession).where(AdminSession.user_id == alice.id)).all()
        assert link.subject and all(s.subject == link.subject for s in sessions)
        assert [s.method.value for s in sessions] == ["oidc"]
    assert "sso.sign-in" in live.audit_actions()

    # sign-out ends the hub session, then Keycloak's (single logout), and comes back to the hub
    sign_out(page, live, "sso-oidc-alice-signed-out.png")
    with live.hub.db.session() as db:
        assert db.scalars(select(AdminSession).where(AdminSession.user_id == alice.id)).all() == []  # row gone
    start_oidc(page, live, keycloak)  # Keycloak's session ended too: it asks for the password again
    expect(page.locator("#kc-form-login")).to_be_visible(timeout=KEYCLOAK_WAIT)


def test_mallory_asserting_another_members_scope_is_refused(live, keycloak, page):
    start_oidc(page, live, keycloak)
    keycloak_login(page, "mallory")  # Keycloak signs her in; the hub refuses what univ-a's IdP asserts

    expect(page).to_have_url(re.compile("^" + re.escape(live.base) + "/auth/oidc/univ-a/callback"),
                             timeout=KEYCLOAK_WAIT)
    expect(page.locator("h1")).to_have_text("Sign-in refused")
    expect(page.locator(".error")).to_contain_text("does not speak for")
    page.screenshot(path=str(ARTIFACTS / "sso-oidc-mallory-refused.png"), full_page=True)

    assert "sso.refused" in live.audit_actions() and "sso.sign-in" not in live.audit_actions()
    mallory = live.user("mallory")
    assert mallory is None or (mallory.role != Role.MEMBER_ADMIN
                               and mallory.institution_id != live.institution_id("univ-b"))
    page.goto(f"{live.base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in"))


def test_disabled_dora_cannot_sign_in(live, keycloak, page):
    start_oidc(page, live, keycloak)
    keycloak_login(page, "dora")

    expect(page.locator("body")).to_contain_text("Account is disabled", timeout=KEYCLOAK_WAIT)
    assert page.url.startswith(keycloak.oidc_issuer)  # Keycloak stops her: the hub never hears of her
    page.screenshot(path=str(ARTIFACTS / "sso-oidc-dora-disabled.png"), full_page=True)
    assert live.user("dora") is None
    page.goto(f"{live.base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in"))


def test_bob_signs_in_through_keycloak_saml_and_lands_in_univ_b_as_member_admin(live, keycloak, page):
    page.goto(f"{live.base}/auth/login?lang=en")
    page.click("#idp-list a[data-slug=univ-b]")
    expect(page).to_have_url(re.compile("^" + re.escape(keycloak.saml_sso_url)), timeout=KEYCLOAK_WAIT)
    expect(page.locator("body")).to_contain_text("University B (test, SAML 2.0)")  # Keycloak's realm page
    keycloak_login(page, "bob")  # Keycloak posts its signed response to /auth/saml/acs

    expect(page).to_have_url(re.compile("^" + re.escape(live.base) + "/admin/"), timeout=KEYCLOAK_WAIT)
    expect(page.locator("h1")).to_have_text("Your repositories")
    expect(page.locator("header .user")).to_contain_text("bob")
    expect(page.locator("main")).to_contain_text("univ-b")
    expect(page.locator("main")).not_to_contain_text("univ-a")
    page.screenshot(path=str(ARTIFACTS / "sso-saml-bob-landing.png"), full_page=True)

    with live.hub.db.session() as db:
        (link,) = db.scalars(select(ExternalIdentity).join(IdentityProvider)
                             .where(IdentityProvider.slug == "univ-b")).all()
        bob = db.get(User, link.user_id)
        assert bob.role == Role.MEMBER_ADMIN and bob.institution_id == get_institution(db, "univ-b").id
        assert link.subject.startswith("G-")  # Keycloak's persistent NameID
        (row,) = db.scalars(select(AdminSession).where(AdminSession.user_id == bob.id)).all()
        assert row.method.value == "saml" and row.subject == link.subject

    sign_out(page, live, "sso-saml-bob-signed-out.png")
    page.goto(f"{live.base}/auth/login?lang=en")
    page.click("#idp-list a[data-slug=univ-b]")  # Keycloak's session ended too: it asks for the password again
    expect(page.locator("#kc-form-login")).to_be_visible(timeout=KEYCLOAK_WAIT)
