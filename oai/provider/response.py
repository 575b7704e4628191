"""The OAI-PMH envelope and the pieces every verb writes: request echo, errors, headers, tokens.

Responses are produced as a sequence of text chunks (see :mod:`oai.provider.views`, which streams
them), so a page is never built whole in memory. Every value goes through
:mod:`oai.provider.xmltext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from oai.provider.errors import OAIError
from oai.provider.sets import RepositoryInfo, record_set_specs
from oai.provider.xmltext import attr, datestamp, text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


def envelope_start(response_date: datetime, base_url: str, echoed: Mapping[str, str] | None,
                   stylesheet: str = "") -> str:
    """The XML declaration, the ``xml-stylesheet`` processing instruction naming ``stylesheet`` (when
    given: browsers show the response as a page, harvesters ignore it), the root element,
    ``responseDate`` and ``request``."""
    attributes = "".join(f' {name}="{attr(value)}"' for name, value in (echoed or {}).items())
    instruction = f'<?xml-stylesheet type="text/xsl" href="{attr(stylesheet)}"?>\n' if stylesheet else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + instruction +
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">'
            f"<responseDate>{datestamp(response_date)}</responseDate>"
            f"<request{attributes}>{text(base_url)}</request>")


ENVELOPE_END = "</OAI-PMH>\n"


def error_element(error: OAIError) -> str:
    """The ``<error>`` element of a protocol error."""
    return f'<error code="{error.code}">{text(error.message)}</error>'


def oai_identifier(prefix: str, record_id: int) -> str:
    """The hub's OAI identifier of a record."""
    return f"oai:{prefix}:{record_id}"


def header(record: Any, identifier_prefix: str, repos: dict[int, RepositoryInfo]) -> str:
    """The ``<header>`` of a record row (status="deleted" for a tombstone).

    Every row carries ``in_openaire``, computed in SQL (:mod:`oai.provider.query`); rows with
    ``meta`` (ListRecords, GetRecord) take the resource type from it, header rows carry it as a column.
    """
    status = ' status="deleted"' if record.deleted else ""
    meta = getattr(record, "meta", None)
    if meta is not None:
        resource_type = meta.get("resource_type") if isinstance(meta.get("resource_type"), str) else ""
    else:
        resource_type = record.resource_type
    in_openaire = bool(record.in_openaire)
    specs = "".join(f"<setSpec>{spec}</setSpec>"
                    for spec in record_set_specs(record, repos, resource_type or "", in_openaire))
    return (f"<header{status}><identifier>{oai_identifier(identifier_prefix, record.id)}</identifier>"
            f"<datestamp>{datestamp(record.hub_datestamp)}</datestamp>{specs}</header>")


def resumption_token(token: str, *, expires: datetime | None, complete_list_size: int, cursor: int) -> str:
    """A ``<resumptionToken>``; an empty ``token`` closes a list that had more than one page."""
    expiration = f' expirationDate="{datestamp(expires)}"' if expires and token else ""
    return (f'<resumptionToken completeListSize="{complete_list_size}" cursor="{cursor}"{expiration}>'
            f"{text(token)}</resumptionToken>")
