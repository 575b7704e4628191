"""Output formats: eligibility, content, hygiene, provenance, and formats added by plugins."""

from __future__ import annotations

import pluggy
import pytest
from sqlalchemy import select

from hub.hookspecs import hookimpl
from hub.models import Record
from oai.provider.formats import MetadataFormat, Requirement, metadata_formats
from oai.provider.formats.openaire import OpenAireFormat
from tests.provider.conftest import OAI, PREFIX, error_code, identifiers
from tests.provider.factories import record_meta

DC = "{http://purl.org/dc/elements/1.1/}"
DATACITE = "{http://datacite.org/schema/kernel-4}"
OAIRE = "{http://namespace.openaire.eu/schema/oaire/}"
MODS = "{http://www.loc.gov/mods/v3}"
PROV = "{http://www.openarchives.org/OAI/2.0/provenance}"


def get(oai, record_id: int, prefix: str):
    return oai(verb="GetRecord", identifier=f"oai:{PREFIX}:{record_id}", metadataPrefix=prefix)


def test_eligibility_in_python_and_sql_agree(hub, network):
    with hub.db.session() as session:
        for fmt in metadata_formats().values():
            by_sql = set(session.scalars(select(Record.id).where(fmt.sql_clause())).all())
            by_python = {r.id for r in session.scalars(select(Record)) if fmt.can_disseminate(r)}
            assert by_sql == by_python, fmt.prefix
            assert 0 < len(by_sql) < 60


def test_openaire_requires_the_mandatory_fields():
    fmt = OpenAireFormat()
    full = type("Row", (), {"meta": record_meta(0)})()
    assert fmt.can_disseminate(full)
    for field in ("titles", "creators", "issued", "resource_type", "access_rights"):
        meta = record_meta(0)
        del meta[field]
        assert not fmt.can_disseminate(type("Row", (), {"meta": meta})()), field
    learning_object = record_meta(6)  # COAR c_e059 is not in the schema's vocabulary
    assert learning_object["resource_type"].endswith("c_e059")
    assert not fmt.can_disseminate(type("Row", (), {"meta": learning_object})())


def test_openaire_content(oai, network):
    root = get(oai, 2, "oai_openaire")  # index 1: file, English/Chinese, no DOI
    resource = root.find(f".//{OAIRE}resource")
    titles = resource.findall(f"{DATACITE}titles/{DATACITE}title")
    assert [t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in titles] == ["zho", "eng"]
    assert resource.find(f"{DATACITE}identifier").get("identifierType") == "HANDLE"
    files = resource.findall(f"{OAIRE}file")
    assert len(files) == 1 and files[0].text.endswith("/paper.pdf")
    assert files[0].get("accessRightsURI") == "http://purl.org/coar/access_right/c_abf2"
    assert resource.find(f"{OAIRE}resourceType").get("resourceTypeGeneral") == "literature"
    assert resource.find(f"{DATACITE}dates/{DATACITE}date").get("dateType") == "Issued"
    root = get(oai, 1, "oai_openaire")  # index 0: DOI, ORCID
    resource = root.find(f".//{OAIRE}resource")
    assert resource.find(f"{DATACITE}identifier").text == "10.12345/chair.0"
    orcid = resource.find(f".//{DATACITE}nameIdentifier")
    assert orcid.text == "0000-0002-1825-0097" and orcid.get("nameIdentifierScheme") == "ORCID"
    assert resource.find(f"{DATACITE}rights").get("rightsURI").startswith("http://purl.org/coar/access_right/")
    assert resource.find(f"{OAIRE}licenseCondition").get("uri") == "https://creativecommons.org/licenses/by/4.0/"


def test_mods_content(oai, network):
    mods = get(oai, 1, "mods").find(f".//{MODS}mods")
    assert mods.find(f"{MODS}titleInfo/{MODS}title").text.startswith("基于深度学习")
    assert mods.find(f"{MODS}titleInfo[@type='translated']/{MODS}title").text.startswith("Urban")
    assert mods.find(f"{MODS}name/{MODS}nameIdentifier").text == "0000-0002-1825-0097"
    assert mods.find(f"{MODS}identifier[@type='doi']").text == "10.12345/chair.0"
    assert mods.find(f"{MODS}originInfo/{MODS}dateIssued").get("keyDate") == "yes"


def test_characters_illegal_in_xml_are_stripped(oai, network, client):
    # index 4 is "dirty": SOH, VT, U+FFFE in a title, BEL and ESC in an abstract
    for prefix in ("oai_dc", "oai_openaire", "mods"):
        body = client.get("/oai", query_string={"verb": "GetRecord", "identifier": f"oai:{PREFIX}:5",
                                                "metadataPrefix": prefix}).get_data()
        for bad in (b"\x01", b"\x0b", b"\x07", b"\x1b", "\ufffe".encode()):
            assert bad not in body
        root = get(oai, 5, prefix)
        assert "含非法字符的标题" in "".join(root.itertext())


def test_markup_in_values_is_escaped(oai, network):
    root = get(oai, 1, "oai_dc")
    descriptions = [d.text for d in root.iter(f"{DC}description")]
    assert "We propose a new approach based on multi-source data fusion & <attention>." in descriptions


def test_provenance_names_the_source_and_nests_an_earlier_origin(oai, network):
    root = get(oai, 1, "oai_dc")
    origin = root.find(f".//{OAI}about/{PROV}provenance/{PROV}originDescription")
    assert origin.get("altered") == "true" and origin.get("harvestDate") == "2024-03-01T08:00:00Z"
    assert origin.findtext(f"{PROV}baseURL") == "http://ir.pku.example.edu.cn/oai/request"
    assert origin.findtext(f"{PROV}identifier") == "oai:1.example.edu.cn:0"
    assert origin.findtext(f"{PROV}datestamp") == "2024-02-27T08:00:00Z"
    assert origin.findtext(f"{PROV}metadataNamespace") == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    assert origin.find(f"{PROV}originDescription") is None
    relayed = get(oai, 7, "mods").find(f".//{PROV}originDescription")  # index 6 came through another hub
    earlier = relayed.find(f"{PROV}originDescription")
    assert earlier.findtext(f"{PROV}baseURL") == "http://regional.example.edu.cn/oai"
    assert earlier.get("altered") == "false" and earlier.findtext(f"{PROV}datestamp") == "2023-04-30"


class _TitleOnly(MetadataFormat):
    prefix = "title_dc"
    schema = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    namespace = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    requirements = (Requirement(("titles", 0, "value")), Requirement(("doi",)))

    def render(self, record, context) -> str:
        from oai.provider.xmltext import text

        return (f'<oai_dc:dc xmlns:oai_dc="{self.namespace}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{text(record.meta['titles'][0]['value'])}</dc:title></oai_dc:dc>")


class _Plugin:
    @hookimpl
    def register_metadata_formats(self):
        return [_TitleOnly]


@pytest.fixture
def plugin(hub) -> pluggy.PluginManager:
    hub.pm.register(_Plugin(), name="title-only-format")
    yield hub.pm
    hub.pm.unregister(name="title-only-format")


def test_a_plugin_adds_a_format(oai, network, plugin, hub):
    prefixes = [e.text for e in oai(verb="ListMetadataFormats").iter(f"{OAI}metadataPrefix")]
    assert prefixes == ["oai_dc", "oai_openaire", "mods", "title_dc"]
    hub.configure(OAI_PAGE_SIZE_IDENTIFIERS=1000)
    listed = identifiers(oai(verb="ListIdentifiers", metadataPrefix="title_dc"))
    with hub.db.session() as session:
        rows = session.scalars(select(Record).order_by(Record.hub_datestamp, Record.id)).all()
    assert listed == [f"oai:{PREFIX}:{r.id}" for r in rows if r.deleted or (r.meta.get("doi") and r.meta.get("titles"))]
    assert error_code(get(oai, 2, "title_dc")) == "cannotDisseminateFormat"  # index 1 has no DOI
    assert error_code(get(oai, 1, "title_dc")) is None


def test_an_organisation_among_the_creators_is_organizational_and_corporate(oai, network, hub):
    """A creator the names normaliser marked as an organisation is never given a family or given name."""
    with hub.db.session() as session:
        record = session.get(Record, 1)
        meta = dict(record.meta)
        meta["creators"] = meta["creators"] + [{"name": "World Health Organization", "organisation": True}]
        record.meta = meta
    creators = get(oai, 1, "oai_openaire").findall(f".//{DATACITE}creator")
    organisation = creators[-1]
    name = organisation.find(f"{DATACITE}creatorName")
    assert name.text == "World Health Organization" and name.get("nameType") == "Organizational"
    assert organisation.find(f"{DATACITE}givenName") is None and organisation.find(f"{DATACITE}familyName") is None
    assert creators[0].find(f"{DATACITE}creatorName").get("nameType") == "Personal"
    names = get(oai, 1, "mods").findall(f".//{MODS}mods/{MODS}name")
    assert [n.get("type") for n in names] == ["personal", "personal", "corporate"]
