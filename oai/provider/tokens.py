"""Stateless, signed resumption tokens carrying a keyset cursor, never an offset.

A token is ``<payload>.<signature>``: the payload is compact JSON in URL-safe base64, the
signature an HMAC-SHA256 of it under a key derived from ``SECRET_KEY`` (so a token of another
hub, or one edited by hand, fails). New tokens are always signed with ``SECRET_KEY``; a token
signed with one of ``SECRET_KEY_FALLBACKS`` (the keys before a rotation) still verifies, so a
rotation never breaks a harvest of the hub that is under way. The payload carries everything the
next page needs, so the hub stores nothing between requests and a token survives restarts and
load balancing:

- the list request: verb, metadataPrefix, set, from and until;
- the keyset cursor: ``(hub_datestamp, id)`` of the last record sent. The next page is
  ``WHERE hub_datestamp > d OR (hub_datestamp = d AND id > i) ORDER BY hub_datestamp, id``, which
  the ``ix_record_hub_datestamp_id`` index answers directly: the last page costs what the first
  one costs, unlike offset paging;
- how many records were already sent (the ``cursor`` attribute) and ``completeListSize``,
  counted once, at the first page;
- the issue time of the first page; ``expirationDate`` is issue time + ``OAI_TOKEN_LIFETIME``
  (at least a day), and a token past it is ``badResumptionToken``.

Why a list that changes while it is harvested never skips nor repeats a record
------------------------------------------------------------------------------
Each record has exactly one key ``(hub_datestamp, id)`` at any time and pages walk the keys in
strictly increasing order, so a record is sent at most once unless an update moves it from behind
the cursor to ahead of it. The importer gives a changed or new record ``hub_datestamp = now``
(seconds). When the first page of a multi-page list is served at instant ``t`` (second ``T``), the
token fixes ``until`` to ``T - 1 s`` (or keeps the request's own ``until`` when that is earlier).
Every record changed after the harvest began gets a datestamp ``>= T``, outside the list: it can
neither appear twice in this list (no repeat) nor move past a cursor unseen, and since records
are never removed from the table (deletions are tombstones), every record that was in the list
at ``t`` and did not change stays in it (no skip). The records left out are exactly those with a
datestamp ``>= T``; the harvester's next incremental harvest, ``from`` the ``responseDate`` of this
first page (``T``), collects them: what changed during a harvest is harvested next time. A list
that fits in a single page needs no bound: it is read in one query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from oai.provider.errors import ErrorCode, OAIError

MIN_LIFETIME = 24 * 3600
MAX_LENGTH = 4096
# What :func:`encode` writes: two runs of the URL-safe base64 alphabet (ASCII only) around a dot.
# Anything else (non-ASCII, NUL, percent-garbage) is refused before any signature check.
TOKEN_SYNTAX = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_PURPOSE = b"chair.oai.resumption-token.v1"


@dataclass(frozen=True)
class ResumptionToken:
    """What a token carries. Dates are Unix seconds (UTC); ``set``/``from``/``until`` may be empty.

    ``last_datestamp``/``last_id`` are the keyset cursor of a record list; ``last_spec`` is the
    cursor of a ListSets list (sets are ordered by setSpec).
    """

    verb: str
    prefix: str
    set: str
    start: int | None
    until: int | None
    last_datestamp: int | None
    last_id: int | None
    last_spec: str
    sent: int
    total: int
    issued: int

    def next(self, *, last_datestamp: int | None = None, last_id: int | None = None,
             last_spec: str = "", sent: int) -> ResumptionToken:
        """The token of the page after this one."""
        return ResumptionToken(self.verb, self.prefix, self.set, self.start, self.until,
                               last_datestamp, last_id, last_spec, sent, self.total, self.issued)


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def lifetime(seconds: int) -> timedelta:
    """The validity of a token: the configured lifetime, never under a day."""
    return timedelta(seconds=max(int(seconds), MIN_LIFETIME))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(_key(secret), payload.encode("ascii"), hashlib.sha256).digest()[:18])


def encode(token: ResumptionToken, secret: str) -> str:
    """The signed, URL-safe text of ``token``."""
    payload = _b64(json.dumps(list(asdict(token).values()), separators=(",", ":"),
                              ensure_ascii=True).encode("ascii"))
    return f"{payload}.{_signature(payload, secret)}"


def expiration(token: ResumptionToken, lifetime_seconds: int) -> datetime:
    """When ``token`` stops being accepted."""
    return datetime.fromtimestamp(token.issued, UTC) + lifetime(lifetime_seconds)


def decode(text: str, secret: str, lifetime_seconds: int, now: datetime | None = None,
           fallbacks: Sequence[str] = ()) -> ResumptionToken:
    """Check the signature and the age of a token and return what it carries.

    The signature may be under ``secret`` or under one of the old keys ``fallbacks`` (rotation).
    Anything wrong (not a token, bad signature, another hub's key, malformed payload, expired)
    raises :class:`OAIError` with ``badResumptionToken``.
    """
    bad = OAIError(ErrorCode.BAD_RESUMPTION_TOKEN, "the resumption token is invalid or expired")
    if not isinstance(text, str) or len(text) > MAX_LENGTH or not TOKEN_SYNTAX.fullmatch(text):
        raise bad
    payload, signature = text.split(".")
    sent = signature.encode("ascii")
    if not any(hmac.compare_digest(_signature(payload, key).encode("ascii"), sent)
               for key in (secret, *fallbacks) if key):
        raise bad
    try:
        fields = json.loads(_unb64(payload))
        token = ResumptionToken(*fields)
        _check_types(token)
    except (ValueError, TypeError) as exc:
        raise bad from exc
    now = now or datetime.now(UTC)
    if now >= expiration(token, lifetime_seconds):
        raise bad
    return token


MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z, the last instant a datestamp can name
MAX_MICROS = MAX_SECONDS * 1_000_000 + 999_999  # the same in microseconds (start, until, last_datestamp)
MAX_ID = 2**31 - 1  # the largest record id either database holds (PostgreSQL INTEGER)


def _check_types(token: ResumptionToken) -> None:
    """Reject a payload whose fields have the wrong types or values no list can hold (a bug elsewhere,
    an old version, or a token forged with the key): dates within 1970..9999, ids and counts within
    the database's integers, so no field reaches a query or a date conversion it would break."""
    if not all(isinstance(v, str) for v in (token.verb, token.prefix, token.set, token.last_spec)):
        raise TypeError("string field expected")
    bounded = ((token.start, MAX_MICROS), (token.until, MAX_MICROS), (token.last_datestamp, MAX_MICROS),
               (token.last_id, MAX_ID))
    if not all(v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= high)
               for v, high in bounded):
        raise TypeError("integer field expected")
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= high
               for v, high in ((token.sent, MAX_ID), (token.total, MAX_ID), (token.issued, MAX_SECONDS))):
        raise TypeError("count expected")
