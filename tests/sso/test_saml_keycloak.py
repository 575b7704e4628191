"""The SAML service provider against the real Keycloak (realm univ-b, SP ``https://hub.chair.test/sp``): the IdP
registered from its real metadata with ``chair sso add-saml``, then a whole sign-in driven over HTTP, from the
hub's signed AuthnRequest through Keycloak's login form to the ACS, landing in univ-b's admin area; Keycloak's
own assertion refused when replayed or posted to another browser; erin (no entitlement) refused a role."""

from __future__ import annotations

import base64
import html
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.accounts.providers import add_rule
from hub.cli import cli
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.accounts import AdminSession, SignInMethod
from hub.models.federation import RuleSource
from tests.sso.keycloak import (
    FORM_ACTION,
    SAML_RESPONSE,
    SP_ENTITY_ID,
    Keycloak,
    _session,
    _unsecure_cookies,
    submit_login,
)

HUB = "http://127.0.0.1"  # univ-b's client accepts http://127.0.0.1/auth/saml/acs
ENTITLEMENT = "urn:mace:chair.example.org:repository-manager"


@pytest.fixture
def overrides(overrides):
    return {**overrides, "BASE_URL": HUB, "SAML_SP_ENTITY_ID": SP_ENTITY_ID}


@pytest.fixture
def univ_b(hub, keycloak: Keycloak):
    with hub.db.session() as db:
        add_institution(db, "univ-b", "University B", "乙大学")
        add_rule(db, member="univ-b", source=RuleSource.ENTITLEMENT, value=ENTITLEMENT, role=Role.MEMBER_ADMIN)
    result = CliRunner().invoke(cli, ["sso", "add-saml", "--slug", "univ-b", "--metadata", keycloak.saml_metadata_url,
                                      "--member", "univ-b", "--scope", "univ-b.edu.cn", "--provisioning", "active",
                                      "--name-en", "University B"], obj={"hub": hub})
    assert result.exit_code == 0, result.output
    assert f"SAML {keycloak.saml_entity_id}" in result.output
    return "univ-b"


def keycloak_answer(client, username: str, browser=None) -> str:
    """Start at the hub, sign in on Keycloak's real form; returns the base64 SAMLResponse Keycloak posts."""
    started = client.get("/auth/saml/univ-b/login")
    assert started.status_code == 302
    location = started.headers["Location"]
    assert "SAMLRequest=" in location and "Signature=" in location
    browser = browser if browser is not None else _session()
    page = browser.get(location, timeout=30)
    answer = submit_login(browser, page, username)
    target = FORM_ACTION.search(answer.text)
    response = SAML_RESPONSE.search(answer.text)
    assert target and response, answer.text[:500]
    assert html.unescape(target.group(1)) == f"{HUB}/auth/saml/acs"
    return html.unescape(response.group(1))


def test_bob_signs_in_through_keycloak_into_univ_b_as_member_admin(hub, client, univ_b):
    saml_response = keycloak_answer(client, "bob")
    landed = client.post("/auth/saml/acs", data={"SAMLResponse": saml_response})
    assert landed.status_code == 302, landed.get_data(as_text=True)[:500]
    assert urlsplit(landed.headers["Location"]).path == "/admin/"
    assert client.get("/admin/").status_code == 200
    with hub.db.session() as db:
        bob = db.scalar(select(User).where(User.email == "bob@univ-b.edu.cn"))
        assert bob.role == Role.MEMBER_ADMIN and bob.institution.slug == "univ-b"
        row = db.scalar(select(AdminSession).where(AdminSession.user_id == bob.id))
        assert row.method == SignInMethod.SAML and row.subject  # Keycloak's persistent NameID
        assert row.logout["name_id_format"].endswith(":persistent") and row.logout["session_index"]
    replay = client.application.test_client()  # Keycloak's real assertion, captured and posted again
    assert replay.post("/auth/saml/acs", data={"SAMLResponse": saml_response}).status_code in (400, 403)
    with hub.db.session() as db:
        kinds = [e.after["kind"] for e in db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error"))]
    assert kinds == ["unsolicited"]  # the other browser sent no request; the same one would be 'replayed'


def test_keycloaks_assertion_is_accepted_once(hub, client, univ_b):
    saml_response = keycloak_answer(client, "bob")
    with client.session_transaction() as session:
        kept = dict(session["saml_outstanding"])
    assert client.post("/auth/saml/acs", data={"SAMLResponse": saml_response}).status_code == 302
    with client.session_transaction() as session:
        session["saml_outstanding"] = kept  # as if the request were still outstanding
    again = client.post("/auth/saml/acs", data={"SAMLResponse": saml_response})
    assert again.status_code == 403
    with hub.db.session() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error")).all()[-1]
        assert entry.after["kind"] == "replayed" and entry.after["entity_id"].endswith("/realms/univ-b")


def test_a_keycloak_assertion_edited_in_transit_is_refused(hub, client, univ_b):
    xml = base64.b64decode(keycloak_answer(client, "bob")).decode("utf-8")
    assert "staff@univ-b.edu.cn" in xml
    edited = base64.b64encode(xml.replace("staff@univ-b.edu.cn", "staff@univ-a.edu.cn").encode()).decode()
    response = client.post("/auth/saml/acs", data={"SAMLResponse": edited})
    assert response.status_code == 403
    with hub.db.session() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error")).all()[-1]
        assert entry.after["kind"] == "bad-signature"


def test_erin_without_an_entitlement_gets_no_role(hub, client, univ_b):
    refused = client.post("/auth/saml/acs", data={"SAMLResponse": keycloak_answer(client, "erin")})
    assert refused.status_code == 403
    assert client.get("/admin/").status_code == 302
    with hub.db.session() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.refused"))
        assert entry.after["outcome"] == "refused-no-role"


def test_sign_out_goes_through_keycloaks_single_logout_and_back(hub, client, univ_b, keycloak):
    browser = _session()  # the same "browser" at Keycloak for sign-in and sign-out (its session cookie)
    assert client.post("/auth/saml/acs", data={"SAMLResponse": keycloak_answer(client, "bob", browser)}).status_code == 302
    keycloak.set_saml_logout_url(f"{HUB}/auth/saml/sls")
    try:
        with client.session_transaction() as session:
            csrf = session["csrf"]
        signed_out = client.post("/auth/logout", data={"csrf_token": csrf})
        # on to /auth/saml/logout: a redirect, or a page whose link (or script) goes there
        assert (signed_out.headers.get("Location", "").endswith("/auth/saml/logout")
                or 'href="/auth/saml/logout"' in signed_out.get_data(as_text=True)), signed_out.status_code
        slo = client.get("/auth/saml/logout")
        assert slo.status_code == 302, slo.get_data(as_text=True)[-800:]
        to_keycloak = slo.headers["Location"]
        assert to_keycloak.startswith(f"{keycloak.saml_entity_id}/protocol/saml?SAMLRequest=")
        _unsecure_cookies(browser)
        back = browser.get(to_keycloak, allow_redirects=False, timeout=30)
        assert back.status_code in (302, 303), back.text[:300]
        location = back.headers["Location"]
        assert location.startswith(f"{HUB}/auth/saml/sls?SAMLResponse=") and "Signature=" in location
        done = client.get(location.removeprefix(HUB))
        assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/auth/logged-out"
    finally:
        keycloak.set_saml_logout_url("")
    assert client.get("/admin/").status_code == 302
    again = browser.get(client.get("/auth/saml/univ-b/login").headers["Location"], timeout=30)
    assert 'name="password"' in again.text  # Keycloak's session ended too: it asks for the password
