"""HTML pages of the sample repositories (index, repository home, record landing pages) and the
EPrints EP3 XML export of one eprint, shaped like the real exports in the shared fixtures.

Landing pages carry Highwire `citation_*` meta tags (as DSpace and EPrints do), including
`citation_pdf_url` for records with a public full text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape as html_escape
from xml.sax.saxutils import escape

from hub.samples.catalog import RepositoryStyle, SampleRepository
from hub.samples.oai_xml import export_url, file_url, landing_url
from hub.samples.records import SampleRecord


def _page(title: str, body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html_escape(title)}</title>'
            f"{head}</head><body>{body}</body></html>\n").encode()


def index_page(repos: list[SampleRepository], server_url: str) -> bytes:
    """The server's root: every repository, its platform style and its OAI-PMH base URL."""
    rows = "".join(
        f"<tr><td>{html_escape(r.institution.name_zh)}<br>{html_escape(r.institution.name_en)}</td>"
        f"<td>{html_escape(r.institution.region_zh)} {html_escape(r.institution.region)}</td>"
        f"<td>{r.style.value}</td><td>{r.records}</td>"
        f'<td><a href="{html_escape(r.base_url(server_url))}?verb=Identify">{html_escape(r.base_url(server_url))}</a></td>'
        f"</tr>" for r in repos)
    body = ("<h1>CHAIR sample member repositories 示例成员知识库</h1><table><tr><th>Institution</th><th>Region</th>"
            f"<th>Platform</th><th>Records</th><th>OAI-PMH base URL</th></tr>{rows}</table>")
    return _page("CHAIR sample repositories", body)


def repository_home(repo: SampleRepository, server_url: str) -> bytes:
    """A repository's home page."""
    base = html_escape(repo.base_url(server_url))
    body = (f"<h1>{html_escape(repo.display_name)}</h1><p>{html_escape(repo.institution.name_zh)} · "
            f"{html_escape(repo.institution.name_en)}</p><p>OAI-PMH: <a href=\"{base}?verb=Identify\">{base}</a></p>")
    return _page(repo.display_name, body)


def landing_page(repo: SampleRepository, server_url: str, record: SampleRecord) -> bytes:
    """The record's landing page (a withdrawn-item notice for a deleted record)."""
    if record.deleted:
        return _page("Item withdrawn", "<h1>This item has been withdrawn 该条目已撤回</h1>")
    meta = [("citation_title", t) for t, _ in record.titles] + [("citation_author", c) for c in record.creators]
    meta += [("citation_publication_date", record.date), ("citation_publisher", record.publisher),
             ("citation_language", record.language)]
    if record.doi:
        meta.append(("citation_doi", record.doi))
    pdf = file_url(repo, server_url, record)
    if pdf and record.security == "public":
        meta.append(("citation_pdf_url", pdf))
    head = "".join(f'<meta name="{n}" content="{html_escape(c)}">' for n, c in meta)
    titles = "".join(f"<h1>{html_escape(t)}</h1>" for t, _ in record.titles)
    files = f'<p><a href="{html_escape(pdf)}">{html_escape(record.file_name or "")}</a> (PDF)</p>' if pdf else ""
    export = ""
    if repo.style is RepositoryStyle.EPRINTS:
        export = f'<p><a href="{html_escape(export_url(repo, server_url, record))}">EP3 XML</a></p>'
    body = (f"{titles}<p>{html_escape('; '.join(record.creators))}</p><p>{html_escape(record.date)}</p>"
            f"<h2>Abstract 摘要</h2><p>{html_escape(record.description)}</p>{files}{export}"
            f"<p>{html_escape(landing_url(repo, server_url, record))}</p>")
    return _page(record.title, body, head)


def login_required_page() -> bytes:
    """What a restricted document answers (with HTTP 401)."""
    return _page("Login required 需要登录", "<h1>Login required 需要登录</h1><form method=\"post\">"
                 "<input name=\"login_username\"><input type=\"password\" name=\"login_password\"></form>")


def _x(name: str, value: str, indent: str) -> str:
    return f"{indent}<{name}>{escape(value)}</{name}>\n"


def _name_parts(creator: str) -> tuple[str, str]:
    if ", " in creator:
        family, given = creator.split(", ", 1)
        return family, given
    return creator[:1], creator[1:]


def ep3_export(repo: SampleRepository, server_url: str, record: SampleRecord) -> bytes:
    """The EP3 XML export of one eprint (documents with files, security and embargo dates)."""
    root = f"{server_url.rstrip('/')}/{repo.slug}"
    n = record.number
    stamp = datetime.fromtimestamp(record.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
    out = ["<?xml version='1.0' encoding='utf-8'?>\n<eprints xmlns='http://eprints.org/ep2/data/2.0'>\n",
           f"  <eprint id='{root}/id/eprint/{n}'>\n", _x("eprintid", str(n), "    "), _x("rev_number", str(3 + repo.revision), "    ")]
    if record.file_name:
        docid = 1000 + n
        url = file_url(repo, server_url, record) or ""
        out.append("    <documents>\n")
        out.append(f"      <document id='{root}/id/document/{docid}'>\n")
        out.append(_x("docid", str(docid), "        ") + _x("rev_number", "1", "        "))
        out.append(f"        <files>\n          <file id='{root}/id/file/{docid * 10}'>\n")
        for name, value in (("fileid", str(docid * 10)), ("datasetid", "document"), ("objectid", str(docid)),
                            ("filename", record.file_name), ("mime_type", "application/pdf"), ("mtime", stamp),
                            ("url", url)):
            out.append(_x(name, value, "            "))
        out.append("          </file>\n        </files>\n")
        for name, value in (("eprintid", str(n)), ("pos", "1"), ("mime_type", "application/pdf"),
                            ("format", "application/pdf"), ("language", "zh" if record.language_kind != "en" else "en"),
                            ("security", record.security), ("license", "cc_by"), ("main", record.file_name),
                            ("content", "published")):
            out.append(_x(name, value, "        "))
        if record.embargo:
            out.append(_x("date_embargo", record.embargo, "        "))
        out.append("      </document>\n    </documents>\n")
    status = "deletion" if record.deleted else "archive"
    for name, value in (("eprint_status", status), ("userid", "1"), ("dir", f"disk0/00/00/{n // 100:02d}/{n % 100:02d}"),
                        ("datestamp", stamp), ("lastmod", stamp), ("type", record.item_type),
                        ("metadata_visibility", "show")):
        out.append(_x(name, value, "    "))
    if not record.deleted:
        out.append("    <creators>\n")
        for creator in record.creators:
            family, given = _name_parts(creator)
            out.append(f"      <item>\n        <name>\n{_x('family', family, '          ')}"
                       f"{_x('given', given, '          ')}        </name>\n      </item>\n")
        out.append("    </creators>\n")
        out.append(_x("title", record.title, "    "))
        out.append(_x("ispublished", "pub", "    "))
        full_text = "none" if not record.file_name else ("public" if record.security == "public" else "restricted")
        out.append(_x("full_text_status", full_text, "    "))
        out.append(_x("abstract", record.description, "    "))
        out.append(_x("date", record.date, "    ") + _x("date_type", "published", "    "))
        out.append(_x("publisher", record.publisher, "    "))
        if record.doi:
            out.append(_x("id_number", record.doi, "    "))
            out.append(f"    <related_url>\n      <item>\n{_x('url', 'https://doi.org/' + record.doi, '        ')}"
                       f"{_x('type', 'doi', '        ')}      </item>\n    </related_url>\n")
        out.append(_x("rights", record.rights, "    "))
    out.append("  </eprint>\n</eprints>\n")
    return "".join(out).encode("utf-8")
