"""Hostile arguments: any resumptionToken, identifier aliases, identifiers that are not URIs.

Every answer is HTTP 200 with the protocol's error, and stays valid against the official OAI-PMH
schema (the ``oai`` fixture validates every response), whatever the argument held.
"""

from __future__ import annotations

import pytest

from tests.provider.conftest import OAI, PREFIX, error_code, identifiers
from tests.provider.schemas import assert_valid

TOKENS = {
    "non-ascii": "abc\u00e9.d\u00e9f",
    "cjk": "令牌.签名",
    "nul": "a\x00b.cd",
    "control": "ab.c\x01d",
    "10kB": "A" * 5000 + "." + "B" * 5120,
    "percent-garbage": "%zz%00%ff.%%",
    "two-dots": "a.b.c",
    "empty": "",
}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers", "ListSets"])
@pytest.mark.parametrize("value", list(TOKENS.values()), ids=list(TOKENS))
def test_any_resumption_token_is_bad_resumption_token(oai, network, verb, value):
    root = oai(verb=verb, resumptionToken=value)
    assert error_code(root) == "badResumptionToken"


@pytest.mark.parametrize("raw", ["%ED%A0%80x.y", "%FF%FE.%80", "ab.%C3", "%00.%00"])
def test_undecodable_bytes_in_a_token_are_bad_resumption_token(client, network, raw):
    """Bytes no UTF-8 decoder accepts (a lone surrogate, 0xFF) reach the provider as replacement
    characters: still a token nobody signed, never a 500."""
    response = client.get(f"/oai?verb=ListRecords&resumptionToken={raw}")
    assert response.status_code == 200
    assert error_code(assert_valid(response.get_data())) == "badResumptionToken"


@pytest.mark.parametrize("local", ["01", "0012", "\uff11\uff12", "\u0663", "\u0661\u0662", "+1", "1.0", " 1"])
def test_identifier_aliases_do_not_exist(oai, network, local):
    """``str.isdigit``/``int()`` read "01", "１２" and "٣" as 1, 12 and 3: none of them is that record."""
    found = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{PREFIX}:12")
    assert identifiers(found) == [f"oai:{PREFIX}:12"]  # the canonical form is served
    root = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{PREFIX}:{local}")
    assert error_code(root) in ("idDoesNotExist", "badArgument")
    assert identifiers(root) == []
    if local.strip() == local:  # a value with a space is not a URI at all
        assert error_code(root) == "idDoesNotExist"
    listed = oai(verb="ListMetadataFormats", identifier=f"oai:{PREFIX}:{local}")
    assert error_code(listed) in ("idDoesNotExist", "badArgument")


def test_a_set_alias_is_no_set(oai, network):
    """``repo:01`` is not ``repo:1`` (no alias of a setSpec selects records)."""
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="repo:1")) is None
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="repo:01")) == "noRecordsMatch"


@pytest.mark.parametrize("value", [
    f"oai:{PREFIX}:1 2", f"oai:{PREFIX}:<1>", f"oai:{PREFIX}:1\x00", f"oai:{PREFIX}:\x07", "oai:x:%zz", "oai:x:a%",
    "oai:x:a#b#c", "oai:x:[1", "oai:x:a\u00a0b", "oai:x:a\u2028b", "oai:x:\ufffe", 'oai:x:"q"', "oai:x:a\\b",
    "oai:x:{1}", "oai:x:a|b", "oai:x:`", "x" * 1025,
])
@pytest.mark.parametrize("verb", ["GetRecord", "ListMetadataFormats"])
def test_an_identifier_that_is_no_uri_is_bad_argument_never_echoed(client, oai, network, value, verb):
    arguments = {"verb": verb, "identifier": value}
    if verb == "GetRecord":
        arguments["metadataPrefix"] = "oai_dc"
    root = oai(**arguments)
    assert error_code(root) == "badArgument"
    assert dict(root.find(f"{OAI}request").attrib) == {}
    message = root.find(f"{OAI}error").text
    assert value not in client.get("/oai", query_string=arguments).get_data(as_text=True)
    assert "oai:" not in message and "xxx" not in message


@pytest.mark.parametrize("value", [f"oai:{PREFIX}:999999", "oai:x:a%20b", "oai:x:a#frag", "oai:x:é/中文?q=1;x=(2)*",
                                   "urn:uuid:8b0a-44", "http://example.org/a/b"])
def test_a_valid_uri_that_names_nothing_is_echoed_as_id_does_not_exist(oai, network, value):
    root = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=value)
    assert error_code(root) == "idDoesNotExist"
    assert root.find(f"{OAI}request").get("identifier") == value
