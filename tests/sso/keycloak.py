"""The test Keycloak: where its two realms answer, and sign-ins through its real login page without a browser.

scripts/services starts Keycloak with the realms of tests/sso/realms/ (each start imports them afresh into an
in-memory database). Two realms play two member institutions:

- ``univ-a``: OpenID Connect; confidential client ``chair-hub`` (code flow only, PKCE S256 required),
  ID token claims ``groups`` and ``eduPersonScopedAffiliation``; users alice, carol, mallory, dora (disabled).
- ``univ-b``: SAML 2.0; SP ``https://hub.chair.test/sp``, signed assertions and responses, persistent NameID,
  eduPerson attributes under their urn:oid names; users bob, erin.

Every user's password is :data:`PASSWORD`. The helpers below drive Keycloak's own login form over HTTP (for tests
of the realms and of the hub's protocol code that need a token or an assertion Keycloak really issued); the
browser tests use Chromium instead.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

PASSWORD = "Passw0rd!univ"
OIDC_REALM = "univ-a"
SAML_REALM = "univ-b"
OIDC_CLIENT_ID = "chair-hub"
OIDC_CLIENT_SECRET = "univ-a-test-secret"
SP_ENTITY_ID = "https://hub.chair.test/sp"
# master-realm administrator created by scripts/services (loopback only, test Keycloak only)
ADMIN_USER = "admin"
ADMIN_PASSWORD = "chair-admin"
TIMEOUT = 30

FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]+)"', re.IGNORECASE)
SAML_RESPONSE = re.compile(r'name="SAMLResponse"\s+value="([^"]+)"')


class LoginRefused(Exception):
    """Keycloak's login page did not let the user through; ``message`` is what the page told them."""

    def __init__(self, username: str, message: str) -> None:
        super().__init__(f"{username}: {message}")
        self.message = message


@dataclass(frozen=True)
class Keycloak:
    """Where the running test Keycloak answers (``base_url`` is CHAIR_TEST_KEYCLOAK_URL)."""

    base_url: str

    @property
    def oidc_issuer(self) -> str:
        """The issuer of univ-a, the OpenID Connect institution (discovery is below it)."""
        return f"{self.base_url}/realms/{OIDC_REALM}"

    @property
    def oidc_discovery_url(self) -> str:
        """univ-a's OpenID Provider configuration document."""
        return f"{self.oidc_issuer}/.well-known/openid-configuration"

    @property
    def saml_entity_id(self) -> str:
        """The SAML entity ID of univ-b's identity provider."""
        return f"{self.base_url}/realms/{SAML_REALM}"

    @property
    def saml_metadata_url(self) -> str:
        """univ-b's SAML IdP metadata (an EntityDescriptor with its signing certificate)."""
        return f"{self.saml_entity_id}/protocol/saml/descriptor"

    @property
    def saml_sso_url(self) -> str:
        """univ-b's single sign-on endpoint (HTTP-Redirect and HTTP-POST bindings)."""
        return f"{self.saml_entity_id}/protocol/saml"

    def oidc_configuration(self) -> dict[str, Any]:
        """univ-a's discovery document, fetched."""
        response = requests.get(self.oidc_discovery_url, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def admin_token(self) -> str:
        """An access token of the master realm's administrator, for Keycloak's admin REST API."""
        response = requests.post(f"{self.base_url}/realms/master/protocol/openid-connect/token", timeout=TIMEOUT,
                                 data={"grant_type": "password", "client_id": "admin-cli",
                                       "username": ADMIN_USER, "password": ADMIN_PASSWORD})
        response.raise_for_status()
        return response.json()["access_token"]

    def admin_get(self, path: str) -> Any:
        """GET ``/admin/realms/<path>`` of the admin REST API as the administrator."""
        response = requests.get(f"{self.base_url}/admin/realms/{path.lstrip('/')}", timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {self.admin_token()}"})
        response.raise_for_status()
        return response.json()

    def set_saml_logout_url(self, url: str) -> None:
        """Point univ-b's SP client at the hub's single logout service ``url`` ("" removes it).

        Keycloak answers an SP's LogoutRequest only at a logout URL configured on the client (never one taken
        from the request), and a test hub's port is only known when it starts: a test that signs out of a
        SAML session through Keycloak sets it first. It lasts until Keycloak restarts (or the next call).
        """
        headers = {"Authorization": f"Bearer {self.admin_token()}"}
        clients = f"{self.base_url}/admin/realms/{SAML_REALM}/clients"
        found = requests.get(clients, params={"clientId": SP_ENTITY_ID}, headers=headers, timeout=TIMEOUT)
        found.raise_for_status()
        (client,) = found.json()
        client["attributes"]["saml_single_logout_service_url_redirect"] = url
        response = requests.put(f"{clients}/{client['id']}", json=client, headers=headers, timeout=TIMEOUT)
        response.raise_for_status()


def _session() -> requests.Session:
    return requests.Session()


def _unsecure_cookies(session: requests.Session) -> None:
    # Keycloak marks its cookies Secure; browsers send them to http://127.0.0.1 (a trustworthy origin),
    # requests does not: let them go back over the loopback's plain HTTP as a browser would.
    for cookie in session.cookies:
        cookie.secure = False


def _page_message(page: str) -> str:
    """The text of a Keycloak page, scripts and tags removed, for error messages."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def submit_login(session: requests.Session, login_page: requests.Response, username: str,
                 password: str = PASSWORD) -> requests.Response:
    """Fill in and post Keycloak's login form (redirects not followed); LoginRefused when it shows a form again."""
    match = FORM_ACTION.search(login_page.text)
    if login_page.status_code != 200 or not match:
        raise LoginRefused(username, f"no login form (HTTP {login_page.status_code}): "
                                     f"{_page_message(login_page.text)[:300]}")
    _unsecure_cookies(session)
    answer = session.post(html.unescape(match.group(1)), data={"username": username, "password": password},
                          allow_redirects=False, timeout=TIMEOUT)
    if answer.status_code == 200 and FORM_ACTION.search(answer.text) and not SAML_RESPONSE.search(answer.text):
        found = re.search(r'id="input-error[^"]*"[^>]*>(.*?)</span>|kc-feedback-text[^>]*>(.*?)</span>',
                          answer.text, re.DOTALL)
        raise LoginRefused(username, _page_message(next(g for g in found.groups() if g)) if found
                           else _page_message(answer.text)[:300])
    return answer


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, NOT verified (tests of what Keycloak puts in; the hub verifies its own)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def oidc_sign_in(keycloak: Keycloak, username: str, redirect_uri: str, *, password: str = PASSWORD,
                 nonce: str = "test-nonce") -> dict[str, Any]:
    """Authorisation code flow with PKCE through univ-a's login page; returns the token response.

    The code is exchanged by this helper (no hub involved): the tokens are what Keycloak issues to
    ``chair-hub`` for ``redirect_uri``. LoginRefused when the login page refuses the user.
    """
    config = keycloak.oidc_configuration()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    session = _session()
    page = session.get(config["authorization_endpoint"], timeout=TIMEOUT, params={
        "client_id": OIDC_CLIENT_ID, "response_type": "code", "scope": "openid email profile",
        "redirect_uri": redirect_uri, "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256"})
    answer = submit_login(session, page, username, password)
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or not location.startswith(redirect_uri):
        raise LoginRefused(username, f"no redirect to the client (HTTP {answer.status_code})")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    tokens = requests.post(config["token_endpoint"], timeout=TIMEOUT, auth=(OIDC_CLIENT_ID, OIDC_CLIENT_SECRET),
                           data={"grant_type": "authorization_code", "code": query["code"][0],
                                 "redirect_uri": redirect_uri, "code_verifier": verifier})
    tokens.raise_for_status()
    return tokens.json()


def authn_request(keycloak: Keycloak, acs_url: str, request_id: str | None = None) -> str:
    """An unsigned SAML AuthnRequest of the hub's SP asking for a persistent NameID over HTTP-POST."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{request_id or "_" + uuid.uuid4().hex}" '
            f'Version="2.0" IssueInstant="{now}" Destination="{keycloak.saml_sso_url}" '
            f'AssertionConsumerServiceURL="{html.escape(acs_url)}" '
            f'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
            f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>"
            f'<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"/>'
            f"</samlp:AuthnRequest>")


def redirect_message(xml: str) -> str:
    """A SAML message as the HTTP-Redirect binding carries it (deflated, base64)."""
    return base64.b64encode(zlib.compress(xml.encode("utf-8"))[2:-4]).decode("ascii")


def saml_sign_in(keycloak: Keycloak, username: str, acs_url: str, *, password: str = PASSWORD,
                 request_id: str | None = None, session: requests.Session | None = None) -> tuple[str, str]:
    """SP-initiated sign-in at univ-b (HTTP-Redirect binding) through its login page, in ``session`` (the
    browser's cookies: Keycloak's session) or a new one.

    Returns (the form's target, the SAML Response XML Keycloak posts to the ACS). LoginRefused when refused.
    """
    session = session if session is not None else _session()
    page = session.get(keycloak.saml_sso_url, timeout=TIMEOUT,
                       params={"SAMLRequest": redirect_message(authn_request(keycloak, acs_url, request_id)),
                               "RelayState": "test"})
    answer = submit_login(session, page, username, password)
    response = SAML_RESPONSE.search(answer.text)
    target = FORM_ACTION.search(answer.text)
    if not response or not target:
        raise LoginRefused(username, f"no SAML response (HTTP {answer.status_code}): "
                                     f"{_page_message(answer.text)[:300]}")
    return html.unescape(target.group(1)), base64.b64decode(html.unescape(response.group(1))).decode("utf-8")


def logout_request(keycloak: Keycloak, name_id: str, session_index: str, request_id: str | None = None) -> str:
    """An unsigned SP-initiated LogoutRequest of the hub's SP for a persistent NameID and its session."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{request_id or "_" + uuid.uuid4().hex}" '
            f'Version="2.0" IssueInstant="{now}" Destination="{keycloak.saml_sso_url}">'
            f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>"
            f'<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{html.escape(name_id)}'
            f"</saml:NameID><samlp:SessionIndex>{html.escape(session_index)}</samlp:SessionIndex>"
            f"</samlp:LogoutRequest>")
