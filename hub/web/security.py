"""Security headers of every response, and the session cookie's flags.

Every portal, API, OAI-PMH and admin response carries:

- ``Content-Security-Policy``: scripts, styles, images and fonts from the hub itself only, no
  inline script or style; the one inline element the templates need (the record page's JSON-LD)
  carries the per-request nonce ``csp_nonce()``. ``CHAIR_CSP_EXTRA`` adds sources to a directive
  (or a directive of its own). ``frame-ancestors`` is ``'none'`` in the admin area and
  ``CHAIR_PORTAL_FRAME_ANCESTORS`` (default ``'self'``) elsewhere;
- ``X-Frame-Options`` (``DENY`` for the admin area, ``SAMEORIGIN`` for the portal when only the hub
  may frame it; omitted when the portal may be framed by other sites, which it cannot express);
- ``Referrer-Policy`` (``CHAIR_REFERRER_POLICY``) and ``X-Content-Type-Options: nosniff``;
- ``Strict-Transport-Security`` for ``CHAIR_HSTS_SECONDS`` when ``CHAIR_BASE_URL`` is https.

A view that sets its own policy keeps it (the file downloads send ``sandbox``). The session
cookie is HttpOnly and SameSite=Lax, and Secure when the base URL is https. (Flask's default
configuration already holds ``SESSION_COOKIE_SAMESITE = None``, so a ``config.setdefault`` of it
never took effect: the flags are set here, unconditionally.)
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request

ADMIN_PREFIXES = ("/admin",)

BASE_POLICY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'",)),
    ("style-src", ("'self'",)),
    ("img-src", ("'self'", "data:")),
    ("font-src", ("'self'",)),
    ("connect-src", ("'self'",)),
    ("object-src", ("'none'",)),
    ("base-uri", ("'self'",)),
    ("form-action", ("'self'",)),
)


def uses_https(settings: Mapping[str, Any]) -> bool:
    """Whether the hub's public base URL is https (HSTS, Secure cookies)."""
    return str(settings.get("BASE_URL") or "").strip().lower().startswith("https://")


def csp_nonce() -> str:
    """This request's script nonce (one random value per request, made on first use)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def parse_directives(text: str) -> list[tuple[str, list[str]]]:
    """``"img-src a b; connect-src c"`` as ``[("img-src", ["a", "b"]), ("connect-src", ["c"])]``."""
    directives = []
    for part in text.split(";"):
        words = part.split()
        if words:
            directives.append((words[0].lower(), words[1:]))
    return directives


def content_security_policy(settings: Mapping[str, Any], *, admin: bool, nonce: str | None) -> str:
    """The policy of one response: the hub's own, the nonce, the frame ancestors and CSP_EXTRA."""
    policy: dict[str, list[str]] = {name: list(sources) for name, sources in BASE_POLICY}
    if nonce:
        policy["script-src"].append(f"'nonce-{nonce}'")
    frame = "'none'" if admin else str(settings.get("PORTAL_FRAME_ANCESTORS") or "'none'")
    policy["frame-ancestors"] = frame.split()
    for name, sources in parse_directives(str(settings.get("CSP_EXTRA") or "")):
        known = policy.setdefault(name, [])
        known.extend(s for s in sources if s not in known)
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


def frame_options(settings: Mapping[str, Any], *, admin: bool) -> str | None:
    """X-Frame-Options for the older browsers, when it can say what frame-ancestors says."""
    if admin:
        return "DENY"
    frame = " ".join(str(settings.get("PORTAL_FRAME_ANCESTORS") or "'none'").split())
    return {"'none'": "DENY", "'self'": "SAMEORIGIN"}.get(frame)


def is_admin_path(path: str) -> bool:
    """Whether ``path`` belongs to the admin area (never framed)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PREFIXES)


def add_security_headers(response: Response, settings: Mapping[str, Any]) -> Response:
    """Set the security headers on ``response`` (headers a view set itself are kept)."""
    admin = is_admin_path(request.path)
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(settings, admin=admin, nonce=g.get("csp_nonce")))
    xfo = frame_options(settings, admin=admin)
    if xfo:
        headers.setdefault("X-Frame-Options", xfo)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    referrer = str(settings.get("REFERRER_POLICY") or "").strip()
    if referrer:
        headers.setdefault("Referrer-Policy", referrer)
    hsts = int(settings.get("HSTS_SECONDS") or 0)
    if hsts > 0 and uses_https(settings):
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
    return response


def init_app(app: Flask, settings: Mapping[str, Any]) -> None:
    """Session cookie flags, the ``csp_nonce`` template global and the headers on every response."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=uses_https(settings))
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response: Response) -> Response:
        return add_security_headers(response, settings)
