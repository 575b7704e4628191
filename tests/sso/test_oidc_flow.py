"""The whole OpenID Connect code flow against a small provider run here on loopback (no Keycloak): discovery,
the token request (form-encoded, client secret, PKCE verifier matching the challenge), the ID token checked
with the provider's key set, a key rotated after the set was cached (read again once), and a token endpoint
that refuses the code or sends an ID token for another sign-in."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from hub.accounts.providers import add_oidc_provider, add_rule
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.federation import Provisioning, RuleSource


class Provider:
    """A loopback OpenID provider: its key, the codes it issued (code -> challenge, nonce) and what it saw."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "first"})
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.jwks_reads = 0
        self.refuse = False
        self.nonce_override = ""
        self.discovery_down = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realm"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def issue(self, challenge: str, nonce: str) -> str:
        code = f"code-{len(self.codes)}"
        self.codes[code] = {"challenge": challenge, "nonce": nonce}
        return code

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def _json(self, status: int, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/realm/.well-known/openid-configuration" and provider.discovery_down:
                    self._json(503, {})
                elif self.path == "/realm/.well-known/openid-configuration":
                    self._json(200, {"issuer": provider.issuer, "authorization_endpoint": provider.issuer + "/auth",
                                     "token_endpoint": provider.issuer + "/token",
                                     "jwks_uri": provider.issuer + "/certs"})
                elif self.path == "/realm/certs":
                    provider.jwks_reads += 1
                    self._json(200, KeySet([provider.key]).as_dict(private=False))
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                form["content_type"] = self.headers.get("Content-Type", "")
                provider.token_requests.append(form)
                issued = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if provider.refuse or issued is None or digest != issued["challenge"] or \
                        form.get("client_secret") != "s3cret":
                    self._json(400, {"error": "invalid_grant", "error_description": "Code not valid"})
                    return
                now = int(time.time())
                claims = {"iss": provider.issuer, "aud": "hub", "sub": "sub-alice", "iat": now, "exp": now + 300,
                          "nonce": provider.nonce_override or issued["nonce"], "email": "alice@univ-a.edu.cn",
                          "preferred_username": "alice", "groups": ["/repository-managers"]}
                token = jwt.encode({"alg": "RS256", "kid": provider.key.kid}, claims, provider.key)
                self._json(200, {"access_token": "at", "token_type": "Bearer", "id_token": token})

        return Handler


@pytest.fixture
def idp(hub):
    provider = Provider()
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        add_oidc_provider(db, slug="univ-a", issuer=provider.issuer, client_id="hub", client_secret="s3cret",
                          member="univ-a", scopes=["univ-a.edu.cn"], provisioning=Provisioning.ACTIVE,
                          allow_http=True)
        add_rule(db, member="univ-a", source=RuleSource.GROUP, value="repository-managers", role=Role.MEMBER_ADMIN)
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


def round_trip(client, idp: Provider):
    """The browser's part: the hub's redirect, the provider's code for it, and the hub's callback answer."""
    start = client.get("/auth/oidc/univ-a/login")
    assert start.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    assert start.headers["Location"].startswith(idp.issuer + "/auth?")
    code = idp.issue(query["code_challenge"], query["nonce"])
    return client.get(f"/auth/oidc/univ-a/callback?state={query['state']}&code={code}&lang=en")


def errors(hub) -> list[str]:
    with hub.db.session() as db:
        return [e.after["kind"] for e in db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error"))]


def test_the_code_flow_signs_in(hub, client, idp):
    answer = round_trip(client, idp)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    request = idp.token_requests[-1]
    assert request["grant_type"] == "authorization_code" and request["client_id"] == "hub"
    assert request["redirect_uri"] == "http://127.0.0.1:5000/auth/oidc/univ-a/callback"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    with hub.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        assert user.role == Role.MEMBER_ADMIN  # the group path /repository-managers matched the rule
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.sign-in"))
        assert entry.ip == "127.0.0.1" and entry.after["subject"] == "sub-alice" and entry.target_id == "univ-a"
    assert client.get("/admin/").status_code == 200


def test_a_rotated_key_makes_one_read_of_the_key_set(hub, client, idp):
    assert round_trip(client, idp).status_code == 302
    assert idp.jwks_reads == 1
    idp.key = RSAKey.generate_key(2048, parameters={"kid": "second"})
    assert round_trip(client.application.test_client(), idp).status_code == 302
    assert idp.jwks_reads == 2
    assert round_trip(client.application.test_client(), idp).status_code == 302
    assert idp.jwks_reads == 2  # cached again


def test_a_key_set_without_the_signing_key_refuses(hub, client, idp):
    round_trip(client, idp)
    signing = RSAKey.generate_key(2048, parameters={"kid": "first"})  # same kid, another key: forged
    listed = idp.key
    idp.key = signing
    try:
        answer = round_trip(client.application.test_client(), idp)
    finally:
        idp.key = listed
    assert answer.status_code == 400 and errors(hub) == ["id-token"]


def test_a_refused_code_is_a_clear_page(hub, client, idp):
    idp.refuse = True
    answer = round_trip(client, idp)
    assert answer.status_code == 400 and "did not confirm the sign-in" in answer.get_data(as_text=True)
    assert errors(hub) == ["token"]
    with hub.db.session() as db:
        assert "Code not valid" in db.scalar(select(AuditEntry.note).where(AuditEntry.action == "sso.error"))


def test_an_id_token_of_another_sign_in_is_refused(hub, client, idp):
    idp.nonce_override = "someone-elses-nonce"
    answer = round_trip(client, idp)
    assert answer.status_code == 400 and "failed the hub's checks" in answer.get_data(as_text=True).replace(
        "&#39;", "'")
    assert errors(hub) == ["id-token"] and client.get("/admin/").status_code == 302


def test_a_stale_discovery_document_still_serves_while_the_provider_cannot_be_read(hub, client, idp):
    from datetime import timedelta

    from hub.accounts.providers import get_provider
    from hub.models import utcnow

    assert round_trip(client, idp).status_code == 302
    with hub.db.session() as db:
        provider = get_provider(db, "univ-a")
        provider.config = {**provider.config, "discovered_at": (utcnow() - timedelta(days=2)).isoformat()}
    idp.discovery_down = True
    assert round_trip(client.application.test_client(), idp).status_code == 302
    with hub.db.session() as db:  # nothing new was read: the stale document stays, and is asked for next time
        assert get_provider(db, "univ-a").config["discovered_at"] < (utcnow() - timedelta(days=1)).isoformat()
    idp.discovery_down = False
    assert round_trip(client.application.test_client(), idp).status_code == 302
    with hub.db.session() as db:
        assert get_provider(db, "univ-a").config["discovered_at"] > (utcnow() - timedelta(hours=1)).isoformat()
