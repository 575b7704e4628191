"""Secrets inside URLs: split them off where a URL is stored, hide them where a URL is shown.

A URL may carry a user name and password (``https://user:secret@host/oai``): a repository's
base URL, ``CHAIR_TIKA_URL``, ``STORAGE_URL``, ``SEARCH_URL``, ``BROKER_URL``, ``DATABASE_URL``,
``SMTP_URL``, a webhook. Everything that displays or logs a URL passes it through
:func:`redact_url` (one URL) or :func:`redact_text` (a message that may quote URLs), so the user
information never reaches the API, the portal, OAI-PMH, ``chair doctor``, logs or error messages.
A repository's credentials are stored apart from its base URL (:func:`split_credentials`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

HIDDEN = "***"
# scheme://userinfo@ — userinfo runs up to the last "@" before the path (a password may hold ":"
# and an unencoded "@").
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#'\"<>]+)@")


@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP basic authentication (never shown)."""

    username: str
    password: str

    def to_text(self) -> str:
        """The stored form, ``user:password`` percent-encoded (the ``credentials`` column)."""
        return f"{quote(self.username, safe='')}:{quote(self.password, safe='')}"

    @classmethod
    def from_text(cls, value: str | None) -> Credentials | None:
        """Parse the stored form; None for an empty value."""
        if not value:
            return None
        user, _, password = value.partition(":")
        return cls(unquote(user), unquote(password))

    def __repr__(self) -> str:  # a stray repr in a log must not leak the password
        return f"Credentials(username={HIDDEN!r}, password={HIDDEN!r})"


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its user information, and the credentials it carried (None if it had none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=hostport))
    return clean, Credentials(unquote(user), unquote(password))


def redact_url(url: str) -> str:
    """``url`` with its user name and password replaced by ``***`` (any scheme; unchanged without them)."""
    if not url or "@" not in url:
        return url
    return _USERINFO.sub(lambda m: f"{m['scheme']}{HIDDEN}@", url)


def redact_text(message: str) -> str:
    """A message with the user information of every URL it quotes replaced by ``***``."""
    return redact_url(message)
