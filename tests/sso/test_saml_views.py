"""The SAML views (/auth/saml/...) driven with Flask's test client and the test IdP of saml_support: the
signed metadata, the AuthnRequest kept as outstanding, a full sign-in to the member's admin area, each
refusal as a page and an audit entry naming the IdP's entity ID and the reason, and single logout both
ways. No Keycloak needed."""

from __future__ import annotations

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree
from saml2 import BINDING_HTTP_REDIRECT
from saml2.saml import NameID
from sqlalchemy import select

from hub.accounts import saml
from hub.accounts.providers import add_rule
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.accounts import AdminSession, SignInMethod
from hub.models.federation import IdentityProvider, Protocol, Provisioning, RuleSource
from tests.sso.saml_support import IDP_ENTITY_ID, PERSISTENT, SLO_URL, SSO_URL, TestIdP, encode, idp_metadata

BASE = "https://hub.chair.test"


@pytest.fixture
def overrides(overrides):
    return {**overrides, "BASE_URL": BASE}


@pytest.fixture
def member(hub):
    with hub.db.session() as db:
        institution = add_institution(db, "univ-a", "University A", "甲大学")
        db.add(IdentityProvider(slug="univ-a", protocol=Protocol.SAML, key=IDP_ENTITY_ID, name_en="University A",
                                name_zh="甲大学", institution_id=institution.id, scopes=["univ-a.edu.cn"],
                                config={"metadata_xml": idp_metadata()}, provisioning=Provisioning.ACTIVE))
        db.flush()
        add_rule(db, member="univ-a", source=RuleSource.ENTITLEMENT, value="urn:mace:univ-a.edu.cn:chair:admin",
                 role=Role.MEMBER_ADMIN)
    return "univ-a"


@pytest.fixture
def idp(hub):
    return TestIdP(saml.sp_metadata(hub.settings).decode("utf-8"))


def start(client, slug="univ-a", **query) -> str:
    response = client.get(f"/auth/saml/{slug}/login", query_string=query)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(SSO_URL + "?")
    args = parse_qs(urlsplit(location).query)
    assert args["SigAlg"] == [saml.SIGN_ALG] and args["Signature"]  # signed AuthnRequest (HTTP-Redirect)
    request = ElementTree.fromstring(zlib.decompress(base64.b64decode(args["SAMLRequest"][0]), -15))
    assert request.get("AssertionConsumerServiceURL") == f"{BASE}/auth/saml/acs"
    assert request.get("Destination") == SSO_URL
    return request.get("ID")


def post(client, idp, request_id, **kwargs):
    kwargs.setdefault("destination", f"{BASE}/auth/saml/acs")
    kwargs.setdefault("audience", f"{BASE}/auth/saml/metadata")
    return client.post("/auth/saml/acs", data={"SAMLResponse": encode(idp.response(request_id, **kwargs))})


def errors(hub) -> list[AuditEntry]:
    with hub.db.session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.error").order_by(AuditEntry.id)).all()
        for row in rows:
            db.expunge(row)
        return list(rows)


def test_the_metadata_is_served_signed_with_its_content_type(client):
    response = client.get("/auth/saml/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/samlmetadata+xml"
    body = response.get_data(as_text=True)
    assert f'entityID="{BASE}/auth/saml/metadata"' in body and "SignatureValue" in body


def test_a_full_sign_in_lands_in_the_members_admin_area(hub, client, member, idp):
    request_id = start(client, next="/admin/")
    response = post(client, idp, request_id)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/admin/"
    assert client.get("/admin/").status_code == 200
    with hub.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice-univ-a.edu.cn")) or db.scalar(select(User))
        assert user.role == Role.MEMBER_ADMIN and user.institution.slug == "univ-a"
        row = db.scalar(select(AdminSession).where(AdminSession.user_id == user.id))
        assert row.method == SignInMethod.SAML and row.subject == "alice-persistent-7f3a"
        assert row.logout["name_id"] == "alice-persistent-7f3a" and row.logout["session_index"]
        signed_in = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.sign-in"))
        assert signed_in.after["subject"] == "alice-persistent-7f3a" and signed_in.after["provider"] == "univ-a"


def test_a_replayed_response_is_refused_with_a_page_and_an_audit_entry(hub, client, member, idp):
    request_id = start(client)
    xml = idp.response(request_id, destination=f"{BASE}/auth/saml/acs", audience=f"{BASE}/auth/saml/metadata")
    assert client.post("/auth/saml/acs", data={"SAMLResponse": encode(xml)}).status_code == 302
    other = client.application.test_client()  # a second browser replaying the captured response
    with other.session_transaction() as session:
        session["saml_outstanding"] = {request_id: {"slug": "univ-a", "created": __import__("time").time()}}
    response = other.post("/auth/saml/acs?lang=en", data={"SAMLResponse": encode(xml)})
    assert response.status_code == 403
    assert "used already" in response.get_data(as_text=True)
    entry = errors(hub)[-1]
    assert entry.after == {"protocol": "saml", "entity_id": IDP_ENTITY_ID, "provider": None, "kind": "replayed"}


@pytest.mark.parametrize("change, kind, status", [
    ({"audience": "https://another-sp.example.org/sp"}, "wrong-audience", 403),
    ({"sign_assertion": False}, "unsigned", 403),
    ({"destination": "https://another-sp.example.org/acs"}, "wrong-destination", 403),
])
def test_each_refusal_is_a_page_and_an_audit_entry(hub, client, member, idp, change, kind, status):
    request_id = start(client)
    response = post(client, idp, request_id, **change)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
    assert errors(hub)[-1].after["kind"] == kind and errors(hub)[-1].after["entity_id"] == IDP_ENTITY_ID
    assert client.get("/admin/").status_code == 302  # not signed in


def test_an_answer_without_a_request_of_this_browser_is_refused(hub, client, member, idp):
    client.get("/auth/login?lang=en")
    response = post(client, idp, "id-from-elsewhere")
    assert response.status_code == 400
    assert "does not belong to a sign-in started in this browser" in response.get_data(as_text=True)
    assert errors(hub)[-1].after["kind"] == "unsolicited"


def test_garbage_posted_to_the_acs_is_refused_without_a_traceback(hub, client, member):
    for data in ({}, {"SAMLResponse": "%%%"}, {"SAMLResponse": base64.b64encode(b"<a/>").decode()}):
        response = client.post("/auth/saml/acs", data=data)
        assert response.status_code == 400
    assert [e.after["kind"] for e in errors(hub)] == ["malformed"] * 3


def test_an_unknown_provider_slug_is_a_404_page(client, member):
    assert client.get("/auth/saml/nobody/login").status_code == 404


def test_the_refusal_page_reads_in_chinese(hub, client, member, idp):
    request_id = start(client)
    response = client.post("/auth/saml/acs?lang=zh", data={"SAMLResponse": encode(idp.response(
        request_id, destination=f"{BASE}/auth/saml/acs", audience=f"{BASE}/auth/saml/metadata",
        sign_assertion=False))})
    assert response.status_code == 403
    assert "断言没有签名" in response.get_data(as_text=True)


def _csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def test_sign_out_sends_a_signed_logout_request_and_the_answer_ends_at_the_signed_out_page(hub, client, member,
                                                                                            idp):
    post(client, idp, start(client))
    response = client.post("/auth/logout", data={"csrf_token": _csrf(client)})
    # on to /auth/saml/logout: a redirect, or the hub's page linking there (form-action 'self' holds redirects)
    assert (urlsplit(response.headers.get("Location", "")).path == "/auth/saml/logout"
            or 'href="/auth/saml/logout"' in response.get_data(as_text=True)), response.status_code
    response = client.get("/auth/saml/logout")
    location = response.headers["Location"]
    assert location.startswith(SLO_URL + "?")
    args = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert args["SigAlg"] == saml.SIGN_ALG and args["Signature"]
    request = idp.server.parse_logout_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT)
    assert request.message.name_id.text == "alice-persistent-7f3a"
    assert [s.text for s in request.message.session_index]
    answer = idp.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT], sign=False)
    info = idp.server.apply_binding(BINDING_HTTP_REDIRECT, str(answer), f"{BASE}/auth/saml/sls", "", response=True,
                                    sign=True, sigalg=saml.SIGN_ALG)
    back = dict(info["headers"])["Location"]
    response = client.get(back.removeprefix(BASE))
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/auth/logged-out"
    assert client.get("/admin/").status_code == 302


def test_a_logout_request_of_the_idp_ends_the_hub_session(hub, client, member, idp):
    post(client, idp, start(client))
    assert client.get("/admin/").status_code == 200
    with hub.db.session() as db:
        index = db.scalar(select(AdminSession)).logout["session_index"]
    _, request = idp.server.create_logout_request(f"{BASE}/auth/saml/sls", f"{BASE}/auth/saml/metadata",
                                                  name_id=NameID(format=PERSISTENT, text="alice-persistent-7f3a"),
                                                  session_indexes=[index], sign=False)
    info = idp.server.apply_binding(BINDING_HTTP_REDIRECT, str(request), f"{BASE}/auth/saml/sls", "", sign=True,
                                    sigalg=saml.SIGN_ALG)
    response = client.get(dict(info["headers"])["Location"].removeprefix(BASE))
    assert response.status_code == 302 and response.headers["Location"].startswith(SLO_URL + "?SAMLResponse=")
    with hub.db.session() as db:
        assert db.scalar(select(AdminSession)) is None
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.single-logout"))
        assert entry.after["sessions_ended"] == 1
    assert client.get("/admin/").status_code == 302


def test_an_unsigned_logout_request_is_refused(hub, client, member, idp):
    post(client, idp, start(client))
    _, request = idp.server.create_logout_request(f"{BASE}/auth/saml/sls", f"{BASE}/auth/saml/metadata",
                                                  name_id=NameID(format=PERSISTENT, text="alice-persistent-7f3a"),
                                                  sign=False)
    info = idp.server.apply_binding(BINDING_HTTP_REDIRECT, str(request), f"{BASE}/auth/saml/sls", "", sign=False)
    response = client.get(dict(info["headers"])["Location"].removeprefix(BASE))
    assert response.status_code == 403 and errors(hub)[-1].after["kind"] == "unsigned"
    assert client.get("/admin/").status_code == 200  # still signed in


def test_garbage_at_the_single_logout_service_is_refused_without_a_traceback(hub, client, member, idp):
    post(client, idp, start(client))
    _, request = idp.server.create_logout_request(f"{BASE}/auth/saml/sls", f"{BASE}/auth/saml/metadata",
                                                  name_id=NameID(format=PERSISTENT, text="alice-persistent-7f3a"),
                                                  sign=False)
    info = idp.server.apply_binding(BINDING_HTTP_REDIRECT, str(request), f"{BASE}/auth/saml/sls", "", sign=True,
                                    sigalg=saml.SIGN_ALG)
    args = {k: v[0] for k, v in parse_qs(urlsplit(dict(info["headers"])["Location"]).query).items()}
    forged = dict(args, Signature=base64.b64encode(b"\0" * 256).decode())
    for query, kind in (({}, "malformed"), ({"SAMLRequest": "***"}, "malformed"),
                        ({"SAMLRequest": base64.b64encode(b"junk").decode()}, "malformed"),
                        (forged, "bad-signature"), (dict(args, SigAlg="urn:unknown"), "bad-signature")):
        response = client.get("/auth/saml/sls", query_string=query)
        assert response.status_code in (400, 403) and "Traceback" not in response.get_data(as_text=True)
        assert errors(hub)[-1].after["kind"] == kind, query
    assert client.get("/admin/").status_code == 200  # nothing of it ended the session


def test_the_discovery_page_links_a_saml_provider_to_its_sign_in(client, member):
    page = client.get("/auth/login?lang=zh").get_data(as_text=True)
    assert "/auth/saml/univ-a/login" in page and "甲大学" in page
