"""Creator names: ORCID extraction, organisations told from people, family/given splitting.

Rules (see :func:`split_name`):

- an ORCID iD given as a URL (``https://orcid.org/0000-0002-1825-0097``), in brackets
  (``(0000-0002-1825-0097)``, ``[orcid: ...]``) or after ``ORCID:`` is pulled out of the name,
  checked (ISO 7064 MOD 11-2) and kept as the bare 16-character iD;
- a name written in Chinese characters is kept as written in ``name``; when it is a plain 2-4
  character name its family name is the first character, or the first two for a compound
  surname (欧阳, 司马, 诸葛…); names with ``·`` (transliterated or minority names) are not split;
- a Latin ``Family, Given`` name is split at the first comma; trailing particles of the given
  part move to the family name (``Berg, J. van den`` -> family ``van den Berg``, given ``J.``);
  a trailing life-dates element (``Smith, John, 1950-``) and a ``Jr.``-style suffix are dropped
  from the given name;
- a Latin name without a comma (``Zhang San``, ``Mary Smith``, ``MIT Libraries``) is not split:
  its order cannot be known;
- MARC trailing punctuation is trimmed (``Wang, Wei,`` -> ``Wang, Wei``; ``Smith, J.`` keeps its
  period, see :func:`~hub.normalise.text.trim_marc_punctuation`);
- an organisation (:func:`is_organisation_name`) is never split: ``University of California,
  Berkeley``, ``北京大学``, ``World Health Organization``, ``CERN`` keep their whole name as the
  source gave it, with no family or given part, and are marked ``organisation``.

Organisations are recognised by a word that names a body (University, Universidade, Institute,
Instituto, Academy, Laboratory, Hospital, Foundation, Association, Society, Consortium,
Collaboration, Organization, Ministry, Library, Press, Inc, Ltd, GmbH...), by a Chinese, Japanese
or Korean suffix of one (大学, 学院, 研究所, 研究院, 科学院, 中心, 公司, 协会, 学会, 委员会, 实验室,
医院, 图书馆, 出版社, 대학교, 연구소...), by an ``&`` between words (``Johnson & Johnson``), or by a
single all-capital acronym of three to eight letters (``CERN``, ``UNESCO``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from hub.normalise.languages import has_han
from hub.normalise.record import Person
from hub.normalise.text import trim_marc_punctuation

_ORCID_RE = re.compile(
    r"[\[(（<{]?\s*(?:orcid(?:\s*id)?\s*[:：]?\s*)?(?:https?://(?:www\.)?orcid\.org/)?"
    r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])\s*[\])）>}]?",
    re.I,
)
_LIFE_DATES_RE = re.compile(r",\s*(?:b\.\s*|d\.\s*)?\d{4}\s*-?\s*(?:\d{4})?\s*\.?$")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d."})
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la",
     "ter", "ten", "te", "vander", "zu", "y", "bin", "al", "el"}
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 单于 闻人 "
    "澹台 公冶 宗政 濮阳 淳于 太叔 申屠 仲孙 赫连 万俟 东郭 南宫 西门 呼延 端木 百里 "
    "歐陽 司馬 諸葛 東方 尉遲 長孫 鍾離 濮陽".split()
)
_HAN_NAME_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}")
_TRIM = " ,;，；|-–"
# words that name a body whatever the form of the name
_ORGANISATION_WORDS = frozenset(
    """university universities universidade universidad université universite universität universitat
    università universita universiteit universitet uniwersytet univerzita yliopisto univ institute
    institutes institut instituto istituto instytut academy academia académie academie akademie akademia
    accademia laboratory laboratories laboratorio laboratoire laboratorium department dept faculty
    faculdade facultad faculté fakultät zentrum hospital hôpital klinikum foundation fundação fundacion
    fundación fondation stiftung society sociedade sociedad société gesellschaft association associação
    asociación associazione verband verein consortium organization organisation organização organización
    organizzazione ministry ministério ministerio ministère ministerium bibliothek biblioteca bibliothèque
    corporation corp companhia compañía inc incorporated ltd llc plc gmbh collaboration observatory""".split()
)
# words that name a body too, but are also family names (``Press, William H.``): they count only
# in a name without a comma (``MIT Press``)
_ORGANISATION_WEAK_WORDS = frozenset(
    """college colegio collège school schule escola escuela école ecole centre center centro clinic
    klinik council committee commission comité agency government governo gobierno bureau office library
    libraries museum museu museo musée company limited ag co. network group team project initiative
    federation union board trust authority press publishing publishers editora verlag service
    services""".split()
)
_ORGANISATION_SUFFIXES = (
    "大学", "大學", "学院", "學院", "研究所", "研究院", "科学院", "科學院", "研究中心", "中心", "公司", "集团", "集團",
    "协会", "協會", "学会", "學會", "委员会", "委員會", "实验室", "實驗室", "医院", "醫院", "图书馆", "圖書館",
    "出版社", "基金会", "基金會", "联合会", "聯合會", "政府", "教育部", "研究室", "事務所", "株式会社",
    "대학교", "대학", "연구소", "연구원", "협회", "학회", "병원", "도서관",
)
_ORGANISATION_WORD_RE = re.compile(r"[^\W\d_]+\.?|&", re.UNICODE)
_ACRONYM_RE = re.compile(r"[A-Z][A-Z&]{2,7}")
_PARENTHESISED_RE = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]")


def orcid_checksum_ok(orcid: str) -> bool:
    """True when a ``0000-0000-0000-000X`` ORCID iD has a valid ISO 7064 MOD 11-2 check digit."""
    digits = orcid.replace("-", "")
    if len(digits) != 16:
        return False
    total = 0
    for char in digits[:15]:
        if not char.isdigit():
            return False
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[15].upper() == ("X" if check == 10 else str(check))


def extract_orcid(text: str) -> tuple[str, str]:
    """Split ``text`` into (text without the ORCID iD, the iD) ; ``(text, '')`` when it has none.

    An iD with a bad check digit is left in the text (it is probably something else).
    """
    if "-" not in text:
        return text, ""
    match = _ORCID_RE.search(text)
    if match is None or not orcid_checksum_ok(match[1]):
        return text, ""
    rest = (text[: match.start()] + " " + text[match.end():]).strip(_TRIM)
    return " ".join(rest.split()), match[1].upper()


def is_organisation_name(name: str) -> bool:
    """True when ``name`` names an organisation rather than a person (see the module docstring).

    A parenthesised part is not read (``Zhang, Wei (Tsinghua University)`` is a person with an
    affiliation); a Chinese or Korean name needs two characters before the suffix (``王大学`` is
    a person).
    """
    text = _PARENTHESISED_RE.sub(" ", name).strip() or name.strip()
    if not text:
        return False
    if has_han(text) or any("\uac00" <= char <= "\ud7a3" for char in text):
        return any(suffix in text and len(text) >= len(suffix) + 2 for suffix in _ORGANISATION_SUFFIXES)
    if _ACRONYM_RE.fullmatch(text):
        return True
    comma = "," in text
    words = [word.lower() for word in _ORGANISATION_WORD_RE.findall(text)]
    if not comma and "&" in words and len(words) > 2:
        return True
    for word in words:
        bare = word.rstrip(".")
        if word in _ORGANISATION_WORDS or bare in _ORGANISATION_WORDS:
            return True
        if not comma and (word in _ORGANISATION_WEAK_WORDS or bare in _ORGANISATION_WEAK_WORDS):
            return True
    return False


def _split_han(name: str) -> tuple[str, str]:
    for comma in (",", "，"):
        if comma in name:
            family, _, given = name.partition(comma)
            return family.strip(), given.strip()
    if _HAN_NAME_RE.fullmatch(name):
        if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES:
            return name[:2], name[2:]
        return name[0], name[1:]
    return "", ""


def _split_latin(name: str) -> tuple[str, str]:
    name = _LIFE_DATES_RE.sub("", name)
    family, _, given = name.partition(",")
    family, given = family.strip(), given.strip()
    if "," in given:
        head, _, tail = given.rpartition(",")
        if tail.strip().lower() in _SUFFIXES:
            given = head.strip()
    words = given.split()
    particles: list[str] = []
    while len(words) > 1 and words[-1].lower() in _PARTICLES:
        particles.insert(0, words.pop())
    if particles:
        family = " ".join([*particles, family])
        given = " ".join(words)
    return family, given


@lru_cache(maxsize=8192)
def _name_parts(name: str) -> tuple[str, str, str, str, bool]:
    """(name, family, given, orcid, organisation): cached, as the same people recur across a repository."""
    text = " ".join(name.split())
    text, orcid = extract_orcid(text)
    text = trim_marc_punctuation(text) if text else text
    if not text:
        return "", "", "", orcid, False
    if is_organisation_name(text):
        return text, "", "", orcid, True
    if has_han(text):
        family, given = _split_han(text)
    elif "," in text:
        family, given = _split_latin(text)
    else:
        family, given = "", ""
    return text, family, given, orcid, False


def split_name(name: str) -> Person:
    """A Person from a name as a repository writes it: ORCID pulled out, family/given split.

    See the module docstring for the rules. ``name`` of the result is the source's form with
    whitespace collapsed, the ORCID iD removed and MARC trailing punctuation trimmed; an
    organisation keeps it whole, unsplit, marked ``organisation``. Each call returns a new Person.
    """
    text, family, given, orcid, organisation = _name_parts(name)
    return Person(name=text, family=family, given=given, orcid=orcid, organisation=organisation)
