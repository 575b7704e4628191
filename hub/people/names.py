"""Person names as the linking compares them: a :class:`NameForm` per creator.

- A name in Chinese characters (``王伟``, ``王 伟``, ``欧阳修``) keeps its Han form and gets its pinyin
  through pypinyin: the family name is the first character, or the first two when they are a compound
  surname (``欧阳`` -> ``ouyang``); a surname read differently as a name (``单`` shan, ``曾`` zeng,
  ``解`` xie...) takes its surname reading. ``王伟`` -> family ``wang``, given ``wei``, key ``wang w``.
- A Latin name: the source's family and given names when it gives them, else the part before a comma
  is the family name (``Wang, Wei``, ``Wang, W.``). Without a comma the order is unknown (``Wei Wang``
  or ``Wang Wei``): both readings are kept, the first being the one whose family name is the more common
  Chinese surname (so ``Wei Wang`` and ``Wang Wei`` both read ``wang w`` first), or the Western order
  (last word the family name) when neither word is a Chinese surname.
- ``initials``: the given name is only initials (``Wang, W.``, ``Wang X.-M.``): weaker evidence.

Every form is folded: lower case, accents removed, family names without spaces or hyphens
(``Ou-Yang`` -> ``ouyang``), given names without them either (``Xiao-Ming`` -> ``xiaoming``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from hub.normalise.languages import has_han

# Compound surnames (复姓) and their readings.
COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "ouyang", "司马": "sima", "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang", "皇甫": "huangfu",
    "尉迟": "yuchi", "公孙": "gongsun", "慕容": "murong", "长孙": "zhangsun", "宇文": "yuwen", "司徒": "situ",
    "令狐": "linghu", "夏侯": "xiahou", "端木": "duanmu", "西门": "ximen", "南宫": "nangong", "澹台": "tantai",
    "轩辕": "xuanyuan", "独孤": "dugu", "呼延": "huyan", "万俟": "moqi", "闻人": "wenren", "申屠": "shentu",
    "司空": "sikong", "钟离": "zhongli", "宗政": "zongzheng", "公冶": "gongye", "太史": "taishi", "百里": "baili",
}
# Single-character surnames whose surname reading differs from pypinyin's first reading.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha", "盖": "ge",
    "乐": "yue", "覃": "qin", "秘": "bi", "翟": "zhai", "缪": "miao", "种": "chong", "隗": "wei", "郇": "xun",
    "员": "yun", "召": "shao", "繁": "po", "过": "guo", "沈": "shen", "重": "chong", "便": "pian", "折": "she",
    "车": "che", "那": "na", "禚": "zhuo", "尉": "yu", "句": "gou", "能": "nai", "长": "chang", "藏": "zang",
}
# Chinese surnames in pinyin, most common first (the first ~120 cover nine in ten people).
COMMON_SURNAMES: tuple[str, ...] = (
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
    "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng",
    "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng", "wei", "su", "lu",
    "ding", "ren", "shen", "yao", "jin", "fu", "zhong", "cui", "tan", "liao", "fan", "wan", "shi", "qian", "dai",
    "xia", "qiu", "fang", "hou", "zou", "xiong", "meng", "qin", "bai", "jia", "yan", "xue", "mao", "hao", "gu",
    "gong", "shao", "wen", "duan", "lei", "kong", "qi", "mo", "long", "tao", "huo", "niu", "kang", "yin", "chang",
    "bao", "lai", "zhan", "kuang", "geng", "ou", "ni", "yi", "hong", "zuo", "shu", "lan", "mu", "ke", "qu", "ge",
    "ji", "ning", "zhuang", "bian", "hua", "ruan", "pang", "ai", "an", "chu", "diao", "rong", "ouyang", "sima",
    "zhuge", "shangguan", "dongfang", "huangfu", "situ", "murong", "linghu", "xiahou",
)
SURNAME_RANK: dict[str, int] = {name: rank for rank, name in enumerate(COMMON_SURNAMES)}
_SEPARATORS = re.compile(r"[\s\-‐‑–·・.．]+")


@dataclass(frozen=True)
class Reading:
    """One reading of a name: folded family name and given name (or initials)."""

    family: str
    given: str  # folded, without spaces: "wei", "xiaoming"; initials only: "w", "xm"
    initials: bool = False

    @property
    def key(self) -> str:
        """The blocking key: family name and first initial (``wang w``); the family alone without a given."""
        return f"{self.family} {self.given[0]}" if self.given else self.family

    @property
    def full(self) -> str:
        """The full form (``wang wei``), ``""`` when the given name is only initials or missing."""
        return f"{self.family} {self.given}" if self.given and not self.initials else ""


@dataclass(frozen=True)
class NameForm:
    """What linking compares of a creator's name: its readings (the first is the key) and its Han form."""

    readings: tuple[Reading, ...]
    han: str = ""  # the name in Chinese characters without spaces, when written so

    @property
    def key(self) -> str:
        """The blocking key of the first reading (``""`` for an unusable name)."""
        return self.readings[0].key if self.readings else ""

    @property
    def primary(self) -> Reading | None:
        """The first reading."""
        return self.readings[0] if self.readings else None


def fold(text: str) -> str:
    """Lower case, accents removed, only letters and single spaces kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = [c if c.isalpha() else " " for c in decomposed if not unicodedata.combining(c)]
    return " ".join("".join(kept).split())


def _given_of(text: str) -> tuple[str, bool]:
    """Folded given name without separators, and whether it is only initials (``X.-M.`` -> ``xm``)."""
    raw = [p for p in _SEPARATORS.split(unicodedata.normalize("NFKC", text).strip()) if fold(p)]
    parts = [fold(p).replace(" ", "") for p in raw]
    if not parts:
        return "", False
    # "W", "X.-M."; a lone "XM" written in capitals is initials too
    initials = all(len(p) == 1 for p in parts) or (len(raw) == 1 and len(raw[0]) == 2 and raw[0].isupper())
    return "".join(parts), initials


def _reading(family: str, given: str) -> Reading | None:
    folded = fold(family).replace(" ", "")
    if not folded:
        return None
    given_folded, initials = _given_of(given)
    return Reading(folded, given_folded, initials)


def _syllables(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore"))


@lru_cache(maxsize=131072)
def han_form(text: str, family_hint: str = "") -> NameForm:
    """The form of a name written in Chinese characters (see the module docstring)."""
    compact = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum())
    if not compact:
        return NameForm(())
    hint = "".join(c for c in unicodedata.normalize("NFKC", family_hint) if c.isalnum())
    if hint and has_han(hint) and compact.startswith(hint) and len(hint) < len(compact):
        family_han = hint
    elif compact[:2] in COMPOUND_SURNAMES and len(compact) > 2:
        family_han = compact[:2]
    else:
        family_han = compact[:1]
    family = (COMPOUND_SURNAMES.get(family_han) or SURNAME_READINGS.get(family_han)
              or _syllables(family_han))
    given = _syllables(compact[len(family_han):])
    if not family or not family.isascii():
        return NameForm((), compact)
    return NameForm((Reading(family, given),), compact)


def _may_be_family(word: str) -> bool:
    """A word that can be a family name: not initials (``X.-M.``, ``W.``, ``XM``)."""
    given, initials = _given_of(word)
    return len(given) > 1 and not initials


def _rank(reading: Reading) -> int:
    return SURNAME_RANK.get(reading.family, len(SURNAME_RANK))


@lru_cache(maxsize=131072)
def latin_form(name: str, family: str = "", given: str = "") -> NameForm:
    """The form of a Latin name (see the module docstring)."""
    if family:
        reading = _reading(family, given)
        return NameForm((reading,) if reading else ())
    text = unicodedata.normalize("NFKC", name)
    if "," in text:
        head, _, tail = text.partition(",")
        reading = _reading(head, tail)
        return NameForm((reading,) if reading else ())
    words = [w for w in text.split() if fold(w)]
    if not words:
        return NameForm(())
    if len(words) == 1:
        reading = _reading(words[0], "")
        return NameForm((reading,) if reading else ())
    western = _reading(words[-1], " ".join(words[:-1])) if _may_be_family(words[-1]) else None
    eastern = _reading(words[0], " ".join(words[1:])) if _may_be_family(words[0]) else None
    found = [r for r in (western, eastern) if r is not None]
    if len(found) == 2 and found[0] == found[1]:
        found = found[:1]
    if len(found) == 2 and _rank(found[1]) < _rank(found[0]):
        found.reverse()
    return NameForm(tuple(found))


def name_form(name: str, family: str = "", given: str = "") -> NameForm:
    """The form of any creator's name: Han when it holds Chinese characters, else Latin."""
    if has_han(name):
        return han_form(name, family if has_han(family) else "")
    if has_han(family):
        return han_form(family + given, family)
    return latin_form(name, family, given)
