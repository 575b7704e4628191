"""Text fidelity of harvested metadata: escaped HTML abstracts (Zenodo's oai_dc) and MARCXML read
through an ``oai-mapped`` mapping (subfields joined with a separator, organisations kept whole,
MARC trailing punctuation trimmed), harvested from a local OAI-PMH server."""

from __future__ import annotations

import pytest
from lxml import etree

from hub.states import RunState
from plugins.custom.mapping import apply_xpaths, compile_xpaths, element_text
from tests.platforms.conftest import harvest, records, register
from tests.platforms.fake_oai import FakeOAI, OAIItem

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "{http://purl.org/dc/elements/1.1/}"
MARC_NS = "http://www.loc.gov/MARC21/slim"

# The shape of Zenodo's oai_dc: the HTML of the deposit form, escaped once in the XML.
ZENODO_DESCRIPTION = ("&lt;p&gt;O trabalho culin&amp;aacute;rio &amp;eacute; uma pr&amp;aacute;tica "
                      "social.&lt;/p&gt;\n\n&lt;p&gt;Discutimos a cozinha&amp;nbsp;brasileira do "
                      "s&amp;eacute;culo XX: &lt;em&gt;feijoada&lt;/em&gt;, &lt;em&gt;moqueca&lt;/em&gt;."
                      "&lt;/p&gt;")
CLEAN_DESCRIPTION = ("O trabalho culinário é uma prática social.\n\n"
                     "Discutimos a cozinha\u00a0brasileira do século XX: feijoada, moqueca.")


def _zenodo(item: OAIItem) -> str:
    n = item.identifier.rpartition(":")[2]
    return (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/'
            'OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
            "<dc:creator>Silva, Maria</dc:creator><dc:creator>Universidade de São Paulo</dc:creator>"
            "<dc:date>2021-03-04</dc:date>"
            f"<dc:description>{ZENODO_DESCRIPTION}</dc:description>"
            f"<dc:identifier>https://zenodo.org/record/{n}</dc:identifier>"
            f"<dc:identifier>10.5281/zenodo.{n}</dc:identifier>"
            "<dc:language>por</dc:language>"
            "<dc:rights>info:eu-repo/semantics/openAccess</dc:rights>"
            "<dc:subject>culin&amp;aacute;ria</dc:subject><dc:subject>AT&amp;T &lt; 5</dc:subject>"
            "<dc:title>Cozinha e sociedade: o caso &lt;i&gt;Brasil&lt;/i&gt;</dc:title>"
            "<dc:type>info:eu-repo/semantics/article</dc:type></oai_dc:dc>")


def test_zenodo_escaped_html_is_clean_text_for_display_search_and_republication(hub, served, client):
    items = [OAIItem(f"oai:zenodo.org:{n}", f"2024-05-{n:02d}T00:00:00Z") for n in (1, 2)]
    fake = FakeOAI(f"{served.url}/zenodo/oai", items, {"oai_dc": _zenodo}, {"oai_dc": OAI_DC})
    served.site.mount("zenodo", lambda request, parts: fake(request))
    repo_id = register(hub, "oai", fake.base_url)
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    record = records(hub, repo_id)[0]
    meta = record.meta
    assert [a["value"] for a in meta["abstracts"]] == [CLEAN_DESCRIPTION]
    assert meta["titles"][0]["value"] == "Cozinha e sociedade: o caso Brasil"
    assert [s["value"] for s in meta["subjects"]] == ["culinária", "AT&T < 5"]
    assert [c["name"] for c in meta["creators"]] == ["Silva, Maria", "Universidade de São Paulo"]
    assert meta["creators"][1]["organisation"] is True and meta["creators"][1]["family"] == ""
    assert "organisation" not in meta["creators"][0]
    assert meta["doi"] == "10.5281/zenodo.1"
    # the raw metadata stays exactly as the source sent it
    assert "&lt;p&gt;O trabalho culin&amp;aacute;rio" in record.raw_metadata
    # republication: the hub's own oai_dc says the clean text
    prefix = str(hub.settings["OAI_IDENTIFIER_PREFIX"])
    response = client.get("/oai", query_string={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                                "identifier": record.oai_identifier(prefix)})
    root = etree.fromstring(response.data)
    assert [d.text for d in root.iter(f"{DC}description")] == [CLEAN_DESCRIPTION]
    assert b"&lt;p&gt;" not in response.data and b"aacute" not in response.data


# --- MARCXML through oai-mapped ----------------------------------------------------------------

MARC_OPTIONS = {
    "namespaces": {"marc": MARC_NS},
    "fields": {
        "titles": "marc:datafield[@tag='245']",  # $a and $b joined with the default space
        "creators": {"xpath": "marc:datafield[@tag='100' or @tag='700' or @tag='710']", "separator": ", "},
        "publisher": "marc:datafield[@tag='260']/marc:subfield[@code='b']",
        "dates": "marc:datafield[@tag='260']/marc:subfield[@code='c']",
        "subjects": "marc:datafield[@tag='650']/marc:subfield[@code='a']",
        "abstracts": "marc:datafield[@tag='520']/marc:subfield[@code='a']",
        "languages": "substring(marc:controlfield[@tag='008'], 36, 3)",
    },
}


def _field(tag: str, *subfields: tuple[str, str]) -> str:
    subs = "".join(f'<marc:subfield code="{code}">{text}</marc:subfield>' for code, text in subfields)
    return f'<marc:datafield tag="{tag}" ind1="1" ind2=" ">{subs}</marc:datafield>'


def _marc(item: OAIItem) -> str:
    return (f'<marc:record xmlns:marc="{MARC_NS}">'
            '<marc:controlfield tag="008">200101s2020    gw            000 0 eng d</marc:controlfield>'
            + _field("100", ("a", "Röglin,"), ("b", "Heiko"))
            + _field("245", ("a", "Algorithms on graphs :"), ("b", "a primer /"))
            + _field("260", ("a", "Berlin :"), ("b", "Springer,"), ("c", "2020."))
            + _field("520", ("a", "We study graphs. Every result is proved."))
            + _field("650", ("a", "Graph theory."))
            + _field("700", ("a", "Wang, Wei,"))
            + _field("700", ("a", "Smith, J."))
            + _field("710", ("a", "World Health Organization."))
            + "</marc:record>")


def test_marcxml_subfields_joined_organisations_kept_punctuation_trimmed(hub, served):
    items = [OAIItem("oai:catalogue.example.org:1", "2024-05-01T00:00:00Z")]
    fake = FakeOAI(f"{served.url}/alma/oai", items, {"marc21": _marc}, {"marc21": MARC_NS})
    served.site.mount("alma", lambda request, parts: fake(request))
    repo_id = register(hub, "oai-mapped", fake.base_url, options=MARC_OPTIONS, prefix="marc21")
    assert harvest(hub, repo_id).state == RunState.SUCCEEDED
    meta = records(hub, repo_id)[0].meta
    assert meta["titles"][0]["value"] == "Algorithms on graphs : a primer"
    creators = [(c["name"], c["family"], c["given"], c.get("organisation", False)) for c in meta["creators"]]
    assert creators == [("Röglin, Heiko", "Röglin", "Heiko", False), ("Wang, Wei", "Wang", "Wei", False),
                        ("Smith, J.", "Smith", "J.", False), ("World Health Organization", "", "", True)]
    assert meta["publisher"] == ["Springer"] and meta["issued"] == "2020"
    assert [s["value"] for s in meta["subjects"]] == ["Graph theory"]
    assert [a["value"] for a in meta["abstracts"]] == ["We study graphs. Every result is proved."]
    assert meta["languages"] == ["eng"]


def _record(xml: str):
    return etree.fromstring(f'<marc:record xmlns:marc="{MARC_NS}">{xml}</marc:record>')


def test_default_separator_is_a_space_and_trimming_can_be_turned_off() -> None:
    record = _record(_field("100", ("a", "Röglin"), ("b", "Heiko")) + _field("650", ("a", "Graph theory."))
                     + _field("651", ("a", "Brazil."), ("z", "History.")))
    fields = {"creators": "marc:datafield[@tag='100']",
              "subjects": {"xpath": "marc:datafield[@tag='650']/marc:subfield", "trim": False},
              "types": {"xpath": "marc:datafield[@tag='651']", "separator": " -- "}}
    result = apply_xpaths(compile_xpaths({"namespaces": {"marc": MARC_NS}, "fields": fields}), record)
    assert [c.name for c in result.creators] == ["Röglin Heiko"]  # never "RöglinHeiko"
    assert [s.value for s in result.subjects] == ["Graph theory."]
    assert result.types == ["Brazil -- History"]


def test_mixed_content_reads_as_written() -> None:
    node = etree.fromstring("<title>CO<sub>2</sub> uptake in <i>Zea mays</i></title>")
    assert element_text(node, ", ") == "CO2 uptake in Zea mays"
    nested = etree.fromstring("<name><part>Li</part><part><x>Na</x> </part></name>")
    assert element_text(nested, " | ") == "Li | Na"


@pytest.mark.parametrize(("spec", "message"), [
    ({"xpath": "marc:datafield", "separator": 3}, "options.fields.creators.separator"),
    ({"xpath": "marc:datafield", "join": ", "}, "unknown key"),
    ({"xpath": "marc:datafield", "trim": "yes"}, "options.fields.creators.trim"),
    ({"separator": ", "}, "give an XPath expression"),
])
def test_field_objects_are_validated(spec, message) -> None:
    with pytest.raises(ValueError, match=message):
        compile_xpaths({"namespaces": {"marc": MARC_NS}, "fields": {"creators": spec}})
