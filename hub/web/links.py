"""Links built from the request stay on the hub.

A request path is whatever the client sent: ``//evil.example/x`` or ``/\\evil.example`` reach the
404 page, and written back into a link as they are, a browser reads them as another site
(``//host`` is scheme-relative; browsers treat ``\\`` like ``/`` and drop tabs and newlines, so
``/\\evil`` and ``/<TAB>/evil`` are ``//evil`` too). Two helpers:

- :func:`local_path` turns any path into a path of this site: characters a browser could reread
  (backslashes, controls, spaces, non-ASCII) are percent-encoded and leading slashes collapse to
  one, so the result always starts with ``/`` followed by something other than ``/``;
- :func:`same_site_target` accepts a redirect target (``next=``) only when it already is such a path,
  and refuses anything else (a scheme, a host, ``//``, a backslash, a control character).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

from flask import request

# Characters kept as they are in a path: RFC 3986 pchar and "/", plus "%" (already-encoded bytes).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(path: str) -> str:
    """``path`` as a path on this site, safe to write into a link whatever the client sent."""
    encoded = quote(path or "", safe=_PATH_SAFE)
    return "/" + encoded.lstrip("/")


def request_link(**params: str) -> str:
    """A same-site link to the current page with its query, ``params`` replacing the same-named arguments."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in params]
    args += [(k, v) for k, v in params.items()]
    query = urlencode(args)
    return local_path(request.path) + (f"?{query}" if query else "")


def same_site_target(target: str | None) -> str | None:
    """``target`` when it is a path of this site (``/...``, no scheme, no host), otherwise None."""
    if not target or not target.startswith("/") or target.startswith("//") or _UNSAFE_IN_TARGET.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
