"""Make the SAML test keys and the signed sample federation aggregates of tests/sso (run from the checkout:
``.venv/bin/python tests/sso/data/make_samples.py``; the outputs are committed beside it).

- ``idp.key`` / ``idp.crt``: the test identity provider's signing key (tests/sso/saml_support.py plays an IdP
  with pysaml2 and signs assertions with it);
- ``federation.key`` / ``federation.crt``: the federation operator's key signing the aggregates;
  ``other.key`` / ``other.crt``: a key the hub does not trust (the wrongly signed aggregate);
- ``aggregate-good.xml``: signed, valid until 2100, two identity providers (names in zh and en, shibmd:Scope)
  and one service provider; ``aggregate-next.xml``: the same federation a refresh later, univ-c gone and
  univ-d new; ``aggregate-expired.xml``: signed correctly, validUntil in 2020; ``aggregate-wrong-key.xml``:
  signed with other.key; ``aggregate-unsigned.xml``: no signature; ``aggregate-tampered.xml``: the good
  one with a display name edited after signing.

Keys are RSA 2048 with self-signed certificates valid until 2100 (SAML trusts published certificates, not
CAs). Running it again makes new keys and aggregates: commit them together.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"

SIGNATURE_TEMPLATE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>\
<ds:Reference URI="#{id}"><ds:Transforms>\
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>\
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>\
</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"""


def make_key(name: str, common_name: str) -> None:
    """Write ``name``.key and ``name``.crt: RSA 2048, self-signed, valid until 2100."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC)).not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
            .sign(key, hashes.SHA256()))
    (HERE / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (HERE / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def cert_body(name: str) -> str:
    lines = (HERE / f"{name}.crt").read_text().strip().splitlines()
    return "".join(lines[1:-1])


def idp(entity_id: str, host: str, scope: str, name_zh: str, name_en: str) -> str:
    """One IDPSSODescriptor entity, signing with the test IdP key."""
    return f"""<md:EntityDescriptor entityID="{entity_id}">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:Extensions>
        <shibmd:Scope regexp="false">{scope}</shibmd:Scope>
        <mdui:UIInfo>
          <mdui:DisplayName xml:lang="zh">{name_zh}</mdui:DisplayName>
          <mdui:DisplayName xml:lang="en">{name_en}</mdui:DisplayName>
        </mdui:UIInfo>
      </md:Extensions>
      <md:KeyDescriptor use="signing">
        <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_body("idp")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
      </md:KeyDescriptor>
      <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://{host}/idp/slo"/>
      <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://{host}/idp/sso"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>"""


SP = """<md:EntityDescriptor entityID="https://library.univ-a.edu.cn/shibboleth">
    <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://library.univ-a.edu.cn/Shibboleth.sso/SAML2/POST" index="0"/>
    </md:SPSSODescriptor>
  </md:EntityDescriptor>"""


def aggregate(valid_until: str, entities: list[str], ident: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="{MD_NS}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"
    ID="{ident}" Name="https://www.carsi.test/metadata" validUntil="{valid_until}">
  {SIGNATURE_TEMPLATE.format(id=ident)}
  {chr(10).join("  " + entity for entity in entities)}
</md:EntitiesDescriptor>
"""


def sign(xml: str, key: str, out: str) -> None:
    """Sign ``xml``'s Signature template with ``key`` (xmlsec1) into ``out``."""
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as tmp:
        tmp.write(xml)
    subprocess.run([shutil.which("xmlsec1") or "xmlsec1", "--sign", "--privkey-pem",
                    f"{HERE / (key + '.key')},{HERE / (key + '.crt')}",
                    "--id-attr:ID", f"{MD_NS}:EntitiesDescriptor", "--output", str(HERE / out), tmp.name],
                   check=True)
    Path(tmp.name).unlink()


def main() -> None:
    if not shutil.which("xmlsec1"):
        sys.exit("xmlsec1 is missing: apt-get install xmlsec1")
    make_key("idp", "idp.univ-a.test")
    make_key("federation", "metadata-signer.carsi.test")
    make_key("other", "not-the-federation.test")
    univ_a = idp("https://idp.univ-a.edu.cn/idp/shibboleth", "idp.univ-a.edu.cn", "univ-a.edu.cn",
                 "甲大学", "University A")
    univ_c = idp("https://idp.univ-c.edu.cn/idp/shibboleth", "idp.univ-c.edu.cn", "univ-c.edu.cn",
                 "丙大学", "University C")
    univ_d = idp("https://idp.univ-d.edu.cn/idp/shibboleth", "idp.univ-d.edu.cn", "univ-d.edu.cn",
                 "丁大学", "University D")
    good = aggregate("2100-01-01T00:00:00Z", [univ_a, univ_c, SP], "carsi-good")
    sign(good, "federation", "aggregate-good.xml")
    sign(aggregate("2100-01-01T00:00:00Z", [univ_a, univ_d, SP], "carsi-next"), "federation", "aggregate-next.xml")
    sign(aggregate("2020-01-01T00:00:00Z", [univ_a, univ_c, SP], "carsi-expired"), "federation",
         "aggregate-expired.xml")
    sign(good, "other", "aggregate-wrong-key.xml")
    unsigned = aggregate("2100-01-01T00:00:00Z", [univ_a, univ_c, SP], "carsi-unsigned")
    start = unsigned.index("<ds:Signature")
    end = unsigned.index("</ds:Signature>") + len("</ds:Signature>")
    (HERE / "aggregate-unsigned.xml").write_text(unsigned[:start] + unsigned[end:], encoding="utf-8")
    signed = (HERE / "aggregate-good.xml").read_text(encoding="utf-8")
    (HERE / "aggregate-tampered.xml").write_text(signed.replace("University C", "University X"), encoding="utf-8")


if __name__ == "__main__":
    main()
