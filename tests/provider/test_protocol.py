"""The six verbs and every protocol error, over GET and POST, validated against the schemas."""

from __future__ import annotations

import re

import pytest

from tests.provider.conftest import OAI, PREFIX, error_code, identifiers

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def test_identify_announces_the_hub(oai, network, hub):
    root = oai(verb="Identify")
    ident = root.find(f"{OAI}Identify")
    assert ident.findtext(f"{OAI}baseURL") == "https://hub.example.org/oai"
    assert ident.findtext(f"{OAI}repositoryName") == hub.settings["REPOSITORY_NAME"]
    assert ident.findtext(f"{OAI}adminEmail") == hub.settings["ADMIN_EMAIL"]
    assert ident.findtext(f"{OAI}deletedRecord") == "persistent"
    assert ident.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext(f"{OAI}earliestDatestamp") == "2024-03-01T08:00:00Z"
    ns = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    description = ident.find(f"{OAI}description/{ns}oai-identifier")
    assert description.findtext(f"{ns}repositoryIdentifier") == PREFIX
    assert description.findtext(f"{ns}sampleIdentifier") == f"oai:{PREFIX}:1"
    assert root.find(f"{OAI}request").get("verb") == "Identify"


def test_identify_on_an_empty_hub_gives_now_as_earliest_datestamp(oai):
    root = oai(verb="Identify")
    earliest = root.findtext(f"{OAI}Identify/{OAI}earliestDatestamp")
    assert earliest[:4] >= "2025" and earliest == root.findtext(f"{OAI}responseDate")


def test_list_metadata_formats(oai, network):
    root = oai(verb="ListMetadataFormats")
    prefixes = [e.text for e in root.iter(f"{OAI}metadataPrefix")]
    assert prefixes == ["oai_dc", "oai_openaire", "mods"]


def test_list_metadata_formats_of_one_record(oai, network):
    # record 0 is complete; record 2 lacks access rights (not OpenAIRE); record 7 has no title.
    full = [e.text for e in oai(verb="ListMetadataFormats", identifier=f"oai:{PREFIX}:1").iter(f"{OAI}metadataPrefix")]
    assert full == ["oai_dc", "oai_openaire", "mods"]
    partial = [e.text for e in oai(verb="ListMetadataFormats", identifier=f"oai:{PREFIX}:3").iter(f"{OAI}metadataPrefix")]
    assert partial == ["oai_dc", "mods"]
    assert error_code(oai(verb="ListMetadataFormats", identifier=f"oai:{PREFIX}:8")) == "noMetadataFormats"
    assert error_code(oai(verb="ListMetadataFormats", identifier=f"oai:{PREFIX}:99999")) == "idDoesNotExist"


def test_get_record(oai, network):
    root = oai(verb="GetRecord", identifier=f"oai:{PREFIX}:1", metadataPrefix="oai_dc")
    record = root.find(f"{OAI}GetRecord/{OAI}record")
    assert identifiers(root) == [f"oai:{PREFIX}:1"]
    titles = [t.text for t in record.iter("{http://purl.org/dc/elements/1.1/}title")]
    assert titles[0].startswith("基于深度学习") and titles[1].startswith("Urban traffic")
    assert [s.text for s in record.iter(f"{OAI}setSpec")] == ["inst:pku", "repo:1", "type:c_6501", "openaire"]


@pytest.mark.parametrize("arguments, code", [
    ({}, "badVerb"),
    ({"verb": "Frobnicate"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": f"oai:{PREFIX}:1"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "mods"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01T08:00:00+01:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01", "until": "2024-03-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-02", "until": "2024-03-01"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "abc.def"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "inst:nowhere"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2000-01-01T00:00:00Z"}, "noRecordsMatch"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:other.example.org:1"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{PREFIX}:abc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": f"oai:{PREFIX}:8"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_openaire", "identifier": f"oai:{PREFIX}:3"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "nope", "identifier": f"oai:{PREFIX}:1"}, "cannotDisseminateFormat"),
])
@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
def test_errors(oai, network, arguments, code, post):
    root = oai(_post=post, **arguments)
    assert error_code(root) == code
    request = root.find(f"{OAI}request")
    assert request.text == "https://hub.example.org/oai"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}
    else:
        assert request.get("verb") == arguments["verb"]


def test_no_set_hierarchy_when_sets_are_off(client, hub, network):
    hub.configure(OAI_ENABLE_SETS=False)
    from tests.provider.schemas import assert_valid

    for query in ({"verb": "ListSets"}, {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "openaire"}):
        root = assert_valid(client.get("/oai", query_string=query).get_data())
        assert error_code(root) == "noSetHierarchy"


def test_day_and_seconds_granularity(oai, network):
    # Records 0..59: datestamps 08:00 + (i - i // 4) minutes, so 08:00..08:45 on 2024-03-01.
    day = identifiers(oai(verb="ListIdentifiers", metadataPrefix="mods", **{"from": "2024-03-01", "until": "2024-03-01"}))
    assert len(day) == 11  # first page of the whole day
    seconds = oai(verb="ListIdentifiers", metadataPrefix="oai_dc",
                  **{"from": "2024-03-01T08:02:00Z", "until": "2024-03-01T08:03:00Z"})
    # minutes 2 and 3 hold records 2, 3 and 4 (3 and 4 share 08:03)
    assert identifiers(seconds) == [f"oai:{PREFIX}:{i}" for i in (3, 4, 5)]
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2024-03-02"})) == "noRecordsMatch"


def test_post_equals_get(client, network):
    arguments = {"verb": "ListRecords", "metadataPrefix": "oai_openaire"}
    get = client.get("/oai", query_string=arguments).get_data()
    post = client.post("/oai", data=arguments).get_data()
    # A token carries the second its list was issued, and its expirationDate follows from it: two
    # requests may straddle a second.
    strip = lambda body: re.sub(rb' expirationDate="[^"]*"', b"", re.sub(  # noqa: E731
        rb">[^<]+</resumptionToken>", b"></resumptionToken>", body.split(b"</responseDate>", 1)[1]))
    assert b"</resumptionToken>" in get and strip(get) == strip(post)


def test_list_sets_is_bilingual_and_paged(oai, network):
    specs, names, page = [], [], oai(verb="ListSets")
    while True:
        for item in page.iter(f"{OAI}set"):
            specs.append(item.findtext(f"{OAI}setSpec"))
            names.append(item.findtext(f"{OAI}setName"))
            langs = [d.get("{http://www.w3.org/XML/1998/namespace}lang")
                     for d in item.iter("{http://purl.org/dc/elements/1.1/}description")]
            assert langs == ["zh", "en"]
        tok = next(page.iter(f"{OAI}resumptionToken"))
        if not tok.text:
            assert int(tok.get("completeListSize")) == len(specs)
            break
        assert int(tok.get("cursor")) == len(specs) - len(list(page.iter(f"{OAI}set")))
        page = oai(verb="ListSets", resumptionToken=tok.text)
    assert specs == sorted(specs) and len(set(specs)) == len(specs)
    assert {"inst:pku", "inst:fudan", "repo:1", "repo:2", "repo:3", "openaire", "fulltext", "type:c_6501"} <= set(specs)
    assert "北京大学 / Peking University" in names
