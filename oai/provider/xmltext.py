"""Safe text for XML output: strip characters illegal in XML 1.0, escape, format datestamps.

Everything the hub republishes was harvested and is untrusted: every value written into a
response goes through :func:`text` or :func:`attr`, which remove the characters XML 1.0 forbids
(C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF)
before escaping markup characters.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

_ILLEGAL_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
# Characters an xs:anyURI may not hold literally (libxml2 rejects them); they are %-escaped.
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_URI_CHARS = re.compile(r"[A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]*")


def clean(value: object) -> str:
    """``value`` as a string without the characters XML 1.0 forbids, outer whitespace removed.

    ``str.isprintable`` is a quick test that no illegal character is present (every character
    XML forbids is non-printable); only strings that fail it (newlines, controls) are searched.
    """
    if value is None:
        return ""
    value = value if type(value) is str else str(value)
    if not value.isprintable() and _ILLEGAL_XML.search(value) is not None:
        value = _ILLEGAL_XML.sub("", value)
    return value.strip()


def text(value: object) -> str:
    """Element content: cleaned (:func:`clean`) and escaped."""
    value = clean(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def attr(value: object) -> str:
    """An attribute value (to be written between double quotes): cleaned and escaped."""
    return clean(value).translate(_ATTR_ESCAPES)


def uri(value: object) -> str:
    """A value for an ``xs:anyURI`` element: cleaned, spaces and other unsafe characters %-escaped."""
    cleaned = clean(value)
    return text(cleaned if _URI_CHARS.fullmatch(cleaned) else quote(cleaned, safe=_URI_SAFE))


def language(value: object) -> str:
    """A value usable in ``xml:lang`` (an ``xs:language``), or ``""`` when it is not one."""
    cleaned = clean(value)
    return cleaned if _LANGUAGE_TAG.fullmatch(cleaned) else ""


def lang_attr(value: object, name: str = "xml:lang") -> str:
    """`` xml:lang="..."`` for a valid language tag, else nothing."""
    if type(value) is str:
        return _lang_attr(value, name)
    tag = language(value)
    return f' {name}="{tag}"' if tag else ""


@lru_cache(maxsize=1024)
def _lang_attr(value: str, name: str) -> str:
    """:func:`lang_attr` of a string, remembered: a record repeats a handful of language values
    ("zho", "eng", "") on every title, subject and abstract."""
    tag = language(value)
    return f' {name}="{tag}"' if tag else ""


def element(name: str, value: object, attributes: str = "") -> str:
    """``<name attributes>value</name>``, or ``""`` when the cleaned value is empty."""
    content = text(value)
    return f"<{name}{attributes}>{content}</{name}>" if content else ""


def datestamp(moment: datetime) -> str:
    """A UTC datestamp at seconds granularity: ``YYYY-MM-DDThh:mm:ssZ``."""
    if moment.tzinfo is not None and moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


def http_date(moment: datetime) -> str:
    """An RFC 7231 HTTP date (for Last-Modified)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
