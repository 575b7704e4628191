"""The OpenID Connect views without a provider: the redirect to the provider (PKCE S256, state, nonce), several
tabs at once, and the clear pages of an answer that cannot be used (unknown state, used twice, expired,
error=access_denied, a token endpoint that does not answer, an unknown provider), each in the audit log."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from hub.accounts.providers import add_oidc_provider, get_provider
from hub.members import add_institution
from hub.models import AuditEntry, utcnow
from hub.models.federation import Provisioning

ISSUER = "https://idp.univ-a.edu.cn/realms/univ-a"


@pytest.fixture
def provider(hub):
    """univ-a's provider, its discovery document already cached (endpoints on a closed loopback port)."""
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        made = add_oidc_provider(db, slug="univ-a", issuer=ISSUER, client_id="chair-hub", client_secret="s",
                                 member="univ-a", scopes=["univ-a.edu.cn"], provisioning=Provisioning.ACTIVE)
        made.config = {**made.config, "discovered_at": utcnow().isoformat(), "discovery": {
            "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
            "token_endpoint": "http://127.0.0.1:9/token", "jwks_uri": "http://127.0.0.1:9/certs",
            "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout"}}
    return hub


def start(client, next_url: str = "") -> dict[str, str]:
    answer = client.get("/auth/oidc/univ-a/login" + (f"?next={next_url}" if next_url else ""))
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{ISSUER}/protocol/openid-connect/auth?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def audit_kinds(hub) -> list[str]:
    with hub.db.session() as db:
        return [e.after["kind"] for e in db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error")
                                                    .order_by(AuditEntry.id))]


def test_the_redirect_carries_pkce_state_and_nonce(provider, client):
    query = start(client)
    assert query["response_type"] == "code" and query["client_id"] == "chair-hub"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == "http://127.0.0.1:5000/auth/oidc/univ-a/callback"
    assert query["scope"] == "openid profile email" and query["state"] and query["nonce"]
    with client.session_transaction() as kept:
        attempt = kept["oidc"][query["state"]]
    assert attempt["nonce"] == query["nonce"] and attempt["provider"] == "univ-a"
    digest = hashlib.sha256(attempt["verifier"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert client.get_cookie("chair_idp", path="/auth/").value == "univ-a"  # remembered for the discovery page


def test_several_tabs_each_keep_their_attempt(provider, client):
    first, second = start(client), start(client)
    assert first["state"] != second["state"]
    with client.session_transaction() as kept:
        assert set(kept["oidc"]) == {first["state"], second["state"]}
    for _ in range(6):
        start(client)
    with client.session_transaction() as kept:
        assert len(kept["oidc"]) == 5 and first["state"] not in kept["oidc"]


def test_an_unknown_state_is_refused(provider, client):
    start(client)
    answer = client.get("/auth/oidc/univ-a/callback?state=forged&code=x&lang=en")
    assert answer.status_code == 400
    assert "does not belong to a sign-in started in this browser" in answer.get_data(as_text=True)
    assert audit_kinds(provider) == ["state"]


def test_a_state_of_another_provider_is_refused(provider, client):
    query = start(client)
    with provider.db.session() as db:
        add_oidc_provider(db, slug="univ-x", issuer="https://idp.x.example", client_id="c", client_secret="s")
    assert client.get(f"/auth/oidc/univ-x/callback?state={query['state']}&code=x").status_code == 400


def test_the_provider_refusing_is_a_clear_page(provider, client):
    query = start(client)
    answer = client.get(f"/auth/oidc/univ-a/callback?state={query['state']}&error=access_denied"
                        "&error_description=User+cancelled&lang=zh")
    assert answer.status_code == 400
    assert "身份提供者没有让您登录" in answer.get_data(as_text=True)
    assert audit_kinds(provider) == ["provider-error"]
    with provider.db.session() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.error"))
        assert "access_denied: User cancelled" in entry.note and entry.target_id == "univ-a"
    again = client.get(f"/auth/oidc/univ-a/callback?state={query['state']}&code=x")
    assert again.status_code == 400 and audit_kinds(provider)[-1] == "state"  # an attempt is used once


def test_an_expired_attempt_is_refused(provider, client):
    query = start(client)
    with client.session_transaction() as kept:
        attempts = dict(kept["oidc"])
        attempts[query["state"]] = {**attempts[query["state"]], "created": attempts[query["state"]]["created"] - 601}
        kept["oidc"] = attempts
    answer = client.get(f"/auth/oidc/univ-a/callback?state={query['state']}&code=x&lang=en")
    assert answer.status_code == 400 and "has expired" in answer.get_data(as_text=True)
    assert audit_kinds(provider) == ["expired"]


def test_a_token_endpoint_that_does_not_answer(provider, client):
    query = start(client)
    answer = client.get(f"/auth/oidc/univ-a/callback?state={query['state']}&code=x&lang=en")
    assert answer.status_code == 400 and "did not confirm the sign-in" in answer.get_data(as_text=True)
    assert audit_kinds(provider) == ["token"]


def test_an_unknown_or_disabled_provider(provider, client):
    assert client.get("/auth/oidc/nope/login").status_code == 404
    with provider.db.session() as db:
        get_provider(db, "univ-a").enabled = False
    assert client.get("/auth/oidc/univ-a/login").status_code == 404


def test_an_unreachable_discovery_document(hub, client):
    with hub.db.session() as db:
        add_oidc_provider(db, slug="down", issuer="http://127.0.0.1:9/realms/down", client_id="c", client_secret="s",
                          allow_http=True)
    answer = client.get("/auth/oidc/down/login?lang=en")
    assert answer.status_code == 502 and "cannot be reached" in answer.get_data(as_text=True)
    assert audit_kinds(hub) == ["discovery"]
