"""Signing and verifying webhook deliveries (HMAC-SHA256 over the timestamp and the exact body).

The scheme, as a receiver checks it:

- every delivery carries ``X-Chair-Timestamp: <Unix seconds when this attempt was signed>`` and
  ``X-Chair-Signature: sha256=<hex>``, where ``<hex>`` is HMAC-SHA256, keyed with the subscription's
  secret (its UTF-8 bytes), over the bytes ``<timestamp>`` + ``.`` + ``<the request body, byte for byte>``;
- the receiver recomputes the HMAC over the body it read (before parsing it), compares in constant time,
  and refuses a timestamp further than a tolerance (five minutes here) from its own clock, so a recorded
  delivery cannot be replayed later and a body or timestamp changed in transit no longer matches;
- every attempt is signed anew (a fresh timestamp); a retry keeps its ``X-Chair-Delivery`` id, which a
  receiver remembers to ignore a retry of a delivery it already processed (and a replay within the
  tolerance window).

:func:`verify_signature` is the reference implementation of the receiver's check.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from enum import StrEnum

SIGNATURE_HEADER = "X-Chair-Signature"
TIMESTAMP_HEADER = "X-Chair-Timestamp"
EVENT_HEADER = "X-Chair-Event"
DELIVERY_HEADER = "X-Chair-Delivery"
SCHEME = "sha256"
DEFAULT_TOLERANCE = 300  # seconds between the signing and the check that a receiver accepts
SIGNATURE = re.compile(r"^sha256=([0-9a-f]{64})$")


class SignatureCheck(StrEnum):
    """The outcome of checking a delivery's signature."""

    VALID = "valid"
    MALFORMED = "malformed"  # a header missing, or not in the documented form
    STALE = "stale"  # the timestamp is outside the tolerance (a replay, or a clock far off)
    MISMATCH = "mismatch"  # another secret, or a body or timestamp changed after signing


def new_secret() -> str:
    """A fresh subscription secret (32 random bytes, URL-safe text)."""
    return secrets.token_urlsafe(32)


def signed_bytes(timestamp: str, body: bytes) -> bytes:
    """The exact bytes the HMAC covers: the timestamp, a dot, the body."""
    return timestamp.encode("ascii") + b"." + body


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Chair-Signature`` value of ``body`` signed at ``timestamp``: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode("utf-8"), signed_bytes(timestamp, body), hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signature_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of one delivery attempt made at ``now`` (default: the clock)."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def check_signature(secret: str, body: bytes, timestamp: str | None, signature: str | None, *,
                    tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> SignatureCheck:
    """Check a received delivery: ``body`` as read from the request, the two headers as sent."""
    if not timestamp or not signature or not timestamp.isdigit() or not SIGNATURE.match(signature.strip()):
        return SignatureCheck.MALFORMED
    clock = time.time() if now is None else now
    if abs(clock - int(timestamp)) > tolerance:
        return SignatureCheck.STALE
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return SignatureCheck.MISMATCH
    return SignatureCheck.VALID


def verify_signature(secret: str, body: bytes, timestamp: str | None, signature: str | None, *,
                     tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> bool:
    """Whether a received delivery is authentic and fresh (see the module doc; :func:`check_signature`
    says why not)."""
    return check_signature(secret, body, timestamp, signature, tolerance=tolerance, now=now) == SignatureCheck.VALID
