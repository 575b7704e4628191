"""The OpenID Connect relying party against the real Keycloak (realm univ-a): the whole code flow driven over
HTTP through Keycloak's own login form into the hub's callback, roles from univ-a's rules, a user asserting
another member's scope refused, a disabled account, single logout, a replayed callback, and ID tokens Keycloak
really issued failing the hub's checks when they are not for this sign-in."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from hub.accounts.oidc import OidcError, verify_id_token
from hub.accounts.providers import add_oidc_provider, add_rule, get_provider
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.accounts import AdminSession, SignInMethod
from hub.models.federation import ExternalIdentity, Provisioning, RuleSource
from tests.sso.keycloak import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, LoginRefused, oidc_sign_in, submit_login

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def univ_a(hub, keycloak):
    """univ-a with its Keycloak provider (active accounts) and rules; univ-b owns univ-b.edu.cn."""
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        add_institution(db, "univ-b", "University B", "乙大学")
        add_oidc_provider(db, slug="univ-a", issuer=keycloak.oidc_issuer, client_id=OIDC_CLIENT_ID,
                          client_secret=OIDC_CLIENT_SECRET, member="univ-a", scopes=["univ-a.edu.cn"],
                          provisioning=Provisioning.ACTIVE, name_zh="甲大学统一身份认证", name_en="University A SSO",
                          allow_http=True)
        add_oidc_provider(db, slug="univ-b-oidc", issuer="https://idp.univ-b.edu.cn", client_id="c",
                          client_secret="s", member="univ-b", scopes=["univ-b.edu.cn"])
        add_rule(db, member="univ-a", source=RuleSource.GROUP, value="repository-managers", role=Role.MEMBER_ADMIN)
        add_rule(db, member="univ-a", source=RuleSource.SCOPED_AFFILIATION, value="staff@univ-a.edu.cn",
                 role=Role.MEMBER_ADMIN)
    return hub


def sign_in(client, username: str) -> tuple[requests.Session, str, object]:
    """From the hub's sign-in link through Keycloak's login page back to the hub's callback; returns the
    browser's Keycloak session, the callback URL and the hub's answer to it."""
    start = client.get("/auth/oidc/univ-a/login?next=/admin/")
    assert start.status_code == 302
    browser = requests.Session()
    page = browser.get(start.headers["Location"], timeout=30)
    answer = submit_login(browser, page, username)
    assert answer.status_code == 302, answer.text[:500]
    callback = answer.headers["Location"]
    parts = urlsplit(callback)
    assert parts.path == "/auth/oidc/univ-a/callback" and "code" in parse_qs(parts.query)
    return browser, callback, client.get(f"{parts.path}?{parts.query}")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_alice_signs_in_through_keycloak_as_her_members_admin(univ_a, client):
    _browser, _callback, answer = sign_in(client, "alice")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    with univ_a.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        assert user.role == Role.MEMBER_ADMIN and user.institution.slug == "univ-a" and not user.has_password
        assert user.email == "alice@univ-a.edu.cn"
        row = db.scalar(select(AdminSession).where(AdminSession.user_id == user.id))
        assert row.method == SignInMethod.OIDC and row.subject and row.logout["id_token_hint"].count(".") == 2
        config = get_provider(db, "univ-a").config  # discovery document and key set cached, with the time read
        assert config["discovery"]["issuer"] == config_issuer(univ_a) and config["discovered_at"]
        assert config["jwks"]["keys"]


def config_issuer(hub) -> str:
    with hub.db.session() as db:
        return get_provider(db, "univ-a").key


def test_userinfo_is_read_when_configured(univ_a, client):
    with univ_a.db.session() as db:
        provider = get_provider(db, "univ-a")
        provider.config = {**provider.config, "userinfo": True}
    assert sign_in(client, "alice")[2].status_code == 302
    with univ_a.db.session() as db:
        link = db.scalar(select(ExternalIdentity))
        assert link.attributes["email"] == "alice@univ-a.edu.cn" and link.attributes["groups"] == [
            "repository-managers"]
        provider = get_provider(db, "univ-a")  # now another realm's userinfo: the access token is not its own
        document = {**provider.config["discovery"], "userinfo_endpoint":
                    provider.config["discovery"]["userinfo_endpoint"].replace("/univ-a/", "/univ-b/")}
        provider.config = {**provider.config, "discovery": document}
    answer = sign_in(client.application.test_client(), "alice")[2]
    assert answer.status_code == 502 and "无法读取身份提供者的用户信息" in answer.get_data(as_text=True)
    with univ_a.db.session() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.error")).after["kind"] == "userinfo"


def test_a_discovery_document_naming_another_issuer_is_refused(univ_a, client, keycloak):
    with univ_a.db.session() as db:
        get_provider(db, "univ-a").key = keycloak.oidc_issuer + "/"  # Keycloak's document names it without
    answer = client.get("/auth/oidc/univ-a/login?lang=en")
    assert answer.status_code == 502 and "cannot be reached or is not set up correctly" in answer.get_data(
        as_text=True)


def test_carol_a_member_no_rule_names_is_refused_without_an_account(univ_a, client):
    answer = sign_in(client, "carol")[2]  # member@univ-a.edu.cn: univ-a's scope, but no rule gives it a role
    assert answer.status_code == 403 and "尚未为您的账号分配平台角色" in answer.get_data(as_text=True)
    with univ_a.db.session() as db:
        assert db.scalar(select(User).where(User.username == "carol")) is None
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.refused"))
        assert entry.after["outcome"] == "refused-no-role" and entry.target_id == "univ-a"


def test_mallory_asserting_another_members_scope_is_refused(univ_a, client):
    answer = sign_in(client, "mallory")[2]
    assert answer.status_code == 403 and client.get("/admin/").status_code == 302
    with univ_a.db.session() as db:
        assert db.scalar(select(User).where(User.username == "mallory")) is None


def test_a_disabled_keycloak_account_never_reaches_the_hub(univ_a, client):
    with pytest.raises(LoginRefused):
        sign_in(client, "dora")


def test_an_account_the_hub_deactivated_stays_refused(univ_a, client):
    sign_in(client, "alice")
    with univ_a.db.session() as db:
        db.scalar(select(User).where(User.username == "alice")).active = False
    fresh = client.application.test_client()
    assert sign_in(fresh, "alice")[2].status_code == 403


def test_a_replayed_callback_is_refused(univ_a, client):
    _browser, callback, answer = sign_in(client, "alice")
    assert answer.status_code == 302
    assert client.get(path_of(callback)).status_code == 400


def test_sign_out_ends_the_hub_session_and_logs_out_at_keycloak(univ_a, client):
    browser, _callback, _answer = sign_in(client, "alice")
    token = CSRF.search(client.get("/admin/").get_data(as_text=True)).group(1)
    out = client.post("/auth/logout", data={"csrf_token": token})
    assert out.status_code == 200
    logout_url = out.headers["Refresh"].removeprefix("0; url=")
    target = urlsplit(logout_url)
    query = parse_qs(target.query)
    assert target.path.endswith("/protocol/openid-connect/logout") and query["id_token_hint"]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/auth/logged-out"]
    assert client.get("/admin/").status_code == 302  # the hub session is gone
    with univ_a.db.session() as db:
        assert db.scalars(select(AdminSession)).all() == []
    back = browser.get(logout_url, allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"].startswith("http://127.0.0.1:5000/auth/logged-out")
    again = browser.get(client.get("/auth/oidc/univ-a/login").headers["Location"], timeout=30)
    assert 'name="password"' in again.text  # Keycloak's own session ended too: its login form is back


def test_id_tokens_keycloak_issued_fail_when_not_for_this_sign_in(univ_a, keycloak):
    tokens = oidc_sign_in(keycloak, "alice", "http://127.0.0.1:5000/auth/oidc/univ-a/callback", nonce="n-1")
    keys = requests.get(keycloak.oidc_configuration()["jwks_uri"], timeout=30).json()
    check = {"keys": keys, "issuer": keycloak.oidc_issuer, "client_id": OIDC_CLIENT_ID, "nonce": "n-1",
             "leeway": 120}
    claims = verify_id_token(tokens["id_token"], **check)
    assert claims["groups"] == ["repository-managers"] and claims["eduPersonScopedAffiliation"]
    for change, reason in (({"nonce": "n-2"}, "nonce"), ({"client_id": "another-client"}, "audience"),
                           ({"issuer": f"{keycloak.base_url}/realms/univ-b"}, "issuer"),
                           ({"now": time.time() + 3600}, "expired")):
        with pytest.raises(OidcError, match=reason):
            verify_id_token(tokens["id_token"], **{**check, **change})
    head, body, signature = tokens["id_token"].split(".")
    tampered = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    with pytest.raises(OidcError, match="signature"):
        verify_id_token(f"{head}.{body}.{tampered}", **check)
