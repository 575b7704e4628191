"""The SAML service provider's signing key and certificate.

The configured files (``SAML_SP_KEY``, ``SAML_SP_CERT``) when set; otherwise ``<instance>/saml/sp.key`` and
``<instance>/saml/sp.crt``, made on first use (RSA 3072, a self-signed certificate valid ten years: SAML
trusts the certificate published in the metadata, not a CA). ``SAML_SP_NEXT_CERT``, during a rotation, is
published beside the current certificate so identity providers learn it before the switch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_BITS = 3072
CERT_YEARS = 10
_LOCK = threading.Lock()


class SpKeyError(RuntimeError):
    """The SP key or a certificate is configured but missing or unreadable; the message says which file."""


@dataclass(frozen=True)
class SpKeys:
    """Paths of the SP's private key, its certificate and, during a rotation, the next certificate."""

    key_file: str
    cert_file: str
    next_cert_file: str = ""

    def certificates(self) -> list[str]:
        """The PEM files to publish in the metadata: the current certificate, then the next one if any."""
        return [self.cert_file] + ([self.next_cert_file] if self.next_cert_file else [])


def make_key_pair(key_path: Path, cert_path: Path, common_name: str) -> None:
    """Write a new RSA key (mode 0600) and a self-signed certificate for ``common_name``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "chair-hub")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _readable(path: str, what: str, setting: str) -> str:
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise SpKeyError(f"{what} {path} (CHAIR_{setting}) is missing or unreadable")
    return path


def sp_keys(settings: Mapping[str, Any]) -> SpKeys:
    """The SP's key files: the configured ones (checked readable), or the instance's, made on first use."""
    key, cert, nxt = settings["SAML_SP_KEY"], settings["SAML_SP_CERT"], settings["SAML_SP_NEXT_CERT"]
    if nxt:
        _readable(nxt, "next SP certificate", "SAML_SP_NEXT_CERT")
    if key or cert:
        if not (key and cert):
            raise SpKeyError("set both CHAIR_SAML_SP_KEY and CHAIR_SAML_SP_CERT, or neither (the instance's are used)")
        return SpKeys(_readable(key, "SP key", "SAML_SP_KEY"), _readable(cert, "SP certificate", "SAML_SP_CERT"), nxt)
    folder = Path(settings["INSTANCE_PATH"] or "instance") / "saml"
    key_path, cert_path = folder / "sp.key", folder / "sp.crt"
    with _LOCK:
        if not (key_path.is_file() and cert_path.is_file()):
            from urllib.parse import urlsplit

            make_key_pair(key_path, cert_path, urlsplit(settings["BASE_URL"]).hostname or "chair-hub")
    return SpKeys(str(key_path), str(cert_path), nxt)


def certificate_body(pem_file: str) -> str:
    """The base64 body of a PEM certificate (what metadata's ds:X509Certificate holds)."""
    text = Path(pem_file).read_text(encoding="ascii", errors="replace")
    lines = [line.strip() for line in text.splitlines()]
    try:
        start, end = lines.index("-----BEGIN CERTIFICATE-----"), lines.index("-----END CERTIFICATE-----")
    except ValueError as exc:
        raise SpKeyError(f"{pem_file} holds no PEM certificate") from exc
    return "".join(lines[start + 1:end])


def certificate_expiry(pem_file: str) -> datetime:
    """When a PEM certificate stops being valid (UTC)."""
    cert = x509.load_pem_x509_certificate(Path(pem_file).read_bytes())
    return cert.not_valid_after_utc
