"""dc:type words to the COAR Resource Types vocabulary (URI + English label).

Understood: English words (``Article``, ``Doctoral thesis``, ``Book chapter``...), Chinese words
(期刊论文, 学位论文, 博士论文, 硕士论文, 会议论文, 专著, 图书, 报告, 数据集, 专利...), the
OpenAIRE ``info:eu-repo/semantics/*`` types, DCMI type URIs and COAR URIs themselves. Values
that are not a resource type (``PeerReviewed``, ``info:eu-repo/semantics/publishedVersion``)
map to nothing.

When a record has several types the most specific one wins (``Text`` < ``Thesis`` <
``Doctoral thesis``; ``Other`` is the weakest); between equally specific types the first wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

COAR_RESOURCE_TYPE = "http://purl.org/coar/resource_type/"

RESOURCE_TYPE_LABELS: dict[str, str] = {
    "c_6501": "journal article", "c_2df8fbb1": "research article", "c_dcae04bc": "review article",
    "c_545b": "letter to the editor", "c_b239": "editorial", "c_beb9": "data paper",
    "c_3e5a": "contribution to journal", "c_998f": "newspaper article", "c_ba08": "book review",
    "c_2f33": "book", "c_3248": "book part", "c_86bc": "bibliography", "c_816b": "preprint",
    "c_8042": "working paper", "c_71bd": "technical documentation", "c_93fc": "report",
    "c_18gh": "technical report", "c_18ws": "research report", "c_18ww": "internal report",
    "c_186u": "policy report", "c_18op": "project deliverable", "c_ba1f": "report part",
    "c_baaf": "research proposal", "c_efa0": "review", "c_15cd": "patent",
    "c_5794": "conference paper", "c_f744": "conference proceedings", "c_6670": "conference poster",
    "c_c94f": "conference object", "c_46ec": "thesis", "c_db06": "doctoral thesis",
    "c_bdcc": "master thesis", "c_7a1f": "bachelor thesis", "c_0857": "letter", "c_8544": "lecture",
    "c_1162": "annotation", "c_0040": "manuscript", "c_26e4": "interview", "c_e059": "learning object",
    "c_18cf": "text", "c_18cc": "sound", "c_18cd": "musical composition", "c_18cw": "musical notation",
    "c_12ce": "video", "c_8a7e": "moving image", "c_ecc8": "still image", "c_c513": "image",
    "c_12cd": "map", "c_12cc": "cartographic material", "c_5ce6": "software", "c_ddb1": "dataset",
    "c_e9a0": "interactive resource|interactiveresource", "c_7ad9": "website", "c_393c": "workflow", "c_1843": "other",
}

# Specificity: other 0 < text 1 < broad classes 2 < everything else 3.
_SPECIFICITY: dict[str, int] = {"c_1843": 0, "c_18cf": 1, **dict.fromkeys(
    ("c_46ec", "c_93fc", "c_c94f", "c_c513", "c_8a7e", "c_3e5a", "c_efa0", "c_12cc"), 2)}

_WORDS: dict[str, str] = {}
for _code, _words in {
    "c_6501": "article|journal article|journal paper|journal articles|articles|期刊论文|期刊文章|期刊|"
              "学术论文|学术期刊论文|journalarticle",
    "c_2df8fbb1": "research article|研究论文|原创论文",
    "c_dcae04bc": "review article|综述|综述论文|综述文章",
    "c_545b": "letter to the editor", "c_b239": "editorial|社论",
    "c_beb9": "data paper|数据论文", "c_3e5a": "contribution to journal|contribution to periodical|"
                                                "contributiontoperiodical",
    "c_998f": "newspaper article|报纸文章|报纸", "c_ba08": "book review|书评",
    "c_2f33": "book|books|monograph|edited book|专著|图书|著作|书籍|编著|译著|教材",
    "c_3248": "book chapter|chapter|book part|book section|part of book|bookpart|incollection|inbook|"
              "图书章节|章节|专著章节|析出文献",
    "c_86bc": "bibliography|书目", "c_816b": "preprint|pre-print|预印本",
    "c_8042": "working paper|working papers|discussion paper|workingpaper|工作论文",
    "c_71bd": "technical documentation|manual|技术文档",
    "c_93fc": "report|reports|报告", "c_18gh": "technical report|techreport|技术报告",
    "c_18ws": "research report|研究报告|调研报告", "c_18ww": "internal report",
    "c_186u": "policy report|政策报告", "c_18op": "project deliverable", "c_ba1f": "report part",
    "c_baaf": "research proposal", "c_efa0": "review|评论",
    "c_15cd": "patent|patents|专利|发明专利|实用新型专利|外观设计专利",
    "c_5794": "conference paper|conference contribution|proceedings paper|conference article|"
              "paper in conference proceedings|inproceedings|会议论文|会议文章",
    "c_f744": "conference proceedings|proceedings|会议录|会议论文集",
    "c_6670": "conference poster|poster|会议海报|海报",
    "c_c94f": "conference object|conference output|conference item|conferenceobject|"
              "conference presentation|presentation|会议|会议报告",
    "c_46ec": "thesis|theses|dissertation|学位论文|毕业论文|thesis or dissertation",
    "c_db06": "doctoral thesis|phd thesis|ph.d. thesis|doctoral dissertation|phd dissertation|"
              "doctoralthesis|博士论文|博士学位论文|thesis (ph.d.)|thesis (phd)",
    "c_bdcc": "master thesis|masters thesis|master's thesis|master's dissertation|"
              "masterthesis|硕士论文|硕士学位论文|thesis (masters)|thesis (master's)",
    "c_7a1f": "bachelor thesis|bachelor's thesis|undergraduate thesis|honours thesis|"
              "bachelorthesis|学士论文|学士学位论文|本科论文|本科毕业论文",
    "c_0857": "letter|信函", "c_8544": "lecture|讲座|讲义", "c_1162": "annotation",
    "c_0040": "manuscript|手稿", "c_26e4": "interview|访谈",
    "c_e059": "learning object|teaching resource|courseware|课件|教学资源",
    "c_18cf": "text|文本", "c_18cc": "sound|audio|音频|录音",
    "c_18cd": "musical composition|乐曲", "c_18cw": "musical notation|score|乐谱",
    "c_12ce": "video|film|视频|影片", "c_8a7e": "moving image|movingimage|动态图像",
    "c_ecc8": "still image|stillimage|photograph|照片", "c_c513": "image|picture|figure|图片|图像",
    "c_12cd": "map|地图", "c_12cc": "cartographic material", "c_5ce6": "software|computer program|软件",
    "c_ddb1": "dataset|data set|datasets|data|数据集|数据|科学数据", "c_e9a0": "interactive resource|interactiveresource",
    "c_7ad9": "website|web page|网站", "c_393c": "workflow",
    "c_1843": "other|others|misc|其他|其它",
}.items():
    for _word in _words.split("|"):
        _WORDS[_word] = _code

# Fallback for phrases not in the table: the first keyword found decides.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("博士", "c_db06"), ("硕士", "c_bdcc"), ("学士", "c_7a1f"), ("本科", "c_7a1f"),
    ("学位论文", "c_46ec"), ("会议论文", "c_5794"), ("会议", "c_c94f"), ("期刊", "c_6501"),
    ("专利", "c_15cd"), ("报告", "c_93fc"), ("数据", "c_ddb1"), ("章节", "c_3248"),
    ("doctoral", "c_db06"), ("phd", "c_db06"), ("ph.d", "c_db06"), ("master", "c_bdcc"),
    ("bachelor", "c_7a1f"), ("thesis", "c_46ec"), ("dissertation", "c_46ec"),
    ("conference paper", "c_5794"), ("proceedings", "c_f744"), ("conference", "c_c94f"),
    ("chapter", "c_3248"), ("working paper", "c_8042"), ("preprint", "c_816b"),
    ("technical report", "c_18gh"), ("report", "c_93fc"), ("article", "c_6501"),
    ("patent", "c_15cd"), ("dataset", "c_ddb1"), ("software", "c_5ce6"), ("video", "c_12ce"),
)
_EU_REPO = "info:eu-repo/semantics/"
_DCMI = ("http://purl.org/dc/dcmitype/", "https://purl.org/dc/dcmitype/")
_COAR_URI_RE = re.compile(r"https?://purl\.org/coar/resource_type/([A-Za-z0-9_-]+)/?")
_SEPARATORS_RE = re.compile(r"[\s_]+")


@lru_cache(maxsize=4096)
def coar_code(word: str) -> str | None:
    """The COAR resource-type code (``c_6501``...) of one dc:type value, or None."""
    text = _SEPARATORS_RE.sub(" ", word).strip().rstrip(".").lower()
    if not text:
        return None
    if text in _WORDS:
        return _WORDS[text]
    if text.startswith(_EU_REPO):
        return _WORDS.get(text[len(_EU_REPO):])
    if text.startswith(_DCMI):
        return _WORDS.get(text.rpartition("/")[2])
    match = _COAR_URI_RE.fullmatch(word.strip())
    if match:
        return match[1]
    for keyword, code in _KEYWORDS:
        if keyword in text:
            return code
    return None


def coar_type(words: list[str]) -> tuple[str, str] | None:
    """The COAR (URI, English label) of the most specific of a record's dc:type values, or None."""
    best: str | None = None
    best_rank = -1
    for word in words:
        code = coar_code(word)
        if code is None:
            continue
        rank = _SPECIFICITY.get(code, 3)
        if rank > best_rank:
            best, best_rank = code, rank
    if best is None:
        return None
    return COAR_RESOURCE_TYPE + best, RESOURCE_TYPE_LABELS.get(best, "")
