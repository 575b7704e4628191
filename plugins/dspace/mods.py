"""The MODS crosswalk (``mods`` as DSpace, EPrints and library systems disseminate it).

Elements are matched in the MODS v3 namespace. ``titleInfo`` (title + subTitle) -> titles;
``name`` with an author/creator role (or no role) -> creators, other roles -> contributors,
``namePart[@type=family|given]`` joined as ``Family, Given``, ``nameIdentifier[@type=orcid]``
-> ORCID; ``abstract``; ``subject/topic|geographic``; ``originInfo/dateIssued`` (else
``dateCreated``); ``originInfo/publisher``; ``genre`` and ``typeOfResource`` -> types;
``identifier`` (any type) and ``location/url`` -> identifiers or file links;
``language/languageTerm``; ``accessCondition`` -> rights; ``relatedItem[@type=host]`` title
-> source; ``physicalDescription/internetMediaType`` -> formats.
"""

from __future__ import annotations

from typing import Any

from hub.normalise.names import extract_orcid, split_name
from hub.normalise.record import NormalisedRecord
from plugins.dspace.dcbuild import DCBuilder

MODS_NS = "http://www.loc.gov/mods/v3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATOR_ROLES = frozenset({"author", "aut", "creator", "cre", "作者"})


def m(path: str) -> str:
    """A path of MODS element names in Clark notation (``a/b`` -> ``{ns}a/{ns}b``)."""
    return "/".join(f"{{{MODS_NS}}}{part}" if part not in (".", "..") else part for part in path.split("/"))


def _text(node: Any) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _find_mods(metadata: Any) -> Any:
    if metadata is None or metadata.tag == m("mods"):
        return metadata
    return metadata.find(f".//{m('mods')}")


def _name(node: Any) -> tuple[str, str, bool]:
    """(display name, orcid, is a creator) of a mods:name."""
    parts = {p.get("type", ""): _text(p) for p in node.findall(m("namePart"))}
    family, given = parts.get("family", ""), parts.get("given", "")
    if family or given:
        name = f"{family}, {given}".strip(", ") if family and given else family or given
    else:
        name = " ".join(_text(p) for p in node.findall(m("namePart")) if _text(p))
    orcid = ""
    for ident in node.findall(m("nameIdentifier")):
        if ident.get("type", "").lower() == "orcid":
            orcid = extract_orcid(_text(ident))[1] or orcid
    roles = {(_text(r) or "").lower() for r in node.iterfind(f"{m('role')}/{m('roleTerm')}")}
    return name, orcid, not roles or bool(roles & CREATOR_ROLES)


def crosswalk_mods(metadata: Any) -> NormalisedRecord:
    """The NormalisedRecord of a ``mods:mods`` element (the OAI ``<metadata>`` wrapper is accepted)."""
    mods = _find_mods(metadata)
    builder = DCBuilder()
    if mods is None:
        return builder.crosswalk()
    orcids: dict[str, str] = {}
    for info in mods.findall(m("titleInfo")):
        title = _text(info.find(m("title")))
        subtitle = _text(info.find(m("subTitle")))
        builder.add("title", f"{title}: {subtitle}" if title and subtitle else title, info.get(XML_LANG, ""))
    for node in mods.findall(m("name")):
        name, orcid, creator = _name(node)
        if orcid:
            orcids[split_name(name).name] = orcid  # keyed as the crosswalk names the person
        builder.add("creator" if creator else "contributor", name)
    for node in mods.findall(m("abstract")):
        builder.add("description", _text(node), node.get(XML_LANG, "") or node.get("lang", ""))
    for subject in mods.findall(m("subject")):
        for node in subject:
            if isinstance(node.tag, str) and node.tag in (m("topic"), m("geographic"), m("temporal")):
                builder.add("subject", _text(node), subject.get(XML_LANG, "") or subject.get("lang", ""))
    origins = mods.findall(m("originInfo"))
    issued = [_text(d) for o in origins for d in o.findall(m("dateIssued"))]
    created = [_text(d) for o in origins for d in o.findall(m("dateCreated"))]
    for value in issued or created:
        builder.add("date", value)
    for origin in origins:
        for node in origin.findall(m("publisher")):
            builder.add("publisher", _text(node))
    for tag in ("genre", "typeOfResource"):
        for node in mods.findall(m(tag)):
            builder.add("type", _text(node))
    for node in mods.findall(m("identifier")):
        kind, value = node.get("type", "").lower(), _text(node)
        builder.add("identifier", f"doi:{value}" if kind == "doi" and not value.lower().startswith(("doi", "http"))
                    else value)
    for node in mods.iterfind(f"{m('location')}/{m('url')}"):
        builder.add("identifier", _text(node))
    for node in mods.iterfind(f"{m('language')}/{m('languageTerm')}"):
        builder.add("language", _text(node))
    for node in mods.findall(m("accessCondition")):
        builder.add("rights", _text(node) or node.get("{http://www.w3.org/1999/xlink}href", ""))
    for host in mods.findall(m("relatedItem")):
        if host.get("type") == "host":
            builder.add("source", _text(host.find(f"{m('titleInfo')}/{m('title')}")))
    for node in mods.iterfind(f"{m('physicalDescription')}/{m('internetMediaType')}"):
        builder.add("format", _text(node))
    record = builder.crosswalk()
    for person in record.creators + record.contributors:
        person.orcid = person.orcid or orcids.get(person.name, "")
    return record
