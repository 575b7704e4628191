"""One record as one line of a bulk dump: the API's JSON of the record plus its OAI identifier.

The API's own serialisation (:func:`hub.records_json.record_json`) gives the record, its hub
datestamp and its ``deleted`` flag; a dump line adds ``oai_identifier``, the identifier the
hub's OAI-PMH provider gives the same record, so a dump and a harvest can be joined.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hub.models import Institution, Record, Repository
from hub.records_json import record_json


def dump_record(record: Record, repo: Repository, inst: Institution, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The dump form of a record: the API form with ``oai_identifier`` added."""
    body = record_json(record, repo, inst, str(settings["BASE_URL"]))
    body["oai_identifier"] = record.oai_identifier(str(settings["OAI_IDENTIFIER_PREFIX"]))
    return body


def dump_line(record: Record, repo: Repository, inst: Institution, settings: Mapping[str, Any]) -> bytes:
    """One UTF-8 JSON line (compact, keys in a fixed order, ending in a newline)."""
    text = json.dumps(dump_record(record, repo, inst, settings), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"
