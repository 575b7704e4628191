"""The real client address of a request, trusting ``X-Forwarded-For`` only from configured proxies.

``TRUSTED_PROXIES`` lists addresses and networks (``10.0.0.5, 10.1.0.0/16, fd00::/8``); empty (the
default) trusts nobody. When the direct peer (REMOTE_ADDR) is a trusted proxy, the client is the
right-most address of ``X-Forwarded-For`` that is not a trusted proxy itself (every hop appends the
address it saw, so everything left of the last untrusted hop may be forged); otherwise the header is
ignored and the peer is the client. Throttling, the audit log and usage counting all use this address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from hub.config import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=32)
def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """The networks of a ``TRUSTED_PROXIES`` value (commas or spaces between entries).

    ValueError names an entry that is neither an address nor a network."""
    networks: list[Network] = []
    for entry in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is neither an IP address nor a network") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(remote_addr: str | None, forwarded_for: Iterable[str], networks: tuple[Network, ...]) -> str:
    """The client's address from the peer address and every ``X-Forwarded-For`` header value (in order)."""
    peer = _address(remote_addr or "")
    if peer is None:
        return (remote_addr or "")[:64]
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage a trusted proxy passed on: the last hop that named it is the client
            return str(nearest)
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)


def request_client_address(request: Any, settings: Mapping[str, Any]) -> str:
    """:func:`client_address` of a Flask/Werkzeug request under the hub's ``TRUSTED_PROXIES``."""
    networks = parse_trusted_proxies(Settings.from_mapping(settings).TRUSTED_PROXIES)
    return client_address(request.remote_addr, request.headers.getlist("X-Forwarded-For"), networks)
