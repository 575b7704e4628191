"""A small OAI-PMH provider for the platform tests, with DSpace's or EPrints' paging quirks.

Written by the project in the shapes of the real responses in /work/shared/fixtures (DSpace XOAI:
tokens ``<prefix>/<from>/<until>/<set>/<offset>``, ``cursor`` = page index, an empty
``<resumptionToken completeListSize=.. cursor=../>`` on the last page, an ``xml-stylesheet``
processing instruction; EPrints: tokens that are themselves URL-escaped
(``metadataPrefix%3Doai_dc%26offset%3D4``), ``earliestDatestamp`` ``0001-01-01T00:00:00Z``, hex
setSpecs, ListSets never paged). A token that was not URL-encoded exactly once on the wire is
refused with badResumptionToken, as a server would fail to parse it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from oai.client import parse_datestamp


@dataclass
class OAIItem:
    """One record of a fake repository: header fields and a renderer per metadata prefix."""

    identifier: str
    datestamp: str
    deleted: bool = False
    sets: list[str] = field(default_factory=list)
    about: str = ""


@dataclass
class FakeOAI:
    """The OAI-PMH endpoint of one fake repository."""

    base_url: str
    items: list[OAIItem]
    render: dict[str, Callable[[OAIItem], str]]  # prefix -> metadata XML of an item
    namespaces: dict[str, str]  # prefix -> metadata namespace
    style: str = "dspace"  # "dspace" or "eprints"
    page_size: int = 4
    sets: list[tuple[str, str]] = field(default_factory=list)
    earliest: str = "2024-01-01T00:00:00Z"
    deleted_record: str = "persistent"
    name: str = "Fake repository"

    def __call__(self, request: Request) -> Response:
        args = {k: request.values.get(k) for k in request.values}
        verb = args.get("verb", "")
        try:
            body = {"Identify": self.identify, "ListMetadataFormats": self.formats, "ListSets": self.list_sets,
                    "ListRecords": self.list_records, "GetRecord": self.get_record}[verb](args)
        except KeyError:
            body = self.error("badVerb", f"illegal verb {verb!r}")
        except ValueError as exc:
            code, _, message = str(exc).partition(":")
            body = self.error(code, message)
        return Response(self.envelope(args, body), content_type="text/xml; charset=utf-8")

    def envelope(self, args: dict[str, str | None], body: str) -> str:
        attrs = "".join(f' {k}="{escape(v or "", {chr(34): "&quot;"})}"' for k, v in args.items())
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if self.style == "dspace":
            head += '<?xml-stylesheet type="text/xsl" href="static/style.xsl"?>\n'
        return (f'{head}<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<responseDate>2025-03-01T12:00:00Z</responseDate><request{attrs}>{escape(self.base_url)}</request>"
                f"{body}</OAI-PMH>")

    @staticmethod
    def error(code: str, message: str) -> str:
        return f'<error code="{code}">{escape(message)}</error>'

    def identify(self, args: dict) -> str:
        return (f"<Identify><repositoryName>{escape(self.name)}</repositoryName><baseURL>{escape(self.base_url)}"
                "</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>repo@example.edu.cn</adminEmail>"
                f"<earliestDatestamp>{self.earliest}</earliestDatestamp><deletedRecord>{self.deleted_record}"
                "</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>")

    def formats(self, args: dict) -> str:
        return "<ListMetadataFormats>" + "".join(
            f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{ns}.xsd</schema>"
            f"<metadataNamespace>{ns}</metadataNamespace></metadataFormat>"
            for p, ns in self.namespaces.items()) + "</ListMetadataFormats>"

    def list_sets(self, args: dict) -> str:
        if not self.sets:
            raise ValueError("noSetHierarchy:no sets")
        return "<ListSets>" + "".join(f"<set><setSpec>{s}</setSpec><setName>{escape(n)}</setName></set>"
                                      for s, n in self.sets) + "</ListSets>"

    def record(self, item: OAIItem, prefix: str) -> str:
        status = ' status="deleted"' if item.deleted else ""
        sets = "".join(f"<setSpec>{s}</setSpec>" for s in item.sets)
        head = (f"<header{status}><identifier>{item.identifier}</identifier>"
                f"<datestamp>{item.datestamp}</datestamp>{sets}</header>")
        if item.deleted:
            return f"<record>{head}</record>"
        about = f"<about>{item.about}</about>" if item.about else ""
        return f"<record>{head}<metadata>{self.render[prefix](item)}</metadata>{about}</record>"

    def get_record(self, args: dict) -> str:
        prefix = args.get("metadataPrefix") or ""
        if prefix not in self.render:
            raise ValueError(f"cannotDisseminateFormat:{prefix}")
        item = next((i for i in self.items if i.identifier == args.get("identifier")), None)
        if item is None:
            raise ValueError("idDoesNotExist:no such record")
        return f"<GetRecord>{self.record(item, prefix)}</GetRecord>"

    # --- paging ------------------------------------------------------------------

    def _token(self, prefix: str, from_: str, until: str, set_: str, offset: int) -> str:
        if self.style == "eprints":
            extra = "".join(f"%26{k}%3D{v}" for k, v in (("from", from_), ("until", until), ("set", set_)) if v)
            return f"metadataPrefix%3D{prefix}{extra}%26offset%3D{offset}"
        return f"{prefix}/{from_}/{until}/{set_}/{offset}"

    def _parse_token(self, token: str) -> tuple[str, str, str, str, int]:
        try:
            if self.style == "eprints":
                if "%3D" not in token:  # sent unescaped: the server cannot read it
                    raise ValueError
                parts = dict(p.split("%3D", 1) for p in token.split("%26"))
                return (parts["metadataPrefix"], parts.get("from", ""), parts.get("until", ""), parts.get("set", ""),
                        int(parts["offset"]))
            prefix, from_, until, set_, offset = token.split("/")
            return prefix, from_, until, set_, int(offset)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"badResumptionToken:the token {token!r} is invalid") from exc

    def list_records(self, args: dict) -> str:
        if args.get("resumptionToken"):
            prefix, from_, until, set_, offset = self._parse_token(args["resumptionToken"])
        else:
            prefix, from_, until, set_ = (args.get(k) or "" for k in ("metadataPrefix", "from", "until", "set"))
            offset = 0
        if prefix not in self.render:
            raise ValueError(f"cannotDisseminateFormat:{prefix} is not offered")
        try:
            low = parse_datestamp(from_) if from_ else None
            high = parse_datestamp(until) if until else None
        except ValueError as exc:
            raise ValueError("badArgument:bad date") from exc
        matching = [i for i in self.items if (not set_ or set_ in i.sets)
                    and (low is None or parse_datestamp(i.datestamp) >= low)
                    and (high is None or parse_datestamp(i.datestamp) <= high)]
        if not matching:
            raise ValueError("noRecordsMatch:no records")
        page = matching[offset: offset + self.page_size]
        following = offset + self.page_size
        cursor = offset // self.page_size if self.style == "dspace" else offset
        size = len(matching)
        if following < size:
            token = (f'<resumptionToken completeListSize="{size}" cursor="{cursor}">'
                     f"{self._token(prefix, from_, until, set_, following)}</resumptionToken>")
        elif offset:
            token = f'<resumptionToken completeListSize="{size}" cursor="{cursor}"/>'
        else:
            token = ""
        return "<ListRecords>" + "".join(self.record(i, prefix) for i in page) + token + "</ListRecords>"
