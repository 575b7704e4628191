"""Full-text discovery through DSpace's REST APIs: find the item by its handle, read its ORIGINAL bundle.

- **DSpace 7+** (``/server/api``): first one Discovery search for the item's handle with
  multi-level embeds, ``/api/discover/search/objects?query=handle:"<h>"&dsoType=ITEM
  &embed=bundles/bitstreams/format&embed=bundles/bitstreams/accessStatus&embed=accessStatus``: the
  item, its bundles, the ORIGINAL bundle's bitstreams (``_links.content.href``, ``sizeBytes``,
  ``checkSum``), their formats (``mimetype``) and access status (``open.access``, ``embargo`` with
  ``embargoDate``, ``restricted``, ``metadata.only``) come back in one response. The Discovery
  index can lag behind the database or be restricted, so when the search fails (404, 401/403, an
  unreadable answer) or finds nothing, the item is found the documented way of the REST contract
  (identifiers.md): ``GET /api/pid/find?id=<handle>`` answers 302 to ``/api/core/items/<uuid>``
  (followed by the hub's HTTP client, every hop address-checked), then the item is read again at
  ``/api/core/items/<uuid>`` (built from its uuid, not from the redirect) with the same embeds
  (projections.md: ``embed`` works on every HAL resource). Bitstreams without their own access
  status (DSpace before 7.6) take the item's.
- **DSpace 5/6** (``/rest``): ``/rest/handle/<prefix>/<suffix>?expand=bitstreams`` (JSON), whose
  bitstreams carry ``bundleName``, ``retrieveLink``, ``mimeType``, ``sizeBytes`` and ``checkSum``;
  this API lists only bitstreams the anonymous user may read, so all it lists are open. When the
  handle endpoint fails (it is missing or broken on some 5.x installations), the documented
  ``POST /rest/items/find-by-metadata-field?expand=bitstreams`` with the item's
  ``dc.identifier.uri`` (``http(s)://hdl.handle.net/<h>``) finds it.

Each lookup says which way found the item (:class:`LookupWay`), for the repository check.
:func:`detect_rest` finds which API (if any) answers next to the OAI-PMH endpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin, urlsplit

from hub.http import HarvestError, HttpClient
from hub.normalise.record import FileLink

JSON = {"Accept": "application/json"}
MAX_JSON_BYTES = 8 * 1024 * 1024
OPEN, EMBARGO = "open.access", "embargo"
EMBEDS = ("bundles/bitstreams/format", "bundles/bitstreams/accessStatus", "accessStatus")


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class RestError(HarvestError):
    """The REST API answered something the hub cannot read."""

    retryable = False


class LookupWay(StrEnum):
    """How the REST API found an item by its handle."""

    DISCOVERY = "discovery search"
    PID_FIND = "pid/find"
    HANDLE = "rest/handle"
    METADATA_FIELD = "find-by-metadata-field"
    NOT_FOUND = "not found"


@dataclass
class ItemFiles:
    """The full-text files of one item, the way the item was found, and why earlier ways did not serve."""

    files: list[FileLink] = field(default_factory=list)
    way: LookupWay = LookupWay.NOT_FOUND
    note: str = ""


@dataclass(frozen=True)
class RestEndpoint:
    """A DSpace REST API: its version (7 for 7+, 6 for 5/6) and its root URL."""

    version: int
    url: str

    def to_options(self) -> dict[str, Any]:
        return {"rest_version": self.version, "rest_url": self.url}


def _root(oai_base_url: str) -> str:
    """The web application root next to an OAI endpoint (``…/server/oai/request`` -> ``…/server``)."""
    parts = urlsplit(oai_base_url)
    path = parts.path.rstrip("/")
    for suffix in ("/oai/request", "/oai"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def _get_json(http: HttpClient, url: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
    result = http.get(url, params, max_bytes=MAX_JSON_BYTES, headers=JSON)
    if result.status >= 400:
        return result.status, None
    try:
        return result.status, json.loads(result.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return result.status, None


def candidate_endpoints(oai_base_url: str) -> list[RestEndpoint]:
    """Where DSpace puts its REST APIs relative to the OAI-PMH endpoint, most likely first."""
    root = _root(oai_base_url)
    found = [RestEndpoint(7, f"{root}/api")] if root.endswith("/server") else []
    found += [RestEndpoint(7, f"{root}/server/api"), RestEndpoint(6, f"{root}/rest")]
    return found


def detect_rest(http: HttpClient, oai_base_url: str) -> RestEndpoint | None:
    """The first REST API that answers like DSpace (7: HAL root with ``_links``; 6: ``/status``)."""
    for endpoint in candidate_endpoints(oai_base_url):
        url = endpoint.url if endpoint.version == 7 else f"{endpoint.url}/status"
        try:
            status, data = _get_json(http, url)
        except HarvestError:
            continue
        if status != 200 or not isinstance(data, dict):
            continue
        if endpoint.version == 7 and isinstance(data.get("_links"), dict):
            return endpoint
        if endpoint.version == 6 and ("okay" in data or "apiVersion" in data):
            return endpoint
    return None


def _embedded(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = (node.get("_embedded") or {}).get(key)
    return node


def _checksum(value: Any) -> str:
    if isinstance(value, dict) and value.get("value"):
        return f"{str(value.get('checkSumAlgorithm') or 'md5').lower()}:{value['value']}"
    return ""


def _access(status: Any) -> tuple[str, str]:
    """(access, embargo_until) of a DSpace 7 accessStatus resource."""
    if not isinstance(status, dict) or not status.get("status"):
        return "open", ""
    value = status["status"]
    if value == OPEN:
        return "open", ""
    if value == EMBARGO:
        return "embargoed", str(status.get("embargoDate") or "")[:10]
    return "restricted", ""


def _original_files(item: dict[str, Any]) -> list[FileLink]:
    """Open and embargoed files of the ORIGINAL bundle of a DSpace 7 item read with ``EMBEDS``."""
    item_access = _embedded(item, "accessStatus")
    bundles = _embedded(item, "bundles", "bundles") or []
    files: list[FileLink] = []
    for bundle in bundles:
        if not isinstance(bundle, dict) or bundle.get("name") != "ORIGINAL":
            continue
        for bit in _embedded(bundle, "bitstreams", "bitstreams") or []:
            if not isinstance(bit, dict):
                continue
            href = ((bit.get("_links") or {}).get("content") or {}).get("href")
            if not href:
                continue
            access, until = _access(_embedded(bit, "accessStatus") or item_access)
            if access == "restricted":
                continue
            size = bit.get("sizeBytes")
            files.append(FileLink(url=href, mime_type=str((_embedded(bit, "format") or {}).get("mimetype") or ""),
                                  size=size if isinstance(size, int) else None, checksum=_checksum(bit.get("checkSum")),
                                  access=access, embargo_until=until, label=str(bit.get("name") or "")))
    return files


def _discovery_item(http: HttpClient, api: str, handle: str) -> tuple[dict[str, Any] | None, str]:
    """(the item found by the Discovery search with its embeds, or None; why the search did not serve)."""
    params = {"query": f'handle:"{handle}"', "dsoType": "ITEM", "embed": list(EMBEDS)}
    try:
        status, data = _get_json(http, f"{api}/discover/search/objects", params)
    except HarvestError as exc:
        return None, f"the discovery search failed ({exc})"
    if status != 200 or not isinstance(data, dict):
        return None, f"the discovery search answered HTTP {status}" + ("" if status >= 400 else " (unreadable)")
    objects = _embedded(data, "searchResult", "objects") or []
    found = (_embedded(o, "indexableObject") for o in objects if isinstance(o, dict))
    item = next((i for i in found if isinstance(i, dict) and i.get("handle") == handle), None)
    return item, "" if item is not None else "the discovery search found nothing"


def _pid_item(http: HttpClient, api: str, handle: str, why: str) -> dict[str, Any] | None:
    """The item with ``handle`` found through ``/pid/find`` and read with its embeds; None when unknown (404)."""
    status, data = _get_json(http, f"{api}/pid/find", {"id": handle})
    if status == 404:
        return None
    if status != 200 or not isinstance(data, dict):
        raise RestError(f"{why}, and {api}/pid/find answered HTTP {status} for handle {handle}")
    uuid = str(data.get("uuid") or data.get("id") or "")
    if data.get("type") != "item" or not _UUID_RE.fullmatch(uuid) or data.get("handle") not in (None, handle):
        raise RestError(f"{api}/pid/find?id={handle} did not lead to that item (type {data.get('type')!r}, "
                        f"handle {data.get('handle')!r})")
    status, item = _get_json(http, f"{api}/core/items/{uuid}", {"embed": list(EMBEDS)})
    if status != 200 or not isinstance(item, dict):
        raise RestError(f"{api}/core/items/{uuid} answered HTTP {status} for handle {handle}")
    return item


def dspace7_files(http: HttpClient, api: str, handle: str) -> ItemFiles:
    """Open and embargoed files of the ORIGINAL bundle of the item with ``handle``: one Discovery request,
    or, when the search fails or finds nothing, ``pid/find`` (a redirect) and the item with its embeds."""
    item, why = _discovery_item(http, api, handle)
    if item is not None:
        return ItemFiles(_original_files(item), LookupWay.DISCOVERY)
    item = _pid_item(http, api, handle, why)
    if item is None:
        return ItemFiles([], LookupWay.NOT_FOUND, f"{why}, and pid/find does not know handle {handle}")
    return ItemFiles(_original_files(item), LookupWay.PID_FIND, why)


def _bitstreams6(rest: str, data: dict[str, Any]) -> list[FileLink]:
    """Files of the ORIGINAL bundle in a DSpace 5/6 item expanded with its bitstreams."""
    parts = urlsplit(rest)
    host = f"{parts.scheme}://{parts.netloc}"
    files = []
    for bit in data.get("bitstreams") or []:
        if not isinstance(bit, dict) or bit.get("bundleName") != "ORIGINAL" or not bit.get("retrieveLink"):
            continue
        link = str(bit["retrieveLink"])
        # DSpace 6 gives "/rest/bitstreams/<uuid>/retrieve", DSpace 5 "/bitstreams/<id>/retrieve".
        url = urljoin(host, link) if link.startswith(parts.path + "/") else f"{rest}{link}"
        size = bit.get("sizeBytes")
        files.append(FileLink(url=url, mime_type=str(bit.get("mimeType") or ""),
                              size=size if isinstance(size, int) else None, checksum=_checksum(bit.get("checkSum")),
                              label=str(bit.get("name") or "")))
    return files


def _by_metadata_field(http: HttpClient, rest: str, handle: str) -> dict[str, Any] | None:
    """The item whose ``dc.identifier.uri`` is the handle URL (``POST /items/find-by-metadata-field``)."""
    url = f"{rest}/items/find-by-metadata-field"
    for uri in (f"http://hdl.handle.net/{handle}", f"https://hdl.handle.net/{handle}"):
        result = http.post_json(url, {"key": "dc.identifier.uri", "value": uri}, {"expand": "bitstreams"},
                                max_bytes=MAX_JSON_BYTES, headers=JSON)
        if result.status == 404:
            continue
        if result.status != 200:
            raise RestError(f"{url} answered HTTP {result.status} for handle {handle}")
        try:
            found = json.loads(result.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RestError(f"{url} answered unreadable JSON for handle {handle}") from exc
        item = next((i for i in found if isinstance(i, dict) and i.get("handle") == handle), None) \
            if isinstance(found, list) else None
        if item is not None:
            return item
    return None


def dspace6_files(http: HttpClient, rest: str, handle: str) -> ItemFiles:
    """Files of the ORIGINAL bundle listed by the DSpace 5/6 REST API for ``handle``: one request to
    ``/handle``, or, when it fails, ``find-by-metadata-field`` on the item's handle URI."""
    try:
        status, data = _get_json(http, f"{rest}/handle/{handle}", {"expand": "bitstreams"})
    except HarvestError as exc:
        status, data, why = 0, None, f"{rest}/handle failed ({exc})"
    else:
        why = f"{rest}/handle answered HTTP {status}" + ("" if status >= 400 else " (not an item)")
    if status == 200 and isinstance(data, dict) and data.get("type") == "item":
        return ItemFiles(_bitstreams6(rest, data), LookupWay.HANDLE)
    item = _by_metadata_field(http, rest, handle)
    if item is None:
        return ItemFiles([], LookupWay.NOT_FOUND, f"{why}, and find-by-metadata-field does not know {handle}")
    return ItemFiles(_bitstreams6(rest, item), LookupWay.METADATA_FIELD, why)


def item_files(http: HttpClient, endpoint: RestEndpoint, handle: str) -> ItemFiles:
    """The item's full-text files through ``endpoint``, and the way the item was found."""
    if endpoint.version >= 7:
        return dspace7_files(http, endpoint.url, handle)
    return dspace6_files(http, endpoint.url, handle)
