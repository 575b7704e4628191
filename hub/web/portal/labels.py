"""Display labels of facet values and metadata codes, in the visitor's language."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext, lazy_gettext

from hub.normalise.disciplines import category_of, discipline_label

# ISO 639-3 codes the members use most; others are shown as the code.
LANGUAGES = {
    "zho": lazy_gettext("Chinese"), "eng": lazy_gettext("English"), "jpn": lazy_gettext("Japanese"),
    "kor": lazy_gettext("Korean"), "fra": lazy_gettext("French"), "deu": lazy_gettext("German"),
    "rus": lazy_gettext("Russian"), "spa": lazy_gettext("Spanish"), "und": lazy_gettext("Undetermined"),
}
# COAR resource type labels (English, as the normaliser stores them).
TYPES = {
    "journal article": lazy_gettext("journal article"), "doctoral thesis": lazy_gettext("doctoral thesis"),
    "master thesis": lazy_gettext("master thesis"), "bachelor thesis": lazy_gettext("bachelor thesis"),
    "conference paper": lazy_gettext("conference paper"), "conference object": lazy_gettext("conference object"),
    "book": lazy_gettext("book"), "book part": lazy_gettext("book part"), "report": lazy_gettext("report"),
    "preprint": lazy_gettext("preprint"), "dataset": lazy_gettext("dataset"), "patent": lazy_gettext("patent"),
    "review article": lazy_gettext("review article"), "thesis": lazy_gettext("thesis"),
    "working paper": lazy_gettext("working paper"), "other": lazy_gettext("other"),
    "research article": lazy_gettext("research article"), "lecture": lazy_gettext("lecture"),
    "text": lazy_gettext("text"), "image": lazy_gettext("image"), "software": lazy_gettext("software"),
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
    """The name of an ISO 639-3 language code (the code itself when unknown)."""
    return str(LANGUAGES.get(code, code))


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
        return names.get(("institution", value), value)
    if name == "repository":
        return names.get(("repository", value), value)
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
