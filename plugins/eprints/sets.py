"""EPrints setSpecs: hex-encoded ``key=value`` pairs (``74797065733D61727469636C65`` = ``types=article``)."""

from __future__ import annotations

import re

_HEX_RE = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")


def decode_set_spec(spec: str) -> str:
    """The readable form of an EPrints setSpec; other specs unchanged.

    EPrints hex-encodes each ``field=value`` part; parts are joined by ``:`` (subject trees).
    A part that is not hex, or whose bytes are not printable UTF-8 with ``=``, is kept as sent.
    """
    return ":".join(_decode_part(part) for part in spec.split(":"))


def _decode_part(part: str) -> str:
    if not _HEX_RE.match(part) or len(part) < 4:
        return part
    try:
        text = bytes.fromhex(part).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return part
    return text if "=" in text and text.isprintable() else part


def encode_set_spec(readable: str) -> str:
    """The setSpec EPrints expects for a readable ``field=value`` (already-encoded specs unchanged)."""
    if "=" not in readable:
        return readable
    return ":".join(p.encode("utf-8").hex().upper() if "=" in p else p for p in readable.split(":"))
