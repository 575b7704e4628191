"""The test Keycloak and its two realms: what the sign-in tests rely on, checked against the running server.

univ-a (OpenID Connect) must offer the code flow with PKCE S256 and refuse the password grant to ``chair-hub``;
univ-b (SAML 2.0) must publish signed IdP metadata and issue signed assertions with the eduPerson attributes.
The realm files themselves are checked first, without Keycloak.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography import x509
from lxml import etree

from tests.sso.keycloak import (
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    PASSWORD,
    SP_ENTITY_ID,
    Keycloak,
    LoginRefused,
    authn_request,
    jwt_claims,
    logout_request,
    oidc_sign_in,
    redirect_message,
    saml_sign_in,
)

REALMS = Path(__file__).parent / "realms"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS = {"md": MD, "ds": "http://www.w3.org/2000/09/xmldsig#", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}
EPPN, ESA, ENTITLEMENT = ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
                          "urn:oid:1.3.6.1.4.1.5923.1.1.1.7")
MAIL, DISPLAY_NAME = "urn:oid:0.9.2342.19200300.100.1.3", "urn:oid:2.16.840.1.113730.3.1.241"
# an ephemeral port, as a test's live server would have: the realms accept any port on 127.0.0.1
CALLBACK = "http://127.0.0.1:45123/auth/oidc/univ-a/callback"
ACS = "http://127.0.0.1:45124/auth/saml/acs"
SLS = "http://127.0.0.1:45124/auth/saml/sls"

services = pytest.mark.services


def realm(name: str) -> dict:
    return json.loads((REALMS / f"realm-{name}.json").read_text(encoding="utf-8"))


# --- the committed realm files (no Keycloak needed) -------------------------------------------------------------

def test_realm_files_define_code_flow_only_client_and_signed_saml_sp():
    (client,) = realm("univ-a")["clients"]
    assert client["clientId"] == OIDC_CLIENT_ID and client["secret"] == OIDC_CLIENT_SECRET
    assert client["standardFlowEnabled"] and not client["publicClient"]
    assert not client["directAccessGrantsEnabled"] and not client["implicitFlowEnabled"]
    assert not client["serviceAccountsEnabled"]
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    # loopback-only redirects (any port), never a host or path wildcard
    assert client["redirectUris"] == ["http://127.0.0.1/auth/oidc/univ-a/callback"]

    (sp,) = realm("univ-b")["clients"]
    assert sp["clientId"] == SP_ENTITY_ID and sp["protocol"] == "saml"
    attributes = sp["attributes"]
    assert attributes["saml.assertion.signature"] == attributes["saml.server.signature"] == "true"
    assert attributes["saml.client.signature"] == "false"
    assert attributes["saml_name_id_format"] == "persistent"
    assert all(uri.startswith("http://127.0.0.1/auth/saml/") for uri in sp["redirectUris"])


@pytest.mark.parametrize("name", ["univ-a", "univ-b"])
def test_realm_users_sign_in_without_extra_pages(name):
    users = realm(name)["users"]
    assert users
    for user in users:
        assert user["emailVerified"] and user["firstName"] and user["lastName"], user["username"]
        assert user["requiredActions"] == [], user["username"]
        assert [c["value"] for c in user["credentials"] if not c["temporary"]] == [PASSWORD], user["username"]


# --- the running Keycloak ---------------------------------------------------------------------------------------

@services
def test_univ_a_discovery_offers_code_flow_with_pkce_s256(keycloak: Keycloak):
    config = keycloak.oidc_configuration()
    assert config["issuer"] == keycloak.oidc_issuer
    assert "S256" in config["code_challenge_methods_supported"]
    assert "code" in config["response_types_supported"]
    assert config["end_session_endpoint"].startswith(keycloak.oidc_issuer)
    keys = requests.get(config["jwks_uri"], timeout=20).json()["keys"]
    assert any(key["kty"] == "RSA" and key.get("use") == "sig" for key in keys)


@services
def test_univ_b_descriptor_is_idp_metadata_with_signing_certificate(keycloak: Keycloak):
    response = requests.get(keycloak.saml_metadata_url, timeout=20)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{MD}}}EntityDescriptor"
    assert root.get("entityID") == keycloak.saml_entity_id
    (idp,) = root.findall("md:IDPSSODescriptor", NS)
    certificates = idp.xpath("md:KeyDescriptor[@use='signing']//ds:X509Certificate/text()", namespaces=NS)
    assert certificates
    certificate = x509.load_der_x509_certificate(base64.b64decode("".join(certificates[0].split())))
    assert certificate.public_key().key_size >= 2048
    bindings = {sso.get("Binding") for sso in idp.findall("md:SingleSignOnService", NS)}
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" in bindings
    assert idp.findall("md:SingleLogoutService", NS)


@services
def test_password_grant_is_not_enabled_for_chair_hub(keycloak: Keycloak):
    config = keycloak.oidc_configuration()
    response = requests.post(config["token_endpoint"], timeout=20, auth=(OIDC_CLIENT_ID, OIDC_CLIENT_SECRET),
                             data={"grant_type": "password", "username": "alice", "password": PASSWORD,
                                   "scope": "openid"})
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "unauthorized_client"
    assert "access_token" not in response.json()
    (client,) = keycloak.admin_get(f"univ-a/clients?clientId={OIDC_CLIENT_ID}")
    assert client["directAccessGrantsEnabled"] is False and client["standardFlowEnabled"] is True


@services
def test_authorisation_request_without_pkce_is_refused(keycloak: Keycloak):
    config = keycloak.oidc_configuration()
    response = requests.get(config["authorization_endpoint"], timeout=20, allow_redirects=False, params={
        "client_id": OIDC_CLIENT_ID, "response_type": "code", "scope": "openid", "redirect_uri": CALLBACK,
        "state": "s1"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code_challenge" in query["error_description"][0]


@services
def test_redirect_outside_the_callback_is_refused(keycloak: Keycloak):
    config = keycloak.oidc_configuration()
    response = requests.get(config["authorization_endpoint"], timeout=20, allow_redirects=False, params={
        "client_id": OIDC_CLIENT_ID, "response_type": "code", "scope": "openid", "state": "s1",
        "redirect_uri": "http://127.0.0.1:45123/elsewhere", "code_challenge": "x" * 43,
        "code_challenge_method": "S256"})
    assert response.status_code == 400 and "Location" not in response.headers


@services
def test_alice_id_token_carries_groups_and_scoped_affiliation(keycloak: Keycloak):
    tokens = oidc_sign_in(keycloak, "alice", CALLBACK, nonce="n-alice")
    claims = jwt_claims(tokens["id_token"])
    assert claims["iss"] == keycloak.oidc_issuer and claims["aud"] == OIDC_CLIENT_ID
    assert claims["nonce"] == "n-alice"
    assert claims["email"] == "alice@univ-a.edu.cn" and claims["email_verified"] is True
    assert claims["groups"] == ["repository-managers"]
    assert claims["eduPersonScopedAffiliation"] == ["staff@univ-a.edu.cn"]


@services
def test_carol_and_mallory_claims(keycloak: Keycloak):
    carol = jwt_claims(oidc_sign_in(keycloak, "carol", CALLBACK)["id_token"])
    assert "groups" not in carol or carol["groups"] == []
    assert carol["eduPersonScopedAffiliation"] == ["member@univ-a.edu.cn"]
    mallory = jwt_claims(oidc_sign_in(keycloak, "mallory", CALLBACK)["id_token"])
    assert mallory["eduPersonScopedAffiliation"] == ["staff@univ-b.edu.cn"]  # another member's scope


@services
def test_disabled_dora_cannot_sign_in(keycloak: Keycloak):
    with pytest.raises(LoginRefused, match="disabled"):
        oidc_sign_in(keycloak, "dora", CALLBACK)


@services
def test_wrong_password_is_refused(keycloak: Keycloak):
    with pytest.raises(LoginRefused, match="Invalid username or password"):
        oidc_sign_in(keycloak, "alice", CALLBACK, password="not-the-password")


@services
def test_bob_saml_response_is_signed_with_eduperson_attributes(keycloak: Keycloak):
    target, document = saml_sign_in(keycloak, "bob", ACS, request_id="_req-bob")
    assert target == ACS
    response = etree.fromstring(document.encode("utf-8"))
    assert response.get("InResponseTo") == "_req-bob" and response.get("Destination") == ACS
    assert response.find("ds:Signature", NS) is not None  # the document is signed
    (assertion,) = response.findall("saml:Assertion", NS)
    assert assertion.find("ds:Signature", NS) is not None  # and so is the assertion
    assert assertion.findtext("saml:Issuer", namespaces=NS) == keycloak.saml_entity_id
    assert assertion.xpath("saml:Conditions/saml:AudienceRestriction/saml:Audience/text()",
                           namespaces=NS) == [SP_ENTITY_ID]
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    assert name_id.get("Format") == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" and name_id.text
    (confirmation,) = assertion.findall("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    assert confirmation.get("Recipient") == ACS and confirmation.get("InResponseTo") == "_req-bob"
    values = {attribute.get("Name"): (attribute.get("FriendlyName"),
                                      attribute.xpath("saml:AttributeValue/text()", namespaces=NS))
              for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS)}
    assert values[EPPN] == ("eduPersonPrincipalName", ["bob@univ-b.edu.cn"])
    assert values[ESA] == ("eduPersonScopedAffiliation", ["staff@univ-b.edu.cn"])
    assert values[ENTITLEMENT] == ("eduPersonEntitlement", ["urn:mace:chair.example.org:repository-manager"])
    assert values[MAIL] == ("mail", ["bob@univ-b.edu.cn"])
    assert values[DISPLAY_NAME] == ("displayName", ["Bob Chen"])


@services
def test_erin_has_member_affiliation_and_no_entitlement(keycloak: Keycloak):
    _, document = saml_sign_in(keycloak, "erin", ACS)
    assertion = etree.fromstring(document.encode("utf-8")).find("saml:Assertion", NS)
    names = {a.get("Name"): a.xpath("saml:AttributeValue/text()", namespaces=NS)
             for a in assertion.findall("saml:AttributeStatement/saml:Attribute", NS)}
    assert names[ESA] == ["member@univ-b.edu.cn"]
    assert ENTITLEMENT not in names


@pytest.fixture
def saml_logout_url(keycloak: Keycloak):
    """univ-b's SP logout URL set to SLS for one test, removed afterwards (the committed realm has none)."""
    keycloak.set_saml_logout_url(SLS)
    yield SLS
    keycloak.set_saml_logout_url("")


@services
def test_saml_single_logout_answers_at_the_sp_logout_url(keycloak: Keycloak, saml_logout_url):
    session = requests.Session()
    _, document = saml_sign_in(keycloak, "bob", ACS, session=session)
    assertion = etree.fromstring(document.encode("utf-8")).find("saml:Assertion", NS)
    name_id = assertion.findtext("saml:Subject/saml:NameID", namespaces=NS)
    session_index = assertion.find("saml:AuthnStatement", NS).get("SessionIndex")

    answer = session.get(keycloak.saml_sso_url, timeout=20, allow_redirects=False, params={
        "SAMLRequest": redirect_message(logout_request(keycloak, name_id, session_index, "_logout-bob"))})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(saml_logout_url + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"] and query["Signature"]
    response = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLResponse"][0]), -15))
    assert response.tag == f"{{{NS['samlp']}}}LogoutResponse" and response.get("InResponseTo") == "_logout-bob"
    assert response.find("samlp:Status/samlp:StatusCode", NS).get("Value") == \
        "urn:oasis:names:tc:SAML:2.0:status:Success"

    # bob's Keycloak session is over: signing in again shows the login page
    again = session.get(keycloak.saml_sso_url, timeout=20, params={
        "SAMLRequest": redirect_message(authn_request(keycloak, ACS))})
    assert 'id="kc-form-login"' in again.text
