"""Subjects that mean the same in Chinese and English: one concept, one facet value, a label per language.

Members describe the same subject in either language (计算机科学 in one repository, "Computer
science" or "Computer Science" in another). The search index stores a subject's *canonical*
form (:func:`canonical_subject`) in the subject facet, so the facet counts each concept once
per record, a filter on any spelling finds them all (:func:`subject_variants`), and the portal
shows the concept in the visitor's language (:func:`subject_label`); a search that found nothing
suggests the vocabulary's names close to what was typed (:func:`similar_subjects`).

The concepts are the names of the discipline catalogue (categories and first-level
disciplines, :mod:`hub.normalise.disciplines`) and :data:`PAIRS`, common subject words with
their English equivalent. Words are compared in :func:`~hub.normalise.disciplines.normalise_word`
form (NFKC, case folded, whitespace collapsed). A subject outside the vocabulary stays as
harvested (trimmed, whitespace collapsed).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from hub.normalise.disciplines import CATEGORIES, DISCIPLINES, normalise_word

# (Chinese, English, other English spellings...) of subject words members use that are not
# catalogue names themselves.
PAIRS: tuple[tuple[str, ...], ...] = (
    ("计算机科学", "Computer Science", "Computing Science"),
    ("人工智能", "Artificial Intelligence", "AI"),
    ("机器学习", "Machine Learning"),
    ("深度学习", "Deep Learning"),
    ("数据挖掘", "Data Mining"),
    ("自然语言处理", "Natural Language Processing", "NLP"),
    ("计算机视觉", "Computer Vision"),
    ("大数据", "Big Data"),
    ("环境科学", "Environmental Science", "Environmental Sciences"),
    ("材料科学", "Materials Science", "Material Science"),
    ("图书馆学", "Library Science", "Librarianship"),
    ("信息科学", "Information Science"),
    ("农学", "Agriculture", "Agronomy"),
    ("医学", "Medicine", "Medical Science"),
    ("历史学", "History"),
    ("经济学", "Economics"),
    ("生物学", "Biology", "Biological Sciences"),
    ("化学", "Chemistry"),
    ("物理学", "Physics"),
    ("数学", "Mathematics", "Maths"),
    ("统计学", "Statistics"),
    ("心理学", "Psychology"),
    ("社会学", "Sociology"),
    ("语言学", "Linguistics"),
    ("教育学", "Education", "Pedagogy"),
    ("交通运输工程", "Transportation Engineering", "Transport Engineering"),
    ("气候变化", "Climate Change"),
    ("可持续发展", "Sustainable Development", "Sustainability"),
    ("生态学", "Ecology"),
    ("遥感", "Remote Sensing"),
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Concept:
    """A subject in both languages; ``zh`` is its canonical form (the facet value)."""

    zh: str
    en: str

    def label(self, lang: str) -> str:
        """The name in ``lang`` ('zh' or 'en')."""
        return self.zh if lang == "zh" else self.en


def _build() -> tuple[dict[str, Concept], dict[str, Concept]]:
    """(normalised word -> concept, canonical form -> concept); the first concept of a word wins."""
    by_word: dict[str, Concept] = {}
    by_key: dict[str, Concept] = {}
    entries = [(zh, en) for zh, en, *_ in PAIRS] + list(CATEGORIES.values()) + list(DISCIPLINES.values())
    aliases = {zh: rest for zh, _en, *rest in PAIRS}
    for zh, en in entries:
        concept = by_key.get(zh)
        if concept is None:
            concept = by_key[zh] = Concept(zh, en)
        for word in (zh, en, *aliases.get(zh, ())):
            by_word.setdefault(normalise_word(word), concept)
    return by_word, by_key


_BY_WORD, _BY_KEY = _build()


def concept_of(subject: str) -> Concept | None:
    """The bilingual concept a subject names, or None outside the vocabulary."""
    return _BY_WORD.get(normalise_word(subject or ""))


@lru_cache(maxsize=16384)
def canonical_subject(subject: str) -> str:
    """The facet form of a subject: the concept's Chinese name, or the subject itself (whitespace collapsed)."""
    concept = concept_of(subject)
    if concept is not None:
        return concept.zh
    return _SPACE.sub(" ", unicodedata.normalize("NFC", subject or "")).strip()


def subject_variants(subject: str) -> list[str]:
    """Every facet value a filter on ``subject`` matches: its canonical form first, then the spellings
    an index built before subjects were merged may hold (the value as given, the concept's names)."""
    out = [canonical_subject(subject), subject.strip()]
    concept = concept_of(subject)
    if concept is not None:
        out += [concept.en, *next((rest for zh, _en, *rest in PAIRS if zh == concept.zh), ())]
    return [v for v in dict.fromkeys(out) if v]


def subject_label(value: str, lang: str) -> str:
    """A subject facet value as the visitor reads it: the concept's name in ``lang``, else the value."""
    concept = _BY_KEY.get(value) or concept_of(value)
    return concept.label(lang) if concept is not None else value


def similar_subjects(text: str, limit: int = 3) -> list[Concept]:
    """Concepts whose name is ``text`` or close to it (a misspelling: 'enviromental science'), the
    closest first; what a search that found nothing can suggest."""
    word = normalise_word(text or "")
    if not word:
        return []
    exact = _BY_WORD.get(word)
    out = [exact] if exact is not None else []
    for close in difflib.get_close_matches(word, list(_BY_WORD), n=limit * 2, cutoff=0.8):
        concept = _BY_WORD[close]
        if concept not in out:
            out.append(concept)
    return out[:limit]
