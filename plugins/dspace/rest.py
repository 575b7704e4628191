"""Full-text discovery through DSpace's REST APIs: one request per item.

- **DSpace 7+** (``/server/api``): one Discovery search for the item's handle with multi-level
  embeds, ``/api/discover/search/objects?query=handle:"<h>"&dsoType=ITEM&embed=bundles/bitstreams/format
  &embed=bundles/bitstreams/accessStatus&embed=accessStatus``: the item, its bundles, the
  ORIGINAL bundle's bitstreams (``_links.content.href``, ``sizeBytes``, ``checkSum``), their
  formats (``mimetype``) and access status (``open.access``, ``embargo`` with ``embargoDate``,
  ``restricted``, ``metadata.only``) come back in one response. ``/api/pid/find`` would cost a
  redirect plus the item and loses the embeds, so it is not used. Bitstreams without their own
  access status (DSpace before 7.6) take the item's.
- **DSpace 5/6** (``/rest``): ``/rest/handle/<prefix>/<suffix>?expand=bitstreams`` (JSON), whose
  bitstreams carry ``bundleName``, ``retrieveLink``, ``mimeType``, ``sizeBytes`` and ``checkSum``;
  this API lists only bitstreams the anonymous user may read, so all it lists are open.

:func:`detect_rest` finds which API (if any) answers next to the OAI-PMH endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from hub.http import HarvestError, HttpClient
from hub.normalise.record import FileLink

JSON = {"Accept": "application/json"}
MAX_JSON_BYTES = 8 * 1024 * 1024
OPEN, EMBARGO = "open.access", "embargo"
EMBEDS = ("bundles/bitstreams/format", "bundles/bitstreams/accessStatus", "accessStatus")


class RestError(HarvestError):
    """The REST API answered something the hub cannot read."""

    retryable = False


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


def dspace7_files(http: HttpClient, api: str, handle: str) -> list[FileLink]:
    """Open and embargoed files of the ORIGINAL bundle of the item with ``handle`` (one request)."""
    params = {"query": f'handle:"{handle}"', "dsoType": "ITEM", "embed": list(EMBEDS)}
    status, data = _get_json(http, f"{api}/discover/search/objects", params)
    if status != 200 or not isinstance(data, dict):
        raise RestError(f"{api}/discover/search/objects answered HTTP {status} for handle {handle}")
    objects = _embedded(data, "searchResult", "objects") or []
    item = next((_embedded(o, "indexableObject") for o in objects
                 if (_embedded(o, "indexableObject") or {}).get("handle") == handle), None)
    if item is None:
        return []
    item_access = _embedded(item, "accessStatus")
    bundles = _embedded(item, "bundles", "bundles") or []
    files: list[FileLink] = []
    for bundle in bundles:
        if not isinstance(bundle, dict) or bundle.get("name") != "ORIGINAL":
            continue
        for bit in _embedded(bundle, "bitstreams", "bitstreams") or []:
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


def dspace6_files(http: HttpClient, rest: str, handle: str) -> list[FileLink]:
    """Files of the ORIGINAL bundle listed by the DSpace 5/6 REST API for ``handle`` (one request)."""
    status, data = _get_json(http, f"{rest}/handle/{handle}", {"expand": "bitstreams"})
    if status == 404:
        return []
    if status != 200 or not isinstance(data, dict):
        raise RestError(f"{rest}/handle/{handle} answered HTTP {status}")
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


def item_files(http: HttpClient, endpoint: RestEndpoint, handle: str) -> list[FileLink]:
    """The item's full-text files through ``endpoint`` (exactly one request)."""
    if endpoint.version >= 7:
        return dspace7_files(http, endpoint.url, handle)
    return dspace6_files(http, endpoint.url, handle)
