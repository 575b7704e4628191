"""The SAML service provider's checks (hub.accounts.saml) against assertions a test IdP signed (pysaml2's IdP,
tests/sso/saml_support.py): a good one passes once; wrong audience, expired, replayed, unsigned, tampered,
wrong or missing InResponseTo, unknown issuer, another key and a wrong Destination are each refused with
their own kind. No Keycloak needed."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import func, select

from hub.accounts import saml
from hub.accounts.saml import Refusal, SamlError
from hub.models import utcnow
from hub.models.federation import IdentityProvider, Protocol, Provisioning, UsedAssertion
from tests.sso.saml_support import (
    IDP_ENTITY_ID,
    TRANSIENT,
    TestIdP,
    encode,
    idp_metadata,
    request_id_of,
    shifted_clock,
)

BASE = "https://hub.chair.test"


@pytest.fixture
def overrides(overrides):
    return {**overrides, "BASE_URL": BASE}


@pytest.fixture
def provider(hub):
    with hub.db.session() as db:
        row = IdentityProvider(slug="univ-a", protocol=Protocol.SAML, key=IDP_ENTITY_ID, name_en="University A",
                               scopes=["univ-a.edu.cn"], config={"metadata_xml": idp_metadata()},
                               provisioning=Provisioning.ACTIVE)
        db.add(row)
    return "univ-a"


@pytest.fixture
def sp_metadata(hub):
    return saml.sp_metadata(hub.settings).decode("utf-8")


@pytest.fixture
def idp(sp_metadata):
    return TestIdP(sp_metadata)


def start(hub, slug="univ-a") -> str:
    """Send an AuthnRequest; returns its ID (what the browser session keeps)."""
    with hub.db.session() as db:
        row = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
        started = saml.login_redirect(hub.settings, row)
    assert request_id_of(started.url) == started.request_id
    return started.request_id


def answer(idp, hub, request_id, **kwargs) -> str:
    kwargs.setdefault("destination", saml.acs_url(hub.settings))
    kwargs.setdefault("audience", saml.sp_entity_id(hub.settings))
    return idp.response(request_id, **kwargs)


def verify(hub, xml: str, outstanding: dict[str, str]):
    with hub.db.session() as db:
        return saml.verify_response(db, hub.settings, encode(xml), outstanding)


def refused(hub, xml: str, outstanding: dict[str, str]) -> SamlError:
    with pytest.raises(SamlError) as caught:
        verify(hub, xml, outstanding)
    return caught.value


def test_a_signed_assertion_for_our_request_signs_in_once(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id)
    found, identity, answered = verify(hub, xml, {request_id: "univ-a"})
    assert found.slug == "univ-a" and answered == request_id
    assert identity.subject == "alice-persistent-7f3a"
    assert identity.provider_key == IDP_ENTITY_ID
    assert identity.email == "alice@univ-a.edu.cn" and identity.display_name == "Alice 张"
    assert identity.scoped_affiliations == ("staff@univ-a.edu.cn", "member@univ-a.edu.cn")
    assert identity.entitlements == ("urn:mace:univ-a.edu.cn:chair:admin",)
    assert identity.scopes == {"univ-a.edu.cn"}
    assert identity.logout["name_id"] == "alice-persistent-7f3a" and identity.logout["session_index"]
    error = refused(hub, xml, {request_id: "univ-a"})  # the same response posted again
    assert error.kind == Refusal.REPLAYED and error.issuer == IDP_ENTITY_ID


def test_a_transient_name_id_takes_the_principal_name_as_subject(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, name_id="_transient-93b1", name_format=TRANSIENT)
    _, identity, _ = verify(hub, xml, {request_id: "univ-a"})
    assert identity.subject == "alice@univ-a.edu.cn"


def test_a_transient_name_id_without_a_stable_attribute_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, name_id="_transient-93b1", name_format=TRANSIENT,
                 identity={"mail": ["alice@univ-a.edu.cn"]})
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.NO_SUBJECT


def test_an_assertion_for_another_audience_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, audience="https://another-sp.example.org/sp")
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.WRONG_AUDIENCE


def test_an_expired_assertion_is_refused_beyond_the_clock_skew(hub, provider, idp, monkeypatch):
    request_id = start(hub)
    with shifted_clock(monkeypatch, -(15 * 60 + hub.settings.SSO_CLOCK_SKEW + 60)):
        xml = answer(idp, hub, request_id)  # valid 15 minutes, made that long and the skew ago
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.EXPIRED


def test_an_assertion_just_inside_the_clock_skew_passes(hub, provider, idp, monkeypatch):
    request_id = start(hub)
    with shifted_clock(monkeypatch, -(15 * 60 + hub.settings.SSO_CLOCK_SKEW - 30)):
        xml = answer(idp, hub, request_id)
    assert verify(hub, xml, {request_id: "univ-a"})[1].subject


def test_an_assertion_from_the_future_is_refused(hub, provider, idp, monkeypatch):
    request_id = start(hub)
    with shifted_clock(monkeypatch, hub.settings.SSO_CLOCK_SKEW + 600):
        xml = answer(idp, hub, request_id)
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.EXPIRED


def test_an_unsigned_assertion_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, sign_assertion=False)
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.UNSIGNED


def test_a_signed_response_around_an_unsigned_assertion_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, sign_assertion=False, sign_response=True)
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.UNSIGNED


def test_a_value_edited_after_signing_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id)
    assert "staff@univ-a.edu.cn" in xml
    tampered = xml.replace("staff@univ-a.edu.cn", "faculty@univ-a.edu.cn")
    assert refused(hub, tampered, {request_id: "univ-a"}).kind == Refusal.BAD_SIGNATURE


def test_an_assertion_signed_with_a_key_not_in_the_metadata_is_refused(hub, provider, sp_metadata):
    other = TestIdP(sp_metadata, key="other")  # the entity ID of univ-a, another key
    request_id = start(hub)
    xml = answer(other, hub, request_id)
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.BAD_SIGNATURE


def test_an_answer_to_no_request_of_this_session_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id)
    assert refused(hub, xml, {}).kind == Refusal.UNSOLICITED  # another browser's request
    wrong = answer(idp, hub, "id-not-a-request-of-ours")
    assert refused(hub, wrong, {request_id: "univ-a"}).kind == Refusal.UNSOLICITED
    unsolicited = answer(idp, hub, None)  # IdP-initiated
    assert refused(hub, unsolicited, {request_id: "univ-a"}).kind == Refusal.UNSOLICITED


def test_an_answer_from_another_provider_than_the_request_went_to_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id)
    assert refused(hub, xml, {request_id: "univ-b"}).kind == Refusal.UNSOLICITED


def test_an_unknown_or_disabled_issuer_is_refused(hub, provider, sp_metadata):
    stranger = TestIdP(sp_metadata, entity_id="https://idp.stranger.example.org/idp")
    request_id = start(hub)
    error = refused(hub, answer(stranger, hub, request_id), {request_id: "univ-a"})
    assert error.kind == Refusal.UNKNOWN_ISSUER and error.issuer == "https://idp.stranger.example.org/idp"
    with hub.db.session() as db:
        db.scalar(select(IdentityProvider)).enabled = False
    idp = TestIdP(sp_metadata)
    assert refused(hub, answer(idp, hub, request_id), {request_id: "univ-a"}).kind == Refusal.UNKNOWN_ISSUER


def test_a_response_addressed_to_another_service_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, destination="https://another-sp.example.org/acs")
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.WRONG_DESTINATION


def test_what_is_not_a_saml_response_is_malformed(hub, provider):
    for message in ("", "not base64 ***", base64.b64encode(b"<html/>").decode(),
                    base64.b64encode(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>').decode()):
        with hub.db.session() as db, pytest.raises(SamlError) as caught:
            saml.verify_response(db, hub.settings, message, {"id-1": "univ-a"})
        assert caught.value.kind == Refusal.MALFORMED


def test_consumed_assertions_are_kept_until_they_expire_then_purged(hub, provider, idp):
    request_id = start(hub)
    verify(hub, answer(idp, hub, request_id), {request_id: "univ-a"})
    with hub.db.session() as db:
        row = db.scalar(select(UsedAssertion))
        assert row.provider_id is not None
        assert utcnow() + timedelta(minutes=10) < row.expires_at < utcnow() + timedelta(minutes=20)
        db.add(UsedAssertion(assertion_id="id-long-gone", provider_id=None, expires_at=utcnow() - timedelta(hours=1)))
    second = start(hub)
    verify(hub, answer(idp, hub, second), {second: "univ-a"})
    with hub.db.session() as db:
        assert db.get(UsedAssertion, "id-long-gone") is None
        assert db.scalar(select(func.count()).select_from(UsedAssertion)) == 2


def test_the_sp_metadata_is_signed_and_names_our_endpoints(hub, sp_metadata, tmp_path):
    from saml2.sigver import CryptoBackendXmlSec1

    from hub.accounts.saml_keys import sp_keys

    root = etree.fromstring(sp_metadata.encode())
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    assert root.get("entityID") == f"{BASE}/auth/saml/metadata" and root.get("validUntil")
    sp = root.find(f"{md}SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true" and sp.get("WantAssertionsSigned") == "true"
    acs = sp.find(f"{md}AssertionConsumerService")
    assert acs.get("Location") == f"{BASE}/auth/saml/acs" and acs.get("Binding").endswith("HTTP-POST")
    slo = sp.find(f"{md}SingleLogoutService")
    assert slo.get("Location") == f"{BASE}/auth/saml/sls" and slo.get("Binding").endswith("HTTP-Redirect")
    requested = {a.get("FriendlyName") for a in sp.iter(f"{md}RequestedAttribute")}
    assert requested == set(saml.REQUESTED_ATTRIBUTES)
    formats = [f.text for f in sp.iter(f"{md}NameIDFormat")]
    assert formats[:2] == [saml.NAMEID_PERSISTENT, saml.NAMEID_TRANSIENT]
    backend = CryptoBackendXmlSec1(saml.xmlsec_binary(hub.settings))
    assert backend.validate_signature(sp_metadata.encode(), sp_keys(hub.settings).cert_file, "pem",
                                      f"{md[1:-1]}:EntityDescriptor", root.get("ID"))


def test_the_next_certificate_is_published_beside_the_current_one(hub, tmp_path):
    from hub.accounts.saml_keys import certificate_body, make_key_pair, sp_keys

    make_key_pair(tmp_path / "next.key", tmp_path / "next.crt", "hub.chair.test")
    hub.configure(SAML_SP_NEXT_CERT=str(tmp_path / "next.crt"))
    root = etree.fromstring(saml.sp_metadata(hub.settings))
    published = {c.text.replace("\n", "") for c in root.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate")}
    assert certificate_body(str(tmp_path / "next.crt")) in published
    assert certificate_body(sp_keys(hub.settings).cert_file) in published


def test_the_sp_key_is_made_once_in_the_instance_folder(hub):
    from hub.accounts.saml_keys import sp_keys

    first = sp_keys(hub.settings)
    assert first.key_file.endswith("saml/sp.key") and first.cert_file.endswith("saml/sp.crt")
    import os

    assert os.stat(first.key_file).st_mode & 0o077 == 0
    assert sp_keys(hub.settings) == first and open(first.cert_file).read() == open(sp_keys(hub.settings).cert_file).read()


def test_configured_keys_that_are_missing_are_a_clear_error(hub, tmp_path):
    hub.configure(SAML_SP_KEY=str(tmp_path / "nope.key"), SAML_SP_CERT=str(tmp_path / "nope.crt"))
    with pytest.raises(SamlError) as caught:
        saml.sp_metadata(hub.settings)
    assert caught.value.kind == Refusal.SP_MISCONFIGURED and "nope.key" in caught.value.detail


def test_a_missing_xmlsec1_is_named(hub):
    hub.configure(SAML_XMLSEC_BINARY="/nonexistent/xmlsec1")
    with pytest.raises(SamlError) as caught:
        saml.sp_metadata(hub.settings)
    assert "xmlsec1" in caught.value.detail and "apt-get install xmlsec1" in caught.value.detail


def test_an_encrypted_signed_assertion_is_decrypted_with_the_sp_key(hub, provider, idp):
    """Shibboleth IdPs (CARSI's) encrypt assertions for SPs whose metadata publishes an encryption key."""
    request_id = start(hub)
    xml = answer(idp, hub, request_id, encrypt_assertion=True, encrypt_assertion_self_contained=True)
    assert "EncryptedAssertion" in xml and "alice@univ-a.edu.cn" not in xml
    _, identity, _ = verify(hub, xml, {request_id: "univ-a"})
    assert identity.subject == "alice-persistent-7f3a" and identity.email == "alice@univ-a.edu.cn"
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.REPLAYED


def test_an_encrypted_unsigned_assertion_is_refused(hub, provider, idp):
    request_id = start(hub)
    xml = answer(idp, hub, request_id, sign_assertion=False, sign_response=True, encrypt_assertion=True)
    assert "EncryptedAssertion" in xml
    assert refused(hub, xml, {request_id: "univ-a"}).kind == Refusal.UNSIGNED
