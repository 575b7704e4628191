"""SPDX licence identifiers beside the Creative Commons URLs of :mod:`hub.normalise.rights`.

- :func:`spdx_for_license_url`: a canonical Creative Commons URL to its SPDX id
  (``https://creativecommons.org/licenses/by-nc-sa/4.0/`` -> ``CC-BY-NC-SA-4.0``,
  ``.../publicdomain/zero/1.0/`` -> ``CC0-1.0``). Jurisdiction ports have an SPDX id only for the
  few SPDX lists (``CC-BY-3.0-DE``...); any other port (``/3.0/cn/``) gives ``''`` rather than the
  id of a different legal text. The Public Domain Mark is not a licence and has none.
- :func:`spdx_from_text`: a rights statement naming a common software or data licence
  (``MIT``, ``Apache License 2.0``, ``GPL-3.0``, ``ODbL``) or already an SPDX id.
"""

from __future__ import annotations

import re

from hub.normalise.rights import CC_BASE

# Ported Creative Commons licences that have their own SPDX id (SPDX licence list 3.x).
SPDX_PORTED: frozenset[str] = frozenset({
    "CC-BY-2.5-AU", "CC-BY-3.0-AT", "CC-BY-3.0-AU", "CC-BY-3.0-DE", "CC-BY-3.0-IGO", "CC-BY-3.0-NL",
    "CC-BY-3.0-US", "CC-BY-NC-3.0-DE", "CC-BY-NC-ND-3.0-DE", "CC-BY-NC-ND-3.0-IGO", "CC-BY-NC-SA-2.0-DE",
    "CC-BY-NC-SA-2.0-FR", "CC-BY-NC-SA-2.0-UK", "CC-BY-NC-SA-3.0-DE", "CC-BY-NC-SA-3.0-IGO",
    "CC-BY-ND-3.0-DE", "CC-BY-SA-2.0-UK", "CC-BY-SA-2.1-JP", "CC-BY-SA-3.0-AT", "CC-BY-SA-3.0-DE",
    "CC-BY-SA-3.0-IGO",
})

_CC_URL_RE = re.compile(r"^https://creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)/(?:([a-z]{2}(?:-[a-z]{2})?)/)?$")
_CC_ZERO = f"{CC_BASE}publicdomain/zero/1.0/"

_TEXT_LICENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), spdx) for pattern, spdx in (
        (r"\bMIT\s+licen[cs]e\b|^MIT$", "MIT"),
        (r"\bApache(?:\s+licen[cs]e)?,?\s*(?:version\s*|v)?2(?:\.0)?\b|^Apache-2\.0$", "Apache-2.0"),
        (r"\bGPL-?3(?:\.0)?(?:-only)?\b|GNU General Public Licen[cs]e,?\s*(?:version\s*|v)?3", "GPL-3.0-only"),
        (r"\bGPL-?2(?:\.0)?(?:-only)?\b|GNU General Public Licen[cs]e,?\s*(?:version\s*|v)?2", "GPL-2.0-only"),
        (r"\bBSD[- ]3[- ]Clause\b", "BSD-3-Clause"),
        (r"\bBSD[- ]2[- ]Clause\b", "BSD-2-Clause"),
        (r"\bODbL\b|Open Database Licen[cs]e", "ODbL-1.0"),
        (r"\bOpen Government Licen[cs]e\b.*\b3\.0\b|\bOGL-UK-3\.0\b", "OGL-UK-3.0"),
    )
)


def spdx_for_license_url(url: str) -> str:
    """The SPDX id of a canonical Creative Commons licence URL, or ``''`` (see the module docstring)."""
    if not url:
        return ""
    if url == _CC_ZERO:
        return "CC0-1.0"
    match = _CC_URL_RE.match(url)
    if match is None:
        return ""
    spdx = f"CC-{match[1].upper()}-{match[2]}"
    if match[3]:
        ported = f"{spdx}-{match[3].upper()}"
        return ported if ported in SPDX_PORTED else ""
    return spdx


def spdx_from_text(text: str) -> str:
    """The SPDX id of a common non-Creative-Commons licence named in a rights statement, or ``''``."""
    for pattern, spdx in _TEXT_LICENCES:
        if pattern.search(text):
            return spdx
    return ""
