"""A test identity provider for the SAML tests: pysaml2's IdP (``saml2.server.Server``) signing with
tests/sso/data/idp.key, trusting the hub's SP metadata, and the helpers that register it with a hub.

It makes real, signed (or, for the negative tests, unsigned, tampered, mis-addressed) SAML responses;
the hub's SP checks them exactly as it checks a campus identity provider's.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NameID
from saml2.server import Server

DATA = Path(__file__).resolve().parent / "data"
IDP_ENTITY_ID = "https://idp.univ-a.edu.cn/idp/shibboleth"
SSO_URL = "https://idp.univ-a.edu.cn/idp/sso"
SLO_URL = "https://idp.univ-a.edu.cn/idp/slo"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

ALICE = {
    "eduPersonPrincipalName": ["alice@univ-a.edu.cn"],
    "eduPersonScopedAffiliation": ["staff@univ-a.edu.cn", "member@univ-a.edu.cn"],
    "eduPersonEntitlement": ["urn:mace:univ-a.edu.cn:chair:admin"],
    "mail": ["alice@univ-a.edu.cn"],
    "displayName": ["Alice 张"],
}


def idp_config(sp_metadata: str, entity_id: str = IDP_ENTITY_ID, key: str = "idp") -> IdPConfig:
    """The pysaml2 IdP configuration: signing with ``key`` (tests/sso/data), trusting ``sp_metadata``."""
    conf = IdPConfig()
    conf.load({
        "entityid": entity_id,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(DATA / f"{key}.key"),
        "cert_file": str(DATA / f"{key}.crt"),
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)],
                          "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)]},
            "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None,
                                   "name_form": NAME_FORMAT_URI}},
            "name_id_format": [PERSISTENT, TRANSIENT],
            "scope": ["univ-a.edu.cn"],
        }},
        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
    })
    return conf


def idp_metadata(entity_id: str = IDP_ENTITY_ID, key: str = "idp") -> str:
    """The test IdP's own metadata (what ``chair sso add-saml --metadata`` reads)."""
    conf = idp_config("", entity_id, key)
    return create_metadata_string(None, config=conf, valid=0, sign=False).decode("utf-8")


class TestIdP:
    """An identity provider answering the hub's AuthnRequests."""

    __test__ = False  # not a pytest class

    def __init__(self, sp_metadata: str, entity_id: str = IDP_ENTITY_ID, key: str = "idp") -> None:
        self.server = Server(config=idp_config(sp_metadata, entity_id, key))
        self.entity_id = entity_id

    def response(self, in_response_to: str | None, *, destination: str, audience: str,
                 identity: Mapping[str, list[str]] | None = None, name_id: str = "alice-persistent-7f3a",
                 name_format: str = PERSISTENT, sign_assertion: bool = True, sign_response: bool = False,
                 **kwargs: Any) -> str:
        """A SAMLResponse (the XML, not encoded) for ``audience`` posted to ``destination``."""
        response = self.server.create_authn_response(
            identity=dict(identity if identity is not None else ALICE), in_response_to=in_response_to,
            destination=destination, sp_entity_id=audience,
            name_id=NameID(format=name_format, text=name_id),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                   "authn_auth": self.entity_id},
            sign_assertion=sign_assertion, sign_response=sign_response, **kwargs)
        return str(response)


def encode(xml: str) -> str:
    """A SAMLResponse as the HTTP-POST binding sends it."""
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def request_id_of(location: str) -> str:
    """The ID of the AuthnRequest in a redirect URL (HTTP-Redirect binding)."""
    import zlib

    from defusedxml import ElementTree

    message = parse_qs(urlsplit(location).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(message), -15)
    return ElementTree.fromstring(xml).get("ID")


class shifted_clock:  # noqa: N801 - used as a context manager like a function
    """Make the test IdP's times (IssueInstant, NotBefore, NotOnOrAfter, AuthnInstant) ``seconds`` off."""

    def __init__(self, monkeypatch: Any, seconds: float) -> None:
        self.monkeypatch, self.seconds = monkeypatch, seconds

    def __enter__(self) -> None:
        import time

        from saml2 import time_util

        shift = self.seconds

        def instant(format: str = time_util.TIME_FORMAT, time_stamp: float = 0) -> str:
            return time_util.instant(format, time_stamp=(time_stamp or time.time()) + shift)

        def in_a_while(**kwargs: Any) -> str:
            kwargs["seconds"] = kwargs.get("seconds", 0) + shift
            return time_util.in_a_while(**kwargs)

        for module in ("saml2.assertion", "saml2.entity", "saml2.server", "saml2.response", "saml2"):
            mod = __import__(module, fromlist=["_"])
            if hasattr(mod, "instant"):
                self.monkeypatch.setattr(mod, "instant", instant)
            if hasattr(mod, "in_a_while"):
                self.monkeypatch.setattr(mod, "in_a_while", in_a_while)

    def __exit__(self, *exc: Any) -> None:
        self.monkeypatch.undo()
