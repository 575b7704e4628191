"""Display labels of facet values and metadata codes, in the visitor's language."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext, lazy_gettext

from hub.normalise.disciplines import category_of, discipline_label

# ISO 639-3 codes the members use most (ISO 639-1 and 639-2/B codes map onto them); others are shown as the code.
LANGUAGES = {
    "zho": lazy_gettext("Chinese"), "eng": lazy_gettext("English"), "jpn": lazy_gettext("Japanese"),
    "kor": lazy_gettext("Korean"), "fra": lazy_gettext("French"), "deu": lazy_gettext("German"),
    "rus": lazy_gettext("Russian"), "spa": lazy_gettext("Spanish"), "und": lazy_gettext("Undetermined"),
    "ita": lazy_gettext("Italian"), "por": lazy_gettext("Portuguese"), "ara": lazy_gettext("Arabic"),
    "vie": lazy_gettext("Vietnamese"), "tha": lazy_gettext("Thai"), "mon": lazy_gettext("Mongolian"),
    "bod": lazy_gettext("Tibetan"), "uig": lazy_gettext("Uyghur"), "lat": lazy_gettext("Latin"),
    "mul": lazy_gettext("Several languages"),
}
LANGUAGE_ALIASES = {"zh": "zho", "chi": "zho", "en": "eng", "ja": "jpn", "ko": "kor", "fr": "fra", "fre": "fra",
                    "de": "deu", "ger": "deu", "ru": "rus", "es": "spa", "it": "ita", "pt": "por", "ar": "ara",
                    "vi": "vie", "th": "tha", "mn": "mon", "bo": "bod", "tib": "bod", "ug": "uig", "la": "lat"}
# COAR resource type labels (English, as the normaliser stores them: hub.normalise.coar), every one.
TYPES = {
    "journal article": lazy_gettext("journal article"),
    "research article": lazy_gettext("research article"),
    "review article": lazy_gettext("review article"),
    "letter to the editor": lazy_gettext("letter to the editor"),
    "editorial": lazy_gettext("editorial"),
    "data paper": lazy_gettext("data paper"),
    "contribution to journal": lazy_gettext("contribution to journal"),
    "newspaper article": lazy_gettext("newspaper article"),
    "book review": lazy_gettext("book review"),
    "book": lazy_gettext("book"),
    "book part": lazy_gettext("book part"),
    "bibliography": lazy_gettext("bibliography"),
    "preprint": lazy_gettext("preprint"),
    "working paper": lazy_gettext("working paper"),
    "technical documentation": lazy_gettext("technical documentation"),
    "report": lazy_gettext("report"),
    "technical report": lazy_gettext("technical report"),
    "research report": lazy_gettext("research report"),
    "internal report": lazy_gettext("internal report"),
    "policy report": lazy_gettext("policy report"),
    "project deliverable": lazy_gettext("project deliverable"),
    "report part": lazy_gettext("report part"),
    "research proposal": lazy_gettext("research proposal"),
    "review": lazy_gettext("review"),
    "patent": lazy_gettext("patent"),
    "conference paper": lazy_gettext("conference paper"),
    "conference proceedings": lazy_gettext("conference proceedings"),
    "conference poster": lazy_gettext("conference poster"),
    "conference object": lazy_gettext("conference object"),
    "thesis": lazy_gettext("thesis"),
    "doctoral thesis": lazy_gettext("doctoral thesis"),
    "master thesis": lazy_gettext("master thesis"),
    "bachelor thesis": lazy_gettext("bachelor thesis"),
    "letter": lazy_gettext("letter"),
    "lecture": lazy_gettext("lecture"),
    "annotation": lazy_gettext("annotation"),
    "manuscript": lazy_gettext("manuscript"),
    "interview": lazy_gettext("interview"),
    "learning object": lazy_gettext("learning object"),
    "text": lazy_gettext("text"),
    "sound": lazy_gettext("sound"),
    "musical composition": lazy_gettext("musical composition"),
    "musical notation": lazy_gettext("musical notation"),
    "video": lazy_gettext("video"),
    "moving image": lazy_gettext("moving image"),
    "still image": lazy_gettext("still image"),
    "image": lazy_gettext("image"),
    "map": lazy_gettext("map"),
    "cartographic material": lazy_gettext("cartographic material"),
    "software": lazy_gettext("software"),
    "dataset": lazy_gettext("dataset"),
    "interactive resource": lazy_gettext("interactive resource"),
    "website": lazy_gettext("website"),
    "workflow": lazy_gettext("workflow"),
    "other": lazy_gettext("other"),
}
FACET_TITLES = {
    "institution": lazy_gettext("Institution"), "repository": lazy_gettext("Repository"),
    "year": lazy_gettext("Year"), "type": lazy_gettext("Resource type"), "language": lazy_gettext("Language"),
    "subject": lazy_gettext("Subject"), "discipline": lazy_gettext("Discipline"),
    "fulltext": lazy_gettext("Full text"),
}
# Versions of a copy of a work (hub.works.features.Version values).
VERSIONS = {"preprint": lazy_gettext("preprint"), "accepted": lazy_gettext("accepted manuscript"),
            "published": lazy_gettext("published version")}


def language_name(code: str) -> str:
    """The name of an ISO 639 language code in the visitor's language (the code itself when unknown)."""
    key = (code or "").strip().lower()
    key = LANGUAGE_ALIASES.get(key.split("-")[0], key)
    return str(LANGUAGES.get(key, code))


def type_label(label: str) -> str:
    """A resource type label, translated when known."""
    return str(TYPES.get((label or "").lower(), label or gettext("other")))


def discipline_name(code: str, lang: str | None = None) -> str:
    """The name of a discipline (or category) code in ``lang`` (the visitor's language by default),
    the other language when that one is missing, the code itself when unknown."""
    lang = lang or str(get_locale() or "zh")[:2]
    zh, en = discipline_label(code)
    return ((zh or en) if lang == "zh" else (en or zh)) or code


def discipline_groups(values: list[Any], lang: str | None = None) -> list[tuple[str, str, list[Any]]]:
    """Facet values of disciplines grouped under their category: (category code, name, values by code)."""
    groups: dict[str, list[Any]] = {}
    for value in sorted(values, key=lambda v: v.value):
        groups.setdefault(category_of(value.value), []).append(value)
    return [(code, discipline_name(code, lang), members) for code, members in sorted(groups.items())]


def version_label(version: str) -> str:
    """The label of a copy's version (preprint, accepted manuscript, published version); '' when unknown."""
    return str(VERSIONS[version]) if version in VERSIONS else ""


def facet_label(name: str, value: str, names: dict[str, Any]) -> str:
    """The label of one facet value; ``names`` maps institution slugs and repository ids to names."""
    if name == "institution":
        return str(names.get(("institution", value), value))  # type: ignore[call-overload]
    if name == "repository":
        return str(names.get(("repository", value), value))  # type: ignore[call-overload]
    if name == "language":
        return language_name(value)
    if name == "type":
        return type_label(value)
    if name == "discipline":
        return discipline_name(value)
    if name == "fulltext":
        return gettext("With full text") if value == "true" else gettext("Metadata only")
    return value


def pick(values: list[dict[str, Any]] | None, lang: str) -> str:
    """The value of a multilingual list in the visitor's language, else the first one."""
    values = values or []
    want = "zho" if lang == "zh" else "eng"
    for item in values:
        if item.get("lang") == want and item.get("value"):
            return item["value"]
    return values[0]["value"] if values else ""


def human_size(size: int | None) -> str:
    """A byte count for people: 1.2 MB."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


# China's provincial-level divisions: the English (pinyin) form a member may be registered with, and the Chinese.
REGIONS = {
    "Beijing": "北京", "Tianjin": "天津", "Shanghai": "上海", "Chongqing": "重庆", "Hebei": "河北", "Shanxi": "山西",
    "Liaoning": "辽宁", "Jilin": "吉林", "Heilongjiang": "黑龙江", "Jiangsu": "江苏", "Zhejiang": "浙江",
    "Anhui": "安徽", "Fujian": "福建", "Jiangxi": "江西", "Shandong": "山东", "Henan": "河南", "Hubei": "湖北",
    "Hunan": "湖南", "Guangdong": "广东", "Hainan": "海南", "Sichuan": "四川", "Guizhou": "贵州", "Yunnan": "云南",
    "Shaanxi": "陕西", "Gansu": "甘肃", "Qinghai": "青海", "Taiwan": "台湾", "Inner Mongolia": "内蒙古",
    "Guangxi": "广西", "Tibet": "西藏", "Xizang": "西藏", "Ningxia": "宁夏", "Xinjiang": "新疆", "Hong Kong": "香港",
    "Macao": "澳门", "Macau": "澳门",
}
_REGION_EN = {zh: en for en, zh in REGIONS.items() if en not in ("Xizang", "Macau")}
_REGION_SUFFIXES = ("省", "市", "特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区")
_REGION_EN_SUFFIXES = (" Province", " Municipality", " SAR", " Autonomous Region")


def region_name(region: str, lang: str | None = None) -> str:
    """A member's province or region in ``lang`` (the visitor's language by default): a Chinese
    provincial-level division is shown in Chinese or English whichever form it was registered in;
    any other region is shown as registered."""
    lang = lang or str(get_locale() or "zh")[:2]
    value = (region or "").strip()
    zh = REGIONS.get(value) or REGIONS.get(_strip(value, _REGION_EN_SUFFIXES).title())
    if zh is None:
        short = _strip(value, _REGION_SUFFIXES)
        zh = short if short in _REGION_EN else None
    if zh is None:
        return value
    return zh if lang == "zh" else _REGION_EN[zh]


def _strip(value: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


# Identifier schemes of a record (meta.identifiers[].scheme) as a record page labels them.
IDENTIFIER_SCHEMES = {
    "handle": lazy_gettext("Handle"), "hdl": lazy_gettext("Handle"), "urn": lazy_gettext("URN"), "isbn": lazy_gettext("ISBN"),
    "issn": lazy_gettext("ISSN"), "uri": lazy_gettext("Link"), "url": lazy_gettext("Link"),
    "arxiv": lazy_gettext("arXiv"), "pmid": lazy_gettext("PubMed ID"), "pmcid": lazy_gettext("PubMed Central ID"),
    "ark": lazy_gettext("ARK"), "doi": lazy_gettext("DOI"), "local": lazy_gettext("Local identifier"),
    "other": lazy_gettext("Other identifier"),
}
# Fields of the query language (hub.search.query.FIELDS) as the help page names them.
SEARCH_FIELDS = {
    "title": lazy_gettext("title"), "author": lazy_gettext("author"), "subject": lazy_gettext("subject"),
    "abstract": lazy_gettext("abstract"), "identifier": lazy_gettext("identifier"), "year": lazy_gettext("year"),
}


def identifier_label(scheme: str) -> str:
    """The label of an identifier scheme in the visitor's language (the scheme as given when unknown)."""
    return str(IDENTIFIER_SCHEMES.get((scheme or "").lower(), scheme or gettext("Identifier")))


def field_label(field: str) -> str:
    """The name of a search field (title, author, ...) in the visitor's language."""
    return str(SEARCH_FIELDS.get(field, field))


def site_name(settings: Any, lang: str) -> str:
    """The hub's name in ``lang``: SITE_NAME_ZH on the Chinese portal, SITE_NAME_EN (else
    REPOSITORY_NAME, the name OAI-PMH Identify announces) on the English one."""
    if lang == "zh" and settings.get("SITE_NAME_ZH"):
        return str(settings["SITE_NAME_ZH"])
    return str(settings.get("SITE_NAME_EN") or settings["REPOSITORY_NAME"])
