"""String templates for the sample repositories' OAI-PMH XML (no DOM: this is the benchmarks' hot path).

Every text goes through `xml.sax.saxutils.escape`; records are rendered one string at a time and joined.
The URL helpers here are also used by the HTML and EP3 renderers, so every link a record carries points
to a route `hub.samples.server` really serves.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hub.samples.catalog import RepositoryStyle, SampleRepository
from hub.samples.records import HANDLE_PREFIX, SampleRecord

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{extra} '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
)
DSPACE_PROLOG = ('<?xml version="1.0" encoding="UTF-8"?>'
                 '<?xml-stylesheet type="text/xsl" href="static/style.xsl"?>')
EPRINTS_PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
ATTRIBUTE_ENTITIES = {'"': "&quot;"}


def landing_url(repo: SampleRepository, server_url: str, record: SampleRecord) -> str:
    """The record's HTML landing page (DSpace handle page or EPrints abstract page)."""
    root = f"{server_url.rstrip('/')}/{repo.slug}"
    if repo.style is RepositoryStyle.DSPACE:
        return f"{root}/handle/{HANDLE_PREFIX}/{record.number}"
    return f"{root}/id/eprint/{record.number}"


def file_url(repo: SampleRepository, server_url: str, record: SampleRecord) -> str | None:
    """The URL of the record's PDF (DSpace bitstream or EPrints document), or None."""
    if record.file_name is None:
        return None
    root = f"{server_url.rstrip('/')}/{repo.slug}"
    if repo.style is RepositoryStyle.DSPACE:
        return f"{root}/bitstream/{HANDLE_PREFIX}/{record.number}/1/{record.file_name}"
    return f"{root}/{record.number}/1/{record.file_name}"


def export_url(repo: SampleRepository, server_url: str, record: SampleRecord) -> str:
    """The EP3 XML export of an EPrints record."""
    n = record.number
    return f"{server_url.rstrip('/')}/{repo.slug}/cgi/export/eprint/{n}/XML/{repo.slug}-eprint-{n}.xml"


def attribute(value: str) -> str:
    """An XML attribute value, escaped (without the quotes)."""
    return escape(value, ATTRIBUTE_ENTITIES)


def envelope(repo: SampleRepository, response_date: str, request_attrs: dict[str, str], base_url: str,
             body: str) -> str:
    """A whole OAI-PMH response around `body` (the verb element or an error)."""
    attrs = "".join(f' {k}="{attribute(v)}"' for k, v in request_attrs.items())
    prolog = DSPACE_PROLOG if repo.style is RepositoryStyle.DSPACE else EPRINTS_PROLOG
    return (f'{prolog}<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{OAI_SCHEMA}"><responseDate>{response_date}</responseDate>'
            f"<request{attrs}>{escape(base_url)}</request>{body}</OAI-PMH>")


def error_element(code: str, message: str) -> str:
    """An OAI-PMH <error>."""
    return f'<error code="{code}">{escape(message)}</error>'


def header(record: SampleRecord) -> str:
    """The record's <header> (status="deleted" for tombstones, which keep their setSpecs)."""
    status = ' status="deleted"' if record.deleted else ""
    specs = "".join(f"<setSpec>{s}</setSpec>" for s in record.set_specs)
    return (f"<header{status}><identifier>{escape(record.identifier)}</identifier>"
            f"<datestamp>{record.datestamp}</datestamp>{specs}</header>")


def _dc(name: str, value: str, lang: str | None = None) -> str:
    lang_attr = f' xml:lang="{lang}"' if lang else ""
    return f"<dc:{name}{lang_attr}>{escape(value)}</dc:{name}>"


def _citation(record: SampleRecord) -> str:
    creators = ", ".join(record.creators)
    return f"{creators} ({record.date[:4]}) {record.title}. {record.publisher}."


def oai_dc(repo: SampleRepository, server_url: str, record: SampleRecord, description_suffix: str = "") -> str:
    """The record's oai_dc metadata, shaped like the platform it imitates."""
    dspace = repo.style is RepositoryStyle.DSPACE
    parts = [OAI_DC_OPEN.format(extra=' xmlns:doc="http://www.lyncode.com/xoai"' if dspace else "")]
    parts += [_dc("title", text, lang) for text, lang in record.titles]
    parts += [_dc("creator", name) for name in record.creators]
    parts += [_dc("subject", subject) for subject in record.subjects]
    parts.append(_dc("description", record.description + description_suffix))
    if dspace:
        parts.append(_dc("date", record.datestamp[:19] + "Z"))
    parts.append(_dc("date", record.date))
    parts.append(_dc("type", record.dc_type))
    fulltext = file_url(repo, server_url, record)
    landing = landing_url(repo, server_url, record)
    doi_url = f"https://doi.org/{record.doi}" if record.doi else None
    if dspace:
        parts.append(_dc("identifier", landing))
        if doi_url:
            parts.append(_dc("identifier", doi_url))
        if fulltext:
            parts.append(_dc("identifier", fulltext))
    else:
        if fulltext:
            parts.append(_dc("format", "application/pdf"))
            parts.append(_dc("identifier", fulltext))
        parts.append(_dc("identifier", _citation(record)))
        parts.append(_dc("relation", landing))
        if doi_url:
            parts.append(_dc("relation", doi_url))
    parts.append(_dc("language", record.language))
    parts.append(_dc("rights", record.rights))
    parts.append(_dc("publisher", record.publisher))
    if dspace and fulltext:
        parts.append(_dc("format", "application/pdf"))
    parts.append("</oai_dc:dc>")
    separator = "\n   " if dspace else "\n"
    return separator.join(parts)


def record_element(repo: SampleRepository, server_url: str, record: SampleRecord,
                   description_suffix: str = "") -> str:
    """A whole <record> (header only for a deleted record)."""
    if record.deleted:
        return f"<record>{header(record)}</record>"
    metadata = oai_dc(repo, server_url, record, description_suffix)
    return f"<record>{header(record)}<metadata>{metadata}</metadata></record>"
