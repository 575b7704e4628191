"""The discovery page (/auth/login) and sign-out (/auth/logout): providers by member in both languages, the
search (?q=) in Chinese and English, the last choice first, local sign-in beside them, and sign-out ending
the hub session then sending an OpenID Connect session to its provider's logout."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from hub.accounts.providers import add_oidc_provider, set_enabled
from hub.accounts.sessions import open_session
from hub.accounts.users import create_user
from hub.members import add_institution
from hub.models import AuditEntry, Role, User, utcnow
from hub.models.accounts import AdminSession, SignInMethod

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SLUGS = re.compile(r'<li data-search="[^"]*"><a href="[^"]+" data-slug="([^"]+)"')


@pytest.fixture
def providers(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "Donghai University", "东海大学")
        add_institution(db, "univ-b", "Xiling University", "西岭大学")
        add_oidc_provider(db, slug="univ-a", issuer="https://idp.donghai.edu.cn", client_id="c", client_secret="s",
                          member="univ-a", scopes=["donghai.edu.cn"], name_zh="东海大学统一身份认证",
                          name_en="Donghai University SSO")
        made = add_oidc_provider(db, slug="univ-b", issuer="https://idp.xiling.edu.cn", client_id="c",
                                 client_secret="s", member="univ-b", scopes=["xiling.edu.cn"],
                                 name_zh="西岭大学统一认证", name_en="Xiling University login")
        made.config = {**made.config, "discovered_at": utcnow().isoformat(), "discovery": {
            "issuer": "https://idp.xiling.edu.cn", "authorization_endpoint": "https://idp.xiling.edu.cn/auth",
            "token_endpoint": "https://idp.xiling.edu.cn/token", "jwks_uri": "https://idp.xiling.edu.cn/certs",
            "end_session_endpoint": "https://idp.xiling.edu.cn/logout"}}
        add_oidc_provider(db, slug="closed", issuer="https://idp.closed.example", client_id="c", client_secret="s",
                          name_en="Closed provider")
        set_enabled(db, "closed", False)
    return hub


def shown(client, query: str = "") -> list[str]:
    page = client.get("/auth/login" + query)
    assert page.status_code == 200
    return SLUGS.findall(page.get_data(as_text=True))


def test_enabled_providers_by_member_beside_local_sign_in(providers, client):
    page = client.get("/auth/login?lang=zh").get_data(as_text=True)
    assert shown(client) == ["univ-a", "univ-b"]  # the disabled one is not offered
    assert "东海大学统一身份认证" in page and "<h2>东海大学</h2>" in page and "Donghai University SSO" in page
    assert 'href="/admin/sign-in"' in page and "/auth/static/auth.js" in page
    english = client.get("/auth/login?lang=en").get_data(as_text=True)
    assert "<h2>Donghai University</h2>" in english and ">Donghai University SSO</a>" in english


def test_search_in_chinese_and_english(providers, client):
    assert shown(client, "?q=西岭") == ["univ-b"]
    assert shown(client, "?q=donghai") == ["univ-a"]
    assert shown(client, "?q=XILING+login") == ["univ-b"]
    assert shown(client, "?q=xiling.edu.cn") == ["univ-b"]  # a scope
    assert shown(client, "?q=清华") == []
    assert "没有与搜索相符的机构" in client.get("/auth/login?q=清华&lang=zh").get_data(as_text=True)


def test_the_last_choice_is_remembered_and_shown_first(providers, client):
    assert client.get("/auth/oidc/univ-b/login").status_code == 302
    page = client.get("/auth/login?lang=en").get_data(as_text=True)
    remembered = re.search(r'id="idp-remembered">.*?data-slug="([^"]+)"', page, re.DOTALL)
    assert remembered and remembered.group(1) == "univ-b"
    client.set_cookie("chair_idp", "no-such-provider", path="/auth/")
    assert 'id="idp-remembered"' not in client.get("/auth/login").get_data(as_text=True)


def test_next_is_kept_on_this_site_only(providers, client):
    page = client.get("/auth/login?next=/admin/runs").get_data(as_text=True)
    assert "/auth/oidc/univ-a/login?next=/admin/runs" in page and "/admin/sign-in?next=/admin/runs" in page
    assert 'name="next" value="/admin/runs"' in page  # the search keeps it
    elsewhere = client.get("/auth/login?next=https://evil.example/").get_data(as_text=True)
    assert 'href="/auth/oidc/univ-a/login"' in elsewhere and 'href="/admin/sign-in"' in elsewhere
    assert 'name="next"' not in elsewhere


def sign_in_as(hub, client, method: SignInMethod, provider_slug: str | None = None) -> None:
    with hub.db.session() as db:
        user = db.scalar(select(User).where(User.username == "someone")) or \
            create_user(db, "someone", "correct horse battery", Role.VIEWER)
        provider_id = None
        if provider_slug:
            from hub.accounts.providers import get_provider

            provider_id = get_provider(db, provider_slug).id
        token = open_session(db, hub.settings, user, method=method, provider_id=provider_id, subject="sub-1",
                             logout={"id_token_hint": "header.payload.signature"} if provider_slug else None)
    with client.session_transaction() as kept:
        kept["sid"] = token
        kept["csrf"] = "csrf-token"


def test_sign_out_of_an_oidc_session_goes_to_the_providers_logout(providers, client):
    sign_in_as(providers, client, SignInMethod.OIDC, "univ-b")
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    out = client.post("/auth/logout", data={"csrf_token": "csrf-token"})
    # a page of the hub's, not a redirect: a form's redirect to another site breaks form-action 'self'
    assert out.status_code == 200 and out.headers["Cache-Control"] == "no-store"
    refresh = out.headers["Refresh"]
    assert refresh.startswith("0; url=")
    assert f'href="{html.escape(refresh[7:])}"' in out.get_data(as_text=True)
    target = urlsplit(refresh[7:])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.xiling.edu.cn/logout"
    assert parse_qs(target.query) == {"id_token_hint": ["header.payload.signature"], "client_id": ["c"],
                                      "post_logout_redirect_uri": ["http://127.0.0.1:5000/auth/logged-out"]}
    with providers.db.session() as db:
        assert db.scalars(select(AdminSession)).all() == []
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.sign-out"))
        assert entry.target_id == "univ-b" and entry.after["subject"] == "sub-1"


def test_sign_out_of_a_local_session_or_a_provider_without_logout_stays_here(providers, client):
    sign_in_as(providers, client, SignInMethod.LOCAL)
    out = client.post("/auth/logout", data={"csrf_token": "csrf-token"})
    assert out.headers["Location"] == "/auth/logged-out"
    sign_in_as(providers, client, SignInMethod.OIDC, "univ-a")  # no discovery document read: no end_session
    out = client.post("/auth/logout", data={"csrf_token": "csrf-token"})
    assert out.headers["Location"] == "/auth/logged-out"
    assert "您已退出登录" in client.get("/auth/logged-out?lang=zh").get_data(as_text=True)


def test_the_admin_sign_out_button_offers_single_logout_too(providers, client):
    sign_in_as(providers, client, SignInMethod.OIDC, "univ-b")
    out = client.post("/admin/sign-out?lang=en", data={"csrf_token": "csrf-token"})
    assert out.status_code == 200 and out.headers["Refresh"].startswith("0; url=https://idp.xiling.edu.cn/logout?")
    assert "Now signing you out of Xiling University login too" in out.get_data(as_text=True)
    with providers.db.session() as db:
        assert db.scalars(select(AdminSession)).all() == []
