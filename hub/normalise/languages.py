"""Languages: codes and names to ISO 639-3, and a cheap script-based language guess.

``language_code`` understands ISO 639-1 (``zh``), ISO 639-2/B (``chi``) and 639-2/T or 639-3
(``zho``) codes, BCP 47 / POSIX locale forms (``zh-CN``, ``zh_TW``, ``zh-Hans``, ``en_US``) and
language names in English and Chinese (``Chinese``, ``中文``, ``汉语``, ``English``, ``英文``).

``detect_language`` is deliberately conservative: text that is mostly CJK is ``zho`` (``jpn``
when it carries kana, ``kor`` when it carries Hangul); Latin text is ``eng`` only when it is
clearly English (enough English function words); anything else is ``''`` (unknown). A wrong
language is worse than none: it picks the wrong search analyser and the wrong portal label.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (ISO 639-1, ISO 639-3, English name, other names...) for the languages the network meets.
_LANGUAGES: tuple[tuple[str, ...], ...] = (
    ("zh", "zho", "chinese", "中文", "汉语", "漢語", "华语", "華語", "普通话", "简体中文", "繁体中文",
     "繁體中文", "中文简体", "中文繁体", "mandarin", "simplified chinese", "traditional chinese", "cmn"),
    ("en", "eng", "english", "英文", "英语", "英語"),
    ("ja", "jpn", "japanese", "日文", "日语", "日語", "日本語"),
    ("ko", "kor", "korean", "韩文", "韩语", "韓語", "朝鲜语", "朝鮮語", "한국어"),
    ("fr", "fra", "french", "法文", "法语", "français", "francais"),
    ("de", "deu", "german", "德文", "德语", "deutsch"),
    ("es", "spa", "spanish", "西班牙语", "西班牙文", "español", "espanol", "castilian"),
    ("pt", "por", "portuguese", "葡萄牙语", "葡萄牙文", "português", "portugues"),
    ("it", "ita", "italian", "意大利语", "意大利文", "italiano"),
    ("ru", "rus", "russian", "俄文", "俄语", "русский"),
    ("ar", "ara", "arabic", "阿拉伯语", "阿拉伯文"),
    ("nl", "nld", "dutch", "flemish", "荷兰语", "nederlands"),
    ("sv", "swe", "swedish", "瑞典语", "svenska"),
    ("da", "dan", "danish", "丹麦语", "dansk"),
    ("no", "nor", "norwegian", "挪威语", "norsk"),
    ("nb", "nob", "norwegian bokmål", "norwegian bokmal", "bokmål"),
    ("nn", "nno", "norwegian nynorsk", "nynorsk"),
    ("fi", "fin", "finnish", "芬兰语", "suomi"),
    ("is", "isl", "icelandic", "冰岛语"),
    ("pl", "pol", "polish", "波兰语", "polski"),
    ("cs", "ces", "czech", "捷克语", "čeština"),
    ("sk", "slk", "slovak", "斯洛伐克语"),
    ("sl", "slv", "slovenian", "slovene", "斯洛文尼亚语"),
    ("hr", "hrv", "croatian", "克罗地亚语"),
    ("sr", "srp", "serbian", "塞尔维亚语"),
    ("bs", "bos", "bosnian"),
    ("mk", "mkd", "macedonian", "马其顿语"),
    ("bg", "bul", "bulgarian", "保加利亚语"),
    ("ro", "ron", "romanian", "moldavian", "罗马尼亚语"),
    ("hu", "hun", "hungarian", "匈牙利语", "magyar"),
    ("el", "ell", "greek", "modern greek", "希腊语"),
    ("tr", "tur", "turkish", "土耳其语", "türkçe"),
    ("uk", "ukr", "ukrainian", "乌克兰语"),
    ("be", "bel", "belarusian", "白俄罗斯语"),
    ("lt", "lit", "lithuanian", "立陶宛语"),
    ("lv", "lav", "latvian", "拉脱维亚语"),
    ("et", "est", "estonian", "爱沙尼亚语"),
    ("sq", "sqi", "albanian", "阿尔巴尼亚语"),
    ("hy", "hye", "armenian", "亚美尼亚语"),
    ("ka", "kat", "georgian", "格鲁吉亚语"),
    ("az", "aze", "azerbaijani", "阿塞拜疆语"),
    ("kk", "kaz", "kazakh", "哈萨克语", "哈萨克文"),
    ("ky", "kir", "kyrgyz", "kirghiz", "柯尔克孜语", "吉尔吉斯语"),
    ("uz", "uzb", "uzbek", "乌兹别克语"),
    ("tk", "tuk", "turkmen", "土库曼语"),
    ("tg", "tgk", "tajik", "塔吉克语"),
    ("mn", "mon", "mongolian", "蒙古语", "蒙古文", "蒙文"),
    ("ug", "uig", "uyghur", "uighur", "维吾尔语", "维吾尔文", "维文"),
    ("bo", "bod", "tibetan", "藏语", "藏文"),
    ("ii", "iii", "sichuan yi", "nuosu", "彝语", "彝文"),
    ("za", "zha", "zhuang", "壮语", "壮文"),
    ("he", "heb", "hebrew", "希伯来语"),
    ("yi", "yid", "yiddish"),
    ("fa", "fas", "persian", "farsi", "波斯语"),
    ("ps", "pus", "pashto", "普什图语"),
    ("ku", "kur", "kurdish", "库尔德语"),
    ("ur", "urd", "urdu", "乌尔都语"),
    ("hi", "hin", "hindi", "印地语"),
    ("bn", "ben", "bengali", "bangla", "孟加拉语"),
    ("pa", "pan", "punjabi", "panjabi", "旁遮普语"),
    ("gu", "guj", "gujarati"),
    ("mr", "mar", "marathi"),
    ("ne", "nep", "nepali", "尼泊尔语"),
    ("si", "sin", "sinhala", "sinhalese", "僧伽罗语"),
    ("ta", "tam", "tamil", "泰米尔语"),
    ("te", "tel", "telugu"),
    ("kn", "kan", "kannada"),
    ("ml", "mal", "malayalam"),
    ("sa", "san", "sanskrit", "梵语", "梵文"),
    ("th", "tha", "thai", "泰语", "泰文"),
    ("lo", "lao", "lao", "老挝语"),
    ("km", "khm", "khmer", "central khmer", "高棉语", "柬埔寨语"),
    ("my", "mya", "burmese", "缅甸语"),
    ("vi", "vie", "vietnamese", "越南语", "越南文", "tiếng việt"),
    ("id", "ind", "indonesian", "印尼语", "印度尼西亚语", "bahasa indonesia"),
    ("ms", "msa", "malay", "马来语", "bahasa melayu"),
    ("tl", "tgl", "tagalog", "filipino", "他加禄语"),
    ("jv", "jav", "javanese"),
    ("su", "sun", "sundanese"),
    ("sw", "swa", "swahili", "斯瓦希里语"),
    ("am", "amh", "amharic", "阿姆哈拉语"),
    ("so", "som", "somali"),
    ("ha", "hau", "hausa"),
    ("yo", "yor", "yoruba"),
    ("ig", "ibo", "igbo"),
    ("zu", "zul", "zulu"),
    ("xh", "xho", "xhosa"),
    ("af", "afr", "afrikaans", "南非荷兰语"),
    ("ca", "cat", "catalan", "加泰罗尼亚语"),
    ("eu", "eus", "basque", "巴斯克语"),
    ("gl", "glg", "galician", "加利西亚语"),
    ("ga", "gle", "irish", "爱尔兰语"),
    ("gd", "gla", "scottish gaelic", "gaelic"),
    ("cy", "cym", "welsh", "威尔士语"),
    ("lb", "ltz", "luxembourgish"),
    ("mt", "mlt", "maltese", "马耳他语"),
    ("fy", "fry", "western frisian", "frisian"),
    ("la", "lat", "latin", "拉丁语", "拉丁文"),
    ("eo", "epo", "esperanto", "世界语"),
    ("mi", "mri", "maori", "毛利语"),
)

# ISO 639-2/B (bibliographic) codes that differ from their 639-2/T = 639-3 form.
ISO639_2B_TO_3: dict[str, str] = {
    "alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho", "cze": "ces", "dut": "nld",
    "fre": "fra", "geo": "kat", "ger": "deu", "gre": "ell", "ice": "isl", "mac": "mkd", "mao": "mri",
    "may": "msa", "per": "fas", "rum": "ron", "slo": "slk", "tib": "bod", "wel": "cym",
}

ISO639_1_TO_3: dict[str, str] = {row[0]: row[1] for row in _LANGUAGES}
ISO639_1_TO_3.update({"iw": "heb", "in": "ind", "ji": "yid", "mo": "ron"})  # withdrawn 639-1 codes

_NAME_TO_3: dict[str, str] = {name: row[1] for row in _LANGUAGES for name in row[2:]}

# Codes that are valid 639-3 but say nothing useful about the text.
_NO_LANGUAGE = frozenset({"und", "mis", "zxx", "other", "others", "n/a", "na", "none", "unknown", "其他", "其它"})

_SUBTAG_SPLIT_RE = re.compile(r"[-_]")
_ALPHA3_RE = re.compile(r"[a-z]{3}")
_BRACKETED_RE = re.compile(r"\s*[(（\[].*$")


@lru_cache(maxsize=4096)
def language_code(text: str) -> str:
    """The ISO 639-3 code of a language code or name, or ``''`` when it is not recognised.

    ``zh``, ``chi``, ``zho``, ``Chinese``, ``中文``, ``汉语``, ``zh-CN``, ``zh_TW`` -> ``zho``;
    ``en``, ``eng``, ``English``, ``英文``, ``英语``, ``en_US`` -> ``eng``. An unknown three-letter
    alphabetic code is taken to be ISO 639-3 already and returned as is; ``und``/``other`` -> ``''``.
    The individual language Mandarin (``cmn``) is folded into the macrolanguage ``zho``.
    """
    value = " ".join(text.split()).lower()
    if not value or value in _NO_LANGUAGE:
        return ""
    if value in _NAME_TO_3:
        return _NAME_TO_3[value]
    if "(" in value or "（" in value or "[" in value:  # "中文（简体）", "English (US)"
        return language_code(_BRACKETED_RE.sub("", value)) if value[0] not in "([（" else ""
    primary = _SUBTAG_SPLIT_RE.split(value, 1)[0]
    if len(primary) == 2:
        return ISO639_1_TO_3.get(primary, "")
    if len(primary) == 3 and _ALPHA3_RE.fullmatch(primary):
        if primary in _NO_LANGUAGE:
            return ""
        if primary == "cmn":
            return "zho"
        return ISO639_2B_TO_3.get(primary, primary)
    return ""


# --- script-based detection -------------------------------------------------------------

_CJK_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\U00020000-\U0003134f]"
)
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL_RE = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_GREEK_RE = re.compile("[\u0370-\u03ff]")
_TIBETAN_RE = re.compile("[\u0f00-\u0fff]")
_ASCII_WORD_RE = re.compile(r"[a-z]+")

# English function words that are rare as words in the other Latin-script languages we meet.
_ENGLISH_WORDS = frozenset(
    "the of and to for with by from that this these those are was were which we our on an be at "
    "it its as has have been into between using based their there than such can not or".split()
)

_SAMPLE = 300  # characters looked at: enough to tell, cheap on long abstracts
_CJK_SHARE = 0.3  # CJK characters carry a word each: a third of the letters makes a CJK text


def has_han(text: str) -> bool:
    """True when the text contains at least one Han (Chinese) character."""
    return not text.isascii() and _HAN_RE.search(text) is not None


def is_cjk(text: str) -> bool:
    """True when the text is mostly CJK: Han, kana or Hangul make up >= 30% of its letters.

    Only the first 300 characters are looked at. ``基于BERT的文本分类`` is CJK; ``The concept
    of 道 in Laozi`` is not.
    """
    if text.isascii():
        return False
    sample = text[:_SAMPLE]
    cjk = len(_CJK_RE.findall(sample))
    if not cjk:
        return False
    letters = len(_LETTER_RE.findall(sample))
    return cjk >= _CJK_SHARE * letters


def looks_english(text: str) -> bool:
    """True when Latin text is clearly English: >= 3 words, >= 20% of them English function words."""
    words = _ASCII_WORD_RE.findall(text[:_SAMPLE].lower())
    if len(words) < 3:
        return False
    hits = sum(map(_ENGLISH_WORDS.__contains__, words))
    return hits * 5 >= len(words)


def detect_language(text: str) -> str:
    """Guess the ISO 639-3 language of a text from its script, or ``''`` when unsure.

    Mostly CJK -> ``zho`` (``jpn`` if it has kana, ``kor`` if it has Hangul); mostly Greek ->
    ``ell``; mostly Tibetan -> ``bod``; Latin -> ``eng`` only when :func:`looks_english`, else ``''``.
    """
    if not text:
        return ""
    if text.isascii():
        if text.count(" ") < 2:  # fewer than 3 words: cannot tell
            return ""
        return "eng" if looks_english(text) else ""
    sample = text[:_SAMPLE]
    if is_cjk(sample):
        if _KANA_RE.search(sample):
            return "jpn"
        if _HANGUL_RE.search(sample):
            return "kor"
        return "zho"
    letters = len(_LETTER_RE.findall(sample)) or 1
    if len(_GREEK_RE.findall(sample)) * 2 > letters:
        return "ell"
    if len(_TIBETAN_RE.findall(sample)) * 2 > letters:
        return "bod"
    return "eng" if looks_english(sample) else ""
