"""Rights: Creative Commons licence URLs and COAR access rights.

``license_url`` recognises Creative Commons licences written as URLs (any scheme, ``www.``,
``deed.zh``, ``legalcode``, jurisdiction ports such as ``/3.0/cn/``), as short names
(``CC BY 4.0``, ``CC-BY-NC-SA-3.0``, ``CC0``), as EPrints licence codes (``cc_by_nc_4``) and as Chinese names (``知识共享 署名-非商业性使用
4.0``), and returns the canonical ``https://creativecommons.org/licenses/by/4.0/`` form. A short
name without a version is not guessed.

``access_right`` maps OpenAIRE ``info:eu-repo/semantics/*Access`` values, COAR URIs and English
and Chinese words to a COAR access-right URI.
"""

from __future__ import annotations

import re
from functools import lru_cache

COAR_ACCESS = "http://purl.org/coar/access_right/"
OPEN_ACCESS = COAR_ACCESS + "c_abf2"
EMBARGOED_ACCESS = COAR_ACCESS + "c_f1cf"
RESTRICTED_ACCESS = COAR_ACCESS + "c_16ec"
METADATA_ONLY_ACCESS = COAR_ACCESS + "c_14cb"

ACCESS_RIGHT_LABELS: dict[str, str] = {
    OPEN_ACCESS: "open access",
    EMBARGOED_ACCESS: "embargoed access",
    RESTRICTED_ACCESS: "restricted access",
    METADATA_ONLY_ACCESS: "metadata only access",
}

_ACCESS_WORDS: dict[str, str] = {
    **{word: OPEN_ACCESS for word in (
        "openaccess", "open access", "open", "oa", "free", "free access", "unrestricted",
        "开放获取", "开放存取", "开放取用", "開放取用", "開放獲取", "开放", "公开", "全文公开")},
    **{word: EMBARGOED_ACCESS for word in (
        "embargoedaccess", "embargoed access", "embargoed", "embargo", "延期开放", "延迟开放",
        "延期公开", "延迟公开", "限期开放", "保密期")},
    **{word: RESTRICTED_ACCESS for word in (
        "restrictedaccess", "restricted access", "restricted", "campus only", "校内开放",
        "校内访问", "限制访问", "受限访问", "受限", "内部")},
    **{word: METADATA_ONLY_ACCESS for word in (
        "closedaccess", "closed access", "closed", "metadata only", "metadata only access",
        "仅元数据", "不公开", "不开放", "保密")},
}
_EU_REPO_ACCESS_RE = re.compile(r"info:eu-repo/semantics/(open|embargoed|restricted|closed)access", re.I)
_COAR_ACCESS_RE = re.compile(r"https?://purl\.org/coar/access_right/(c_abf2|c_f1cf|c_16ec|c_14cb)", re.I)
_EU_REPO_KIND = {
    "open": OPEN_ACCESS, "embargoed": EMBARGOED_ACCESS,
    "restricted": RESTRICTED_ACCESS, "closed": METADATA_ONLY_ACCESS,
}

CC_BASE = "https://creativecommons.org/"
_CC_URL_RE = re.compile(
    r"creativecommons\.org/(?:(licenses)/([a-z-]+)/(\d\.\d)(?:/([a-z]{2}(?:-[a-z]{2})?)(?=/|$|[?#\s]))?"
    r"|(publicdomain)/(zero|mark)/(\d\.\d))",
    re.I,
)
_CC_SHORT_RE = re.compile(r"\bCC[\s_-]?(BY(?:[\s_-](?:NC|SA|ND)){0,2})[\s_-]*(?:v\s*)?(\d\.\d)\b", re.I)
_EPRINTS_CC_RE = re.compile(r"cc_(by(?:_nc)?(?:_nd|_sa)?)_(\d)", re.I)  # EPrints licence codes
_CC_ZERO_RE = re.compile(r"\bCC[\s_-]?(?:0|zero)\b", re.I)
_VERSION_RE = re.compile(r"\d\.\d")
_CC_CODES = frozenset({"by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd", "by-nd-nc"})
_ZH_CC_PARTS = (("非商业性使用", "nc"), ("禁止演绎", "nd"), ("相同方式共享", "sa"))


def _cc_licence(code: str, version: str, port: str = "") -> str:
    code = code.lower()
    if code == "by-nd-nc":
        code = "by-nc-nd"
    if code not in _CC_CODES:
        return ""
    return f"{CC_BASE}licenses/{code}/{version}/" + (f"{port.lower()}/" if port else "")


@lru_cache(maxsize=2048)
def license_url(value: str) -> str:
    """The canonical Creative Commons licence URL a rights statement names, or ``''``."""
    lowered = value.lower()
    if "creativecommons.org" in lowered:
        match = _CC_URL_RE.search(value)
        if match is None:
            return ""
        if match[1]:
            return _cc_licence(match[2], match[3], match[4] or "")
        return f"{CC_BASE}publicdomain/{match[6].lower()}/{match[7]}/"
    if "cc" in lowered:
        match = _EPRINTS_CC_RE.fullmatch(value.strip())
        if match:
            return _cc_licence(match[1].replace("_", "-"), f"{match[2]}.0")
        match = _CC_SHORT_RE.search(value)
        if match:
            return _cc_licence(re.sub(r"[\s_]", "-", match[1]), match[2])
        if _CC_ZERO_RE.search(value):
            return f"{CC_BASE}publicdomain/zero/1.0/"
    if "知识共享" in value or "知識共享" in value or "署名" in value:
        version = _VERSION_RE.search(value)
        if "署名" in value and version:
            parts = ["by"] + [code for word, code in _ZH_CC_PARTS if word in value]
            return _cc_licence("-".join(parts), version[0])
    return ""


@lru_cache(maxsize=2048)
def access_right(value: str) -> str:
    """The COAR access-right URI a rights or access statement names, or ``''``.

    ``info:eu-repo/semantics/openAccess`` -> open (c_abf2), ``embargoedAccess`` -> embargoed
    (c_f1cf), ``restrictedAccess`` -> restricted (c_16ec), ``closedAccess`` -> metadata only
    (c_14cb); the same for COAR URIs and words such as ``Open Access``, ``开放获取``, ``校内开放``.
    """
    text = " ".join(value.split()).lower().rstrip(".")
    if text in _ACCESS_WORDS:
        return _ACCESS_WORDS[text]
    match = _EU_REPO_ACCESS_RE.search(text)
    if match:
        return _EU_REPO_KIND[match[1]]
    match = _COAR_ACCESS_RE.search(text)
    if match:
        return COAR_ACCESS + match[1]
    return ""
