"""Which addresses the hub may connect to, resolved once per request (SSRF and DNS rebinding).

:func:`resolve_checked` resolves a URL's host once and checks every address it resolves to; the
HTTP client then connects to those very addresses (see :mod:`hub.pinning`), so a name that
answers a public address to the check and a loopback one a moment later (DNS rebinding) cannot
reach the loopback address. An IPv6 address that embeds an IPv4 one (IPv4-mapped ``::ffff:0:0/96``,
IPv4-compatible ``::/96``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``,
Teredo ``2001::/32``) is judged by the IPv4 address it carries as well as by itself.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from hub.redaction import redact_url

Resolver = Callable[[str, int], list[str]]

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class AddressRefused(ValueError):
    """A URL the hub must not fetch: bad scheme, no host, bad port or a non-public address."""


class UnresolvableHost(OSError):
    """A host name that resolves to nothing (or the resolver failed): trying later may help."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (all families), as strings, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # ::a.b.c.d (deprecated), not :: or ::1
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_unspecified)


def is_public_address(address: str) -> bool:
    """True when ``address`` is a global unicast address and every IPv4 address it embeds is one too.

    Teredo addresses are refused outright: the hub never needs a Teredo tunnel to reach a repository.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None:
            return False
        embedded = embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:
            return _public(ip.ipv4_mapped)  # the mapped IPv4 address is what the connection reaches
        if embedded:
            return all(_public(v4) for v4 in embedded) and not (ip.is_multicast or ip.is_loopback
                                                                 or ip.is_link_local or ip.is_unspecified)
    return _public(ip)


def host_and_port(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of an http(s) URL; AddressRefused for anything else."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise AddressRefused(f"{shown!r}: not a URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise AddressRefused(f"{shown!r}: only http and https URLs can be harvested")
    host = parts.hostname
    if not host:
        raise AddressRefused(f"{shown!r}: the URL names no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(f"{shown!r}: bad port ({exc})") from exc
    return scheme, host, port


def resolve_checked(url: str, allow_private: bool, resolver: Resolver | None = None,
                    judge: Callable[[str], bool] = is_public_address) -> list[str]:
    """The addresses to connect to for ``url``: resolved once, every one checked by ``judge``.

    A host with one public and one private address is refused. ``allow_private`` (demo and tests)
    skips the address judgement, not the resolution nor the scheme check. Raises
    :class:`AddressRefused` or :class:`UnresolvableHost`.
    """
    _scheme, host, port = host_and_port(url)
    try:
        addresses = [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        try:
            addresses = (resolver or system_resolver)(host, port)
        except (OSError, UnicodeError) as exc:
            raise UnresolvableHost(f"{host} cannot be resolved ({exc})") from exc
    if not addresses:
        raise UnresolvableHost(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            if not judge(address):
                raise AddressRefused(
                    f"{redact_url(url)!r}: {host} resolves to {address}, a private, loopback, link-local or "
                    "reserved address; the hub only harvests public addresses (ALLOW_PRIVATE_ADDRESSES is off)")
    return addresses
