"""Resumption tokens in the two platforms' real shapes.

- DSpace XOAI: `oai_dc/<from>/<until>/<set>/<offset>` (empty fields kept: `oai_dc////100`); the offset
  counts the records already delivered and the response's `cursor` is the page index.
- EPrints: `metadataPrefix%3Doai_dc%26offset%3D101`, the query string of the next request already
  percent-encoded, so the literal token contains `%3D` and `%26`. A harvester must URL-encode it once
  more; the server decodes the query once (as every web framework does) and must then see exactly this
  string. A token that arrives decoded (`metadataPrefix=oai_dc&offset=101`) is rejected. The offset is
  the eprintid of the next record (a keyset, as `cursor` is an id on EPrints).

A token may carry one extra marker (`/e` or `%26shown%3D1`) used by the empty-page fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from hub.samples.catalog import RepositoryStyle

EPRINTS_TOKEN_START = "metadataPrefix%3D"


@dataclass(frozen=True)
class ListCursor:
    """Where a list request continues: its arguments and a position (offset or eprintid)."""

    metadata_prefix: str
    from_date: str | None
    until_date: str | None
    set_spec: str | None
    position: int
    shown_empty: bool = False


def encode_token(style: RepositoryStyle, cursor: ListCursor) -> str:
    """The resumption token of a cursor, in the platform's shape."""
    if style is RepositoryStyle.DSPACE:
        fields = [cursor.metadata_prefix, cursor.from_date or "", cursor.until_date or "",
                  cursor.set_spec or "", str(cursor.position)]
        if cursor.shown_empty:
            fields.append("e")
        return "/".join(fields)
    pairs = [("metadataPrefix", cursor.metadata_prefix)]
    for key, value in (("from", cursor.from_date), ("until", cursor.until_date), ("set", cursor.set_spec)):
        if value:
            pairs.append((key, value))
    pairs.append(("offset", str(cursor.position)))
    if cursor.shown_empty:
        pairs.append(("shown", "1"))
    return quote("&".join(f"{k}={v}" for k, v in pairs), safe="")


def _decode_dspace(token: str) -> ListCursor | None:
    fields = token.split("/")
    if len(fields) not in (5, 6) or not fields[0] or not fields[4].isdigit():
        return None
    if len(fields) == 6 and fields[5] != "e":
        return None
    return ListCursor(fields[0], fields[1] or None, fields[2] or None, fields[3] or None, int(fields[4]),
                      shown_empty=len(fields) == 6)


def _decode_eprints(token: str) -> ListCursor | None:
    if not token.startswith(EPRINTS_TOKEN_START) or "=" in token or "&" in token:
        return None
    try:
        pairs = dict(parse_qsl(unquote(token), keep_blank_values=False, strict_parsing=True))
    except ValueError:
        return None
    allowed = {"metadataPrefix", "from", "until", "set", "offset", "shown"}
    offset = pairs.get("offset", "")
    if not set(pairs) <= allowed or not offset.isdigit():
        return None
    return ListCursor(pairs["metadataPrefix"], pairs.get("from"), pairs.get("until"), pairs.get("set"),
                      int(offset), shown_empty=pairs.get("shown") == "1")


def decode_token(style: RepositoryStyle, token: str) -> ListCursor | None:
    """The cursor a token encodes, or None when the token is not one this server issues."""
    return _decode_dspace(token) if style is RepositoryStyle.DSPACE else _decode_eprints(token)
