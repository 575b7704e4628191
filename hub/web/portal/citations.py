"""Citation exports of a record: BibTeX, RIS and CSL-JSON, plus Highwire and schema.org metadata.

All functions are pure: they take the normalised metadata (``Record.meta``), the record's
public URL and (for the tags) its downloadable file URLs.
"""

from __future__ import annotations

import json
import re
from typing import Any

# COAR type label -> (BibTeX entry, RIS TY, CSL type, schema.org type)
_KINDS = {
    "journal article": ("article", "JOUR", "article-journal", "ScholarlyArticle"),
    "research article": ("article", "JOUR", "article-journal", "ScholarlyArticle"),
    "review article": ("article", "JOUR", "article-journal", "ScholarlyArticle"),
    "doctoral thesis": ("phdthesis", "THES", "thesis", "Thesis"),
    "master thesis": ("mastersthesis", "THES", "thesis", "Thesis"),
    "bachelor thesis": ("misc", "THES", "thesis", "Thesis"),
    "thesis": ("misc", "THES", "thesis", "Thesis"),
    "conference paper": ("inproceedings", "CPAPER", "paper-conference", "ScholarlyArticle"),
    "conference object": ("inproceedings", "CONF", "paper-conference", "CreativeWork"),
    "book": ("book", "BOOK", "book", "Book"),
    "book part": ("incollection", "CHAP", "chapter", "Chapter"),
    "report": ("techreport", "RPRT", "report", "Report"),
    "preprint": ("misc", "JOUR", "article", "ScholarlyArticle"),
    "dataset": ("misc", "DATA", "dataset", "Dataset"),
}
_DEFAULT_KIND = ("misc", "GEN", "document", "CreativeWork")
FORMATS = {"bib": "application/x-bibtex; charset=utf-8", "ris": "application/x-research-info-systems; charset=utf-8",
           "json": "application/vnd.citationstyles.csl+json; charset=utf-8"}


def _kind(meta: dict[str, Any]) -> tuple[str, str, str, str]:
    return _KINDS.get((meta.get("resource_type_label") or "").lower(), _DEFAULT_KIND)


def _first(items: list[dict[str, Any]] | None) -> str:
    return (items or [{}])[0].get("value", "") if items else ""


def _oneline(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _names(meta: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for person in meta.get("creators") or []:
        name = _oneline(person.get("name", ""))
        family, given = _oneline(person.get("family", "")), _oneline(person.get("given", ""))
        if not family and "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
        out.append({"name": name, "family": family, "given": given})
    return out


def _bib_escape(text: str) -> str:
    text = _oneline(text).replace("\\", "\\textbackslash{}")
    for ch in "{}&%$#_":
        text = text.replace(ch, "\\" + ch)
    return text.replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")


def bibtex(meta: dict[str, Any], record_id: int, url: str) -> str:
    """A BibTeX entry keyed ``chair<id>``."""
    entry = _kind(meta)[0]
    fields: list[tuple[str, str]] = [("title", _first(meta.get("titles")))]
    authors = [n["family"] + (", " + n["given"] if n["given"] else "") if n["family"] else n["name"]
               for n in _names(meta)]
    if authors:
        fields.append(("author", " and ".join(authors)))
    if meta.get("year"):
        fields.append(("year", str(meta["year"])))
    if meta.get("source"):
        fields.append(("journal" if entry == "article" else "booktitle", meta["source"][0]))
    if meta.get("publisher"):
        fields.append(("school" if entry.endswith("thesis") else "publisher", meta["publisher"][0]))
    if meta.get("doi"):
        fields.append(("doi", meta["doi"]))
    if meta.get("languages"):
        fields.append(("language", meta["languages"][0]))
    if meta.get("subjects"):
        fields.append(("keywords", ", ".join(s["value"] for s in meta["subjects"])))
    fields.append(("url", url))
    body = ",\n".join(f"  {k} = {{{_bib_escape(v)}}}" for k, v in fields if v)
    return f"@{entry}{{chair{record_id},\n{body}\n}}\n"


def ris(meta: dict[str, Any], url: str) -> str:
    """A RIS record (CRLF line ends, as the format asks)."""
    lines = [("TY", _kind(meta)[1]), ("TI", _first(meta.get("titles")))]
    lines += [("AU", n["family"] + (", " + n["given"] if n["given"] else "") if n["family"] else n["name"])
              for n in _names(meta)]
    if meta.get("year"):
        lines.append(("PY", str(meta["year"])))
    if meta.get("issued"):
        lines.append(("DA", meta["issued"].replace("-", "/")))
    lines += [("AB", _first(meta.get("abstracts")))] if meta.get("abstracts") else []
    lines += [("KW", s["value"]) for s in meta.get("subjects") or []]
    lines += [("T2", s) for s in (meta.get("source") or [])[:1]]
    lines += [("PB", p) for p in (meta.get("publisher") or [])[:1]]
    lines += [("DO", meta["doi"])] if meta.get("doi") else []
    lines += [("LA", lang) for lang in meta.get("languages") or []]
    lines.append(("UR", url))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_oneline(value)}\r\n" for tag, value in lines if value or tag == "ER")


def csl_json(meta: dict[str, Any], record_id: int, url: str) -> list[dict[str, Any]]:
    """A CSL-JSON item list (one item)."""
    item: dict[str, Any] = {"id": f"chair{record_id}", "type": _kind(meta)[2], "title": _first(meta.get("titles")),
                            "URL": url}
    authors = []
    for n in _names(meta):
        authors.append({"family": n["family"], "given": n["given"]} if n["family"] else {"literal": n["name"]})
    if authors:
        item["author"] = authors
    if meta.get("issued"):
        parts = [int(p) for p in meta["issued"].split("-")[:3] if p.isdigit()]
        if parts:
            item["issued"] = {"date-parts": [parts]}
    elif meta.get("year"):
        item["issued"] = {"date-parts": [[int(meta["year"])]]}
    for key, csl in (("doi", "DOI"),):
        if meta.get(key):
            item[csl] = meta[key]
    if meta.get("abstracts"):
        item["abstract"] = _first(meta["abstracts"])
    if meta.get("source"):
        item["container-title"] = meta["source"][0]
    if meta.get("publisher"):
        item["publisher"] = meta["publisher"][0]
    if meta.get("languages"):
        item["language"] = meta["languages"][0]
    if meta.get("subjects"):
        item["keyword"] = ", ".join(s["value"] for s in meta["subjects"])
    return [item]


def highwire_tags(meta: dict[str, Any], pdf_urls: list[str], institution: str) -> list[tuple[str, str]]:
    """(name, content) pairs of Highwire Press ``citation_*`` meta tags (Google Scholar)."""
    tags = [("citation_title", _first(meta.get("titles")))]
    tags += [("citation_author", n["name"]) for n in _names(meta)]
    if meta.get("issued") or meta.get("year"):
        tags.append(("citation_publication_date", (meta.get("issued") or str(meta["year"])).replace("-", "/")))
    if meta.get("doi"):
        tags.append(("citation_doi", meta["doi"]))
    if meta.get("source"):
        tags.append(("citation_journal_title", meta["source"][0]))
    if meta.get("publisher"):
        tags.append(("citation_publisher", meta["publisher"][0]))
    kind = _kind(meta)[0]
    if kind.endswith("thesis") and institution:
        tags.append(("citation_dissertation_institution", institution))
    tags += [("citation_language", lang) for lang in (meta.get("languages") or [])[:1]]
    tags += [("citation_keywords", s["value"]) for s in meta.get("subjects") or []]
    tags += [("citation_pdf_url", u) for u in pdf_urls]
    return [(k, _oneline(v)) for k, v in tags if v]


def json_ld(meta: dict[str, Any], url: str, institution: str, file_urls: list[str]) -> dict[str, Any]:
    """A schema.org description of the record (embedded as JSON-LD; serialise with |tojson)."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": _kind(meta)[3], "@id": url, "url": url,
                            "name": _first(meta.get("titles"))}
    if meta.get("creators"):
        data["author"] = [{"@type": "Person", "name": n["name"]} for n in _names(meta)]
    if meta.get("issued") or meta.get("year"):
        data["datePublished"] = meta.get("issued") or str(meta["year"])
    if meta.get("abstracts"):
        data["description"] = _first(meta["abstracts"])
    if meta.get("subjects"):
        data["keywords"] = [s["value"] for s in meta["subjects"]]
    if meta.get("languages"):
        data["inLanguage"] = meta["languages"]
    if meta.get("doi"):
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": meta["doi"]}
        data["sameAs"] = f"https://doi.org/{meta['doi']}"
    if meta.get("publisher"):
        data["publisher"] = {"@type": "Organization", "name": meta["publisher"][0]}
    if institution:
        data["sourceOrganization"] = {"@type": "Organization", "name": institution}
    if meta.get("license_url"):
        data["license"] = meta["license_url"]
    if file_urls:
        data["encoding"] = [{"@type": "MediaObject", "contentUrl": u} for u in file_urls]
    return data


def render(fmt: str, meta: dict[str, Any], record_id: int, url: str) -> str:
    """The citation in ``fmt`` (bib, ris, json); raises KeyError for another format."""
    if fmt == "bib":
        return bibtex(meta, record_id, url)
    if fmt == "ris":
        return ris(meta, url)
    if fmt == "json":
        return json.dumps(csl_json(meta, record_id, url), ensure_ascii=False, indent=2)
    raise KeyError(fmt)
