"""Offline validation of OAI-PMH responses against the official schemas (tests/schemas/local).

One driver schema per metadata format loads the OAI-PMH envelope schema together with the format's
schema, oai-identifier and provenance (the envelope's wildcards are strict). lxml never touches the
network: the drivers and the copies they import reference each other by relative paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "local"
DRIVERS = {
    "oai_dc": "oai-pmh_oai_dc.xsd",
    "oai_openaire": "oai-pmh_oai_openaire.xsd",
    "mods": "oai-pmh_mods.xsd",
}


@cache
def schema(prefix: str = "oai_dc") -> etree.XMLSchema:
    """The compiled driver schema for responses carrying ``prefix`` metadata."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / DRIVERS[prefix]), parser))


def parse(body: bytes) -> etree._Element:
    """Parse a response body safely."""
    return etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True))


def assert_valid(body: bytes, prefix: str = "oai_dc") -> etree._Element:
    """Parse ``body``, assert it is valid against the driver of ``prefix`` and return its root."""
    root = parse(body)
    validator = schema(prefix)
    if not validator.validate(root):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in list(validator.error_log)[:10])
        raise AssertionError(f"response not valid against the {prefix} schemas:\n{errors}\n"
                             f"{body[:3000].decode('utf-8', 'replace')}")
    return root
