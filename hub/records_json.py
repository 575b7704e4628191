"""The JSON form of a record, one definition for every output that shows records as JSON.

The API (``/api/v1/records``) and the bulk dumps (hub.exchange) both call :func:`record_json`,
so a line of a dump is exactly the record the API shows. It is a pure function of the rows and
the hub's public base URL: no Flask, no session.
"""

from __future__ import annotations

from typing import Any

from hub.models import Institution, Record, Repository


def record_json(record: Record, repo: Repository, inst: Institution, base_url: str) -> dict[str, Any]:
    """The API form of a record: ids, datestamps, its source, and the normalised metadata."""
    base = base_url.rstrip("/")
    return {"id": record.id, "deleted": record.deleted, "url": f"{base}/records/{record.id}",
            "hub_datestamp": record.hub_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source_identifier": record.source_identifier, "source_datestamp": record.source_datestamp,
            "institution": inst.slug, "repository": repo.id,
            "fulltext_state": record.fulltext_state.value,
            "metadata": {} if record.deleted else (record.meta or {})}
