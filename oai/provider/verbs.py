"""The six OAI-PMH verbs over the Record table.

A :class:`Provider` is built per request (settings, a database session, the formats served and
the request time). Each verb validates what it can before any output, raising
:class:`~oai.provider.errors.OAIError`, and returns an :class:`Answer`: the chunks of the verb's
element, produced lazily so that the view can stream them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from hub.signing import fallback_keys
from hub.works.api import relations_for
from oai.provider import query, tokens
from oai.provider.arguments import OAIRequest, Verb
from oai.provider.disseminated import disseminated_in
from oai.provider.errors import ErrorCode, OAIError
from oai.provider.formats import MetadataFormat, RenderContext
from oai.provider.listing import list_answer, record_xml
from oai.provider.response import oai_identifier, resumption_token
from oai.provider.sets import SetInfo, all_sets, repositories
from oai.provider.xmltext import datestamp, text

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
REPOSITORY_IDENTIFIER = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
RECORD_NUMBER = re.compile(r"[1-9][0-9]{0,16}")  # ASCII digits, no leading zero: the form oai_identifier writes
ADMIN_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


@dataclass
class Answer:
    """The body of a successful response, and the Last-Modified of a single record."""

    chunks: Iterator[str]
    last_modified: datetime | None = None


class Provider:
    """Answers the verbs for one request."""

    def __init__(self, settings: Mapping[str, Any], session: Session, formats: dict[str, MetadataFormat],
                 now: datetime) -> None:
        self.settings = settings
        self.session = session
        self.formats = formats
        self.now = now
        self.hub_url = str(settings["BASE_URL"]).rstrip("/")
        self.base_url = self.hub_url + "/oai"
        self.identifier_prefix = str(settings["OAI_IDENTIFIER_PREFIX"])
        self.secret = str(settings["SECRET_KEY"])
        self.secret_fallbacks = fallback_keys(settings)  # old keys: tokens issued before a rotation verify
        self.token_lifetime = int(settings["OAI_TOKEN_LIFETIME"])
        self.sets_enabled = bool(settings["OAI_ENABLE_SETS"])
        self.context = RenderContext(self.hub_url, self.identifier_prefix,
                                     lambda record_id: f"{self.hub_url}/records/{record_id}")
        # The resumption token a list page ended with, once the page has been written (read-ahead).
        self.next_token: str | None = None

    def page_size(self, records: bool) -> int:
        """Records per ListRecords page, or headers per ListIdentifiers page (at least one)."""
        name = "OAI_PAGE_SIZE_RECORDS" if records else "OAI_PAGE_SIZE_IDENTIFIERS"
        return max(1, int(self.settings[name]))

    def context_for(self, rows: Iterable[Any]) -> RenderContext:
        """The render context of these records (a page, or one record): the relations of the live
        ones that share their work with other records, loaded in one go."""
        live = [row.id for row in rows if not row.deleted and row.has_copies]
        return replace(self.context, relations=relations_for(self.session, live)) if live else self.context

    @cached_property
    def _repositories(self) -> dict[int, Any]:
        return repositories(self.session)

    def repositories(self) -> dict[int, Any]:
        """Repositories by id, read once per request."""
        return self._repositories

    def answer(self, request: OAIRequest) -> Answer:
        """Dispatch ``request`` to its verb."""
        handlers: dict[Verb, Callable[[OAIRequest], Answer]] = {
            Verb.IDENTIFY: self.identify, Verb.LIST_METADATA_FORMATS: self.list_metadata_formats,
            Verb.LIST_SETS: self.list_sets, Verb.GET_RECORD: self.get_record,
            Verb.LIST_IDENTIFIERS: self.list_items, Verb.LIST_RECORDS: self.list_items,
        }
        return handlers[request.verb](request)

    # --- verbs -------------------------------------------------------------

    def identify(self, request: OAIRequest) -> Answer:
        """Identify: names, base URL, earliest datestamp, deletion policy, granularity, identifiers."""
        earliest = query.earliest_datestamp(self.session) or self.now
        emails = [e for e in str(self.settings["ADMIN_EMAIL"]).replace(",", " ").split() if ADMIN_EMAIL.fullmatch(e)]
        name = text(self.settings["REPOSITORY_NAME"]) or text(self.hub_url)
        parts = ["<Identify>", f"<repositoryName>{name}</repositoryName>",
                 f"<baseURL>{text(self.base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"]
        parts += [f"<adminEmail>{text(e)}</adminEmail>" for e in emails or [str(self.settings["ADMIN_EMAIL"])]]
        parts.append(f"<earliestDatestamp>{datestamp(earliest)}</earliestDatestamp>"
                     f"<deletedRecord>persistent</deletedRecord><granularity>{GRANULARITY}</granularity>"
                     "<compression>gzip</compression>")
        if REPOSITORY_IDENTIFIER.fullmatch(self.identifier_prefix):
            ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
            parts.append(
                f'<description><oai-identifier xmlns="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{ns} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
                f"<scheme>oai</scheme><repositoryIdentifier>{self.identifier_prefix}</repositoryIdentifier>"
                f"<delimiter>:</delimiter><sampleIdentifier>{oai_identifier(self.identifier_prefix, 1)}"
                "</sampleIdentifier></oai-identifier></description>")
        parts.append("</Identify>")
        return Answer(iter(parts))

    def list_metadata_formats(self, request: OAIRequest) -> Answer:
        """ListMetadataFormats: every format, or those one record can be disseminated in."""
        formats = list(self.formats.values())
        identifier = request.get("identifier")
        if identifier is not None:
            row = self._record(identifier)
            formats = formats if row.deleted else [f for f in formats
                                                   if f.can_disseminate(row) or disseminated_in(row, f.prefix)]
            if not formats:
                raise OAIError(ErrorCode.NO_METADATA_FORMATS, f"{identifier} has no metadata format available")
        items = "".join(
            f"<metadataFormat><metadataPrefix>{text(f.prefix)}</metadataPrefix><schema>{text(f.schema)}</schema>"
            f"<metadataNamespace>{text(f.namespace)}</metadataNamespace></metadataFormat>" for f in formats)
        return Answer(iter(["<ListMetadataFormats>", items, "</ListMetadataFormats>"]))

    def list_sets(self, request: OAIRequest) -> Answer:
        """ListSets, paged by setSpec with a resumption token."""
        if not self.sets_enabled:
            raise OAIError(ErrorCode.NO_SET_HIERARCHY, "this repository does not support sets")
        page_size = max(1, int(self.settings["OAI_PAGE_SIZE_SETS"]))
        sets = all_sets(self.session)
        raw_token = request.get("resumptionToken")
        if raw_token is not None:
            token = tokens.decode(raw_token, self.secret, self.token_lifetime, self.now, self.secret_fallbacks)
            if token.verb != Verb.LIST_SETS:
                raise OAIError(ErrorCode.BAD_RESUMPTION_TOKEN, "the resumption token belongs to another verb")
            remaining = [s for s in sets if s.spec > token.last_spec]
        else:
            token = tokens.ResumptionToken(str(Verb.LIST_SETS), "", "", None, None, None, None, "", 0,
                                           len(sets), int(self.now.timestamp()))
            remaining = sets
        page = remaining[:page_size]
        if not page:
            raise OAIError(ErrorCode.BAD_RESUMPTION_TOKEN, "the resumption token is past the end of the list")
        parts = ["<ListSets>"] + [_set_xml(s) for s in page]
        if len(remaining) > page_size:
            following = token.next(last_spec=page[-1].spec, sent=token.sent + len(page))
            parts.append(_token_xml(tokens.encode(following, self.secret), token, self.token_lifetime))
        elif raw_token is not None or len(sets) > page_size:
            parts.append(_token_xml("", token, self.token_lifetime))
        parts.append("</ListSets>")
        return Answer(iter(parts))

    def get_record(self, request: OAIRequest) -> Answer:
        """GetRecord: one record in one format (a tombstone, or a record that no longer qualifies for
        a format it was served in, as a deleted header)."""
        row = self._record(request.arguments["identifier"])
        prefix = request.arguments["metadataPrefix"]
        fmt = self.formats.get(prefix)
        row = query.one_record(self.session, row.id, (fmt.prefix, fmt.sql_clause())) if fmt is not None else None
        if row is None or fmt is None:
            raise OAIError(ErrorCode.CANNOT_DISSEMINATE_FORMAT,
                           f"{request.arguments['identifier']} cannot be disseminated as {prefix[:100]!r}")
        body = record_xml(self, fmt, row, self.repositories(), self.context_for([row]))
        return Answer(iter(["<GetRecord>", body, "</GetRecord>"]), last_modified=row.hub_datestamp)

    def list_items(self, request: OAIRequest) -> Answer:
        """ListIdentifiers and ListRecords."""
        return Answer(list_answer(self, request))

    # --- helpers -----------------------------------------------------------

    def _record(self, identifier: str) -> Any:
        prefix = f"oai:{self.identifier_prefix}:"
        local = identifier[len(prefix):] if identifier.startswith(prefix) else ""
        # Only the canonical form names a record: "01", fullwidth or Arabic-Indic digits are other
        # identifiers (str.isdigit and int() accept them all), which this repository does not have.
        row = query.one_record(self.session, int(local)) if RECORD_NUMBER.fullmatch(local) else None
        if row is None:
            raise OAIError(ErrorCode.ID_DOES_NOT_EXIST, f"{identifier[:200]} is not an identifier of this repository")
        return row


def _set_xml(info: SetInfo) -> str:
    return (f"<set><setSpec>{text(info.spec)}</setSpec><setName>{text(info.name)}</setName><setDescription>"
            f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
            f'<dc:description xml:lang="zh">{text(info.description_zh)}</dc:description>'
            f'<dc:description xml:lang="en">{text(info.description_en)}</dc:description>'
            "</oai_dc:dc></setDescription></set>")


def _token_xml(value: str, token: tokens.ResumptionToken, lifetime: int) -> str:
    return resumption_token(value, expires=tokens.expiration(token, lifetime),
                            complete_list_size=token.total, cursor=token.sent)
