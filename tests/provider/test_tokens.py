"""Unit tests of the signed resumption tokens, and of headers computed in SQL and in Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oai.provider import tokens
from oai.provider.errors import ErrorCode, OAIError
from oai.provider.listing import from_micros, to_micros
from tests.provider.conftest import OAI, token

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLE = tokens.ResumptionToken("ListRecords", "oai_dc", "inst:pku", None, to_micros(NOW), to_micros(NOW),
                                42, "", 100, 1234, int(NOW.timestamp()))


def test_round_trip_and_url_safety():
    text = tokens.encode(SAMPLE, "k")
    assert tokens.decode(text, "k", 86400, NOW) == SAMPLE
    assert all(c.isalnum() or c in "-_." for c in text)


def test_micros_are_exact():
    moment = datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert from_micros(to_micros(moment)) == moment


@pytest.mark.parametrize("mutate", [
    lambda t: t.replace(".", ".x"),
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: "x" + t,
    lambda t: t.split(".")[0],
    lambda t: tokens.encode(SAMPLE, "other-key"),
])
def test_tampered_or_foreign(mutate):
    with pytest.raises(OAIError) as caught:
        tokens.decode(mutate(tokens.encode(SAMPLE, "k")), "k", 86400, NOW)
    assert caught.value.code is ErrorCode.BAD_RESUMPTION_TOKEN


def test_lifetime_is_at_least_a_day_and_expiry_is_enforced():
    text = tokens.encode(SAMPLE, "k")
    assert tokens.expiration(SAMPLE, 60) == NOW + timedelta(days=1)
    tokens.decode(text, "k", 60, NOW + timedelta(hours=23))
    with pytest.raises(OAIError):
        tokens.decode(text, "k", 60, NOW + timedelta(days=1))


def test_a_signed_payload_of_the_wrong_shape_is_refused():
    import base64
    import hashlib
    import hmac
    import json

    payload = base64.urlsafe_b64encode(json.dumps(["ListRecords", 1, 2]).encode()).rstrip(b"=").decode()
    key = hmac.new(b"k", tokens._PURPOSE, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18])
    with pytest.raises(OAIError):
        tokens.decode(f"{payload}.{signature.rstrip(b'=').decode()}", "k", 86400, NOW)


def test_headers_of_list_identifiers_and_list_records_agree(oai, hub, network):
    """ListIdentifiers computes set membership in SQL, ListRecords in Python: same headers."""
    hub.configure(OAI_PAGE_SIZE_IDENTIFIERS=1000)
    hub.configure(OAI_PAGE_SIZE_RECORDS=1000)
    from lxml import etree

    for prefix in ("oai_dc", "oai_openaire", "mods"):
        short = oai(verb="ListIdentifiers", metadataPrefix=prefix)
        full = oai(verb="ListRecords", metadataPrefix=prefix)
        assert token(short) is None and token(full) is None
        as_text = [etree.tostring(h) for h in short.iter(f"{OAI}header")]
        assert as_text == [etree.tostring(h) for h in full.iter(f"{OAI}header")]
        assert any(b"<setSpec>openaire</setSpec>" in h for h in as_text)
        assert any(b"<setSpec>fulltext</setSpec>" in h for h in as_text)
