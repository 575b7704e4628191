"""Subjects to the Chinese discipline catalogue (学位授予和人才培养学科目录, 2022 edition).

The catalogue has 14 categories (学科门类, two-digit codes ``01`` 哲学 ... ``14`` 交叉学科) and,
under them, first-level disciplines (一级学科, four-digit codes such as ``0812``
计算机科学与技术 Computer Science and Technology). :data:`CATEGORIES` and :data:`DISCIPLINES`
hold both with their Chinese and English names.

:func:`disciplines_for` maps a record's subject words to discipline codes:

- a subject equal (after NFKC, case folding and whitespace collapsing) to a discipline name, a
  category name or a keyword of :data:`KEYWORDS` gives that code;
- otherwise the longest keyword contained in the subject gives its code (Chinese keywords of two
  or more characters anywhere in the text; English keywords as whole words);
- a Chinese Library Classification number (中图分类号, ``TP391.4``) gives the discipline of its
  class prefix (:data:`CLC_PREFIXES`, longest prefix wins).

Codes are returned in the order first found, without duplicates; a category code (``09``) is
used where a word names a whole category (农学 Agronomy).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CATEGORIES: dict[str, tuple[str, str]] = {
    "01": ("哲学", "Philosophy"), "02": ("经济学", "Economics"), "03": ("法学", "Law"),
    "04": ("教育学", "Education"), "05": ("文学", "Literature"), "06": ("历史学", "History"),
    "07": ("理学", "Science"), "08": ("工学", "Engineering"), "09": ("农学", "Agriculture"),
    "10": ("医学", "Medicine"), "11": ("军事学", "Military Science"), "12": ("管理学", "Management"),
    "13": ("艺术学", "Art"), "14": ("交叉学科", "Interdisciplinary Studies"),
}

DISCIPLINES: dict[str, tuple[str, str]] = {
    "0101": ("哲学", "Philosophy"),
    "0201": ("理论经济学", "Theoretical Economics"), "0202": ("应用经济学", "Applied Economics"),
    "0301": ("法学", "Law"), "0302": ("政治学", "Political Science"), "0303": ("社会学", "Sociology"),
    "0304": ("民族学", "Ethnology"), "0305": ("马克思主义理论", "Marxist Theory"),
    "0401": ("教育学", "Education"), "0402": ("心理学", "Psychology"),
    "0403": ("体育学", "Physical Education and Sport Science"),
    "0501": ("中国语言文学", "Chinese Language and Literature"),
    "0502": ("外国语言文学", "Foreign Languages and Literatures"),
    "0503": ("新闻传播学", "Journalism and Communication"),
    "0601": ("考古学", "Archaeology"), "0602": ("中国史", "Chinese History"), "0603": ("世界史", "World History"),
    "0701": ("数学", "Mathematics"), "0702": ("物理学", "Physics"), "0703": ("化学", "Chemistry"),
    "0704": ("天文学", "Astronomy"), "0705": ("地理学", "Geography"), "0706": ("大气科学", "Atmospheric Science"),
    "0707": ("海洋科学", "Marine Science"), "0708": ("地球物理学", "Geophysics"), "0709": ("地质学", "Geology"),
    "0710": ("生物学", "Biology"), "0711": ("系统科学", "Systems Science"),
    "0712": ("科学技术史", "History of Science and Technology"), "0713": ("生态学", "Ecology"),
    "0714": ("统计学", "Statistics"),
    "0801": ("力学", "Mechanics"), "0802": ("机械工程", "Mechanical Engineering"),
    "0803": ("光学工程", "Optical Engineering"), "0804": ("仪器科学与技术", "Instrument Science and Technology"),
    "0805": ("材料科学与工程", "Materials Science and Engineering"),
    "0806": ("冶金工程", "Metallurgical Engineering"),
    "0807": ("动力工程及工程热物理", "Power Engineering and Engineering Thermophysics"),
    "0808": ("电气工程", "Electrical Engineering"), "0809": ("电子科学与技术", "Electronic Science and Technology"),
    "0810": ("信息与通信工程", "Information and Communication Engineering"),
    "0811": ("控制科学与工程", "Control Science and Engineering"),
    "0812": ("计算机科学与技术", "Computer Science and Technology"), "0813": ("建筑学", "Architecture"),
    "0814": ("土木工程", "Civil Engineering"), "0815": ("水利工程", "Hydraulic Engineering"),
    "0816": ("测绘科学与技术", "Surveying and Mapping"),
    "0817": ("化学工程与技术", "Chemical Engineering and Technology"),
    "0818": ("地质资源与地质工程", "Geological Resources and Geological Engineering"),
    "0819": ("矿业工程", "Mining Engineering"), "0820": ("石油与天然气工程", "Petroleum and Natural Gas Engineering"),
    "0821": ("纺织科学与工程", "Textile Science and Engineering"),
    "0822": ("轻工技术与工程", "Light Industry Technology and Engineering"),
    "0823": ("交通运输工程", "Transportation Engineering"),
    "0824": ("船舶与海洋工程", "Naval Architecture and Ocean Engineering"),
    "0825": ("航空宇航科学与技术", "Aeronautical and Astronautical Science and Technology"),
    "0826": ("兵器科学与技术", "Armament Science and Technology"),
    "0827": ("核科学与技术", "Nuclear Science and Technology"), "0828": ("农业工程", "Agricultural Engineering"),
    "0829": ("林业工程", "Forestry Engineering"),
    "0830": ("环境科学与工程", "Environmental Science and Engineering"),
    "0831": ("生物医学工程", "Biomedical Engineering"), "0832": ("食品科学与工程", "Food Science and Engineering"),
    "0833": ("城乡规划学", "Urban and Rural Planning"), "0835": ("软件工程", "Software Engineering"),
    "0836": ("生物工程", "Bioengineering"), "0837": ("安全科学与工程", "Safety Science and Engineering"),
    "0839": ("网络空间安全", "Cyberspace Security"),
    "0901": ("作物学", "Crop Science"), "0902": ("园艺学", "Horticulture"),
    "0903": ("农业资源与环境", "Agricultural Resources and Environment"), "0904": ("植物保护", "Plant Protection"),
    "0905": ("畜牧学", "Animal Science"), "0906": ("兽医学", "Veterinary Medicine"), "0907": ("林学", "Forestry"),
    "0908": ("水产", "Fisheries"), "0909": ("草学", "Grassland Science"),
    "1001": ("基础医学", "Basic Medicine"), "1002": ("临床医学", "Clinical Medicine"),
    "1003": ("口腔医学", "Stomatology"), "1004": ("公共卫生与预防医学", "Public Health and Preventive Medicine"),
    "1005": ("中医学", "Traditional Chinese Medicine"),
    "1006": ("中西医结合", "Integrated Traditional Chinese and Western Medicine"), "1007": ("药学", "Pharmacy"),
    "1008": ("中药学", "Chinese Materia Medica"), "1011": ("护理学", "Nursing"),
    "1101": ("军事思想与军事历史", "Military Thought and Military History"),
    "1201": ("管理科学与工程", "Management Science and Engineering"), "1202": ("工商管理", "Business Administration"),
    "1203": ("农林经济管理", "Agricultural and Forestry Economics and Management"),
    "1204": ("公共管理", "Public Administration"), "1205": ("信息资源管理", "Information Resources Management"),
    "1301": ("艺术学", "Art Theory"), "1302": ("音乐与舞蹈学", "Music and Dance"),
    "1303": ("戏剧与影视学", "Drama, Film and Television"), "1304": ("美术学", "Fine Arts"),
    "1305": ("设计学", "Design"),
    "1401": ("集成电路科学与工程", "Integrated Circuit Science and Engineering"),
    "1402": ("国家安全学", "National Security Studies"),
}

# Subject words (Chinese and English) that are not a catalogue name themselves.
KEYWORDS: dict[str, str] = {}
for _code, _words in {
    "0101": "哲学|伦理学|逻辑学|美学|philosophy|ethics|logic|aesthetics",
    "02": "经济学|经济|economics|economy",
    "0201": "政治经济学|经济史|西方经济学|political economy|economic history",
    "0202": "金融学|金融|财政学|国际贸易|产业经济学|区域经济学|劳动经济学|finance|banking|public finance|"
            "international trade|industrial economics|regional economics",
    "0301": "法律|民法|刑法|宪法|国际法|诉讼法|经济法|法律史|jurisprudence|legal studies|civil law|criminal law",
    "0302": "国际关系|国际政治|政治|international relations|politics",
    "0303": "人口学|人类学|社会工作|民俗学|demography|anthropology|social work|sociology",
    "0305": "马克思主义|思想政治教育|marxism",
    "0401": "高等教育|教育技术|学前教育|职业教育|教育|pedagogy|higher education|educational technology|teaching",
    "0402": "psychology|心理",
    "0403": "体育|运动训练|sport science|sports|physical education",
    "0501": "汉语|汉语言文字学|中国古代文学|中国现当代文学|语言学|文艺学|古典文献学|chinese literature|linguistics",
    "0502": "英语语言文学|外语|翻译|英语|english literature|translation studies|foreign languages",
    "0503": "新闻学|传播学|新闻|广播电视|journalism|communication studies|media studies",
    "06": "历史学|历史|history",
    "0601": "archaeology|文物|博物馆学",
    "0602": "中国近现代史|中国古代史|历史地理学|chinese history",
    "0701": "应用数学|基础数学|计算数学|运筹学|数学分析|代数|几何|mathematics|applied mathematics|algebra|geometry",
    "0702": "理论物理|凝聚态物理|光学|粒子物理|physics|condensed matter|optics",
    "0703": "有机化学|无机化学|分析化学|物理化学|高分子化学|chemistry|organic chemistry",
    "0704": "天体物理|astronomy|astrophysics",
    "0705": "自然地理学|人文地理学|地理信息系统|地理|gis|geography|geographic information system",
    "0706": "气象学|气候学|大气|meteorology|climatology|atmospheric sciences",
    "0707": "海洋|物理海洋学|oceanography|marine sciences",
    "0709": "地质|geology|geosciences|earth sciences",
    "0710": "生物|遗传学|细胞生物学|微生物学|生物化学|分子生物学|植物学|动物学|biology|genetics|"
            "microbiology|biochemistry|molecular biology|botany|zoology|cell biology|life sciences",
    "0713": "ecology|生态",
    "0714": "statistics|数理统计|概率论|统计|probability",
    "0801": "mechanics|固体力学|流体力学",
    "0802": "机械|机械制造|机械设计|mechanical engineering|manufacturing",
    "0805": "材料科学|材料学|材料|纳米材料|materials science|materials|nanomaterials",
    "0807": "能源|热能|energy engineering|thermal engineering|power engineering",
    "0808": "电力系统|电机|电气|electrical engineering|power systems",
    "0809": "电子|微电子|半导体|electronics|microelectronics|semiconductors",
    "0810": "通信|通信工程|信号处理|信息工程|telecommunications|signal processing|communication engineering",
    "0811": "自动化|控制|控制理论|机器人|automation|control engineering|control theory|robotics",
    "0812": "计算机科学|计算机|计算机技术|人工智能|机器学习|深度学习|数据挖掘|计算机视觉|自然语言处理|大数据|"
            "数据科学|computer science|computing|artificial intelligence|machine learning|deep learning|"
            "data mining|computer vision|natural language processing|big data|data science|informatics",
    "0813": "architecture|建筑",
    "0814": "土木|结构工程|岩土工程|civil engineering|structural engineering",
    "0815": "水利|水文|hydraulic engineering|hydrology|water resources",
    "0816": "测绘|遥感|surveying|remote sensing|geodesy",
    "0817": "化工|chemical engineering",
    "0823": "交通|交通运输|交通工程|transportation|transport|traffic engineering",
    "0825": "航空|航天|aerospace|aeronautics",
    "0827": "核|nuclear engineering",
    "0830": "环境科学|环境工程|环境|environmental science|environmental engineering|environment|pollution",
    "0831": "biomedical engineering|医学影像工程",
    "0832": "食品|food science",
    "0833": "城市规划|城乡规划|urban planning",
    "0835": "软件|software engineering|software",
    "0839": "网络安全|信息安全|密码学|cybersecurity|information security|cryptography",
    "09": "农学|农业|agronomy|agriculture|agricultural sciences",
    "0901": "作物|育种|水稻|小麦|玉米|crop science|plant breeding|rice",
    "0902": "园艺|horticulture",
    "0904": "植物病理|病虫害|plant pathology|plant protection",
    "0905": "畜牧|animal husbandry|animal science",
    "0906": "兽医|veterinary",
    "0907": "林学|林业|forestry",
    "0908": "水产|渔业|aquaculture|fisheries",
    "10": "医学|medicine|medical sciences|health sciences",
    "1001": "病理学|生理学|免疫学|解剖学|pathology|physiology|immunology|anatomy",
    "1002": "内科学|外科学|肿瘤学|儿科学|妇产科学|神经病学|临床|clinical medicine|oncology|surgery|"
            "internal medicine|pediatrics|neurology|cardiology",
    "1003": "口腔|dentistry|stomatology",
    "1004": "流行病学|公共卫生|预防医学|卫生统计|epidemiology|public health|preventive medicine",
    "1005": "中医|traditional chinese medicine|tcm",
    "1007": "药理学|药剂学|pharmacy|pharmacology|pharmaceutics",
    "1008": "中药|chinese materia medica",
    "1011": "nursing|护理",
    "12": "管理学|管理|management",
    "1201": "管理科学|系统工程|management science|operations management",
    "1202": "企业管理|会计学|会计|市场营销|人力资源管理|旅游管理|business administration|business|accounting|"
            "marketing|human resource management|tourism management",
    "1203": "农业经济管理|农村经济|agricultural economics",
    "1204": "行政管理|公共政策|社会保障|土地资源管理|public administration|public policy|public management",
    "1205": "图书馆学|图书情报|情报学|档案学|图书情报与档案管理|信息管理|library science|"
            "library and information science|information science|archival science|information management",
    "13": "艺术|arts|art",
    "1302": "音乐|舞蹈|music|dance",
    "1303": "电影|戏剧|影视|film studies|theatre|drama",
    "1304": "美术|绘画|书法|fine arts|painting|calligraphy",
    "1305": "设计|工业设计|视觉传达|design|industrial design",
    "1401": "集成电路|integrated circuits",
}.items():
    for _word in _words.split("|"):
        KEYWORDS.setdefault(_word, _code)

# Chinese Library Classification (中图法) class prefixes.
CLC_PREFIXES: dict[str, str] = {
    "A": "0305", "B": "0101", "B84": "0402", "C8": "0714", "C91": "0303", "C93": "1201", "D": "0302",
    "D9": "0301", "E": "1101", "F": "02", "F3": "1203", "F27": "1202", "F8": "0202", "G2": "1205",
    "G21": "0503", "G25": "1205", "G4": "0401", "G8": "0403", "H": "0501", "H3": "0502", "I": "0501",
    "J": "13", "K": "06", "K85": "0601", "N": "07", "O1": "0701", "O21": "0714", "O3": "0801",
    "O4": "0702", "O6": "0703", "P1": "0704", "P2": "0816", "P4": "0706", "P5": "0709", "P7": "0707",
    "P9": "0705", "Q": "0710", "Q14": "0713", "R": "10", "R2": "1005", "R9": "1007", "R1": "1004",
    "R47": "1011", "R78": "1003", "S": "09", "S1": "0903", "S3": "0901", "S4": "0904", "S6": "0902",
    "S7": "0907", "S8": "0905", "S85": "0906", "S9": "0908", "TB": "08", "TB3": "0805", "TD": "0819",
    "TE": "0820", "TF": "0806", "TG": "0802", "TH": "0802", "TH7": "0804", "TJ": "0826", "TK": "0807",
    "TL": "0827", "TM": "0808", "TN": "0809", "TN91": "0810", "TP": "0812", "TP1": "0811",
    "TP2": "0811", "TP31": "0835", "TP39": "0812", "TQ": "0817", "TS": "0822", "TS1": "0821",
    "TS2": "0832", "TU": "0814", "TU98": "0833", "TV": "0815", "U": "0823", "U6": "0824",
    "V": "0825", "X": "0830",
}

_CLC_RE = re.compile(r"^([A-Z]{1,2})(\d+(?:\.\d+)*)(?:[-/=:+]\S*)?$")
_SPACE_RE = re.compile(r"\s+")


def normalise_word(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: the form keywords are compared in."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _all_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, (zh, en) in {**DISCIPLINES, **CATEGORIES}.items():
        names.setdefault(normalise_word(zh), code)
        names.setdefault(normalise_word(en), code)
    for word, code in KEYWORDS.items():
        names.setdefault(normalise_word(word), code)
    return names


_EXACT = _all_names()
_HAN_WORDS = sorted((w for w in _EXACT if not w.isascii() and len(w) >= 2), key=len, reverse=True)
# English words too general to be taken inside a longer phrase ("fuzzy logic", "state of the art").
_EXACT_ONLY = frozenset({"art", "arts", "logic", "design", "management", "politics", "environment", "software",
                         "computing", "business", "transport", "teaching", "energy", "marketing", "drama"})
_LATIN_WORDS = sorted((w for w in _EXACT if w.isascii() and len(w) >= 3 and w not in _EXACT_ONLY),
                      key=len, reverse=True)
_LATIN_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in _LATIN_WORDS) + r")\b")


def clc_discipline(value: str) -> str:
    """The discipline code of a Chinese Library Classification number (``TP391.4`` -> ``0812``), or ``''``."""
    match = _CLC_RE.match(value.strip().upper())
    if match is None:
        return ""
    digits = match[2].replace(".", "")
    candidate = match[1] + digits
    while candidate:
        if candidate in CLC_PREFIXES:
            return CLC_PREFIXES[candidate]
        candidate = candidate[:-1]
    return ""


@lru_cache(maxsize=8192)
def discipline_of(subject: str) -> str:
    """The discipline (or category) code of one subject word or phrase, or ``''``."""
    word = normalise_word(subject)
    if not word:
        return ""
    if word in _EXACT:
        return _EXACT[word]
    if word.isascii():
        if len(word) <= 12 and " " not in word:
            code = clc_discipline(subject)
            if code:
                return code
        match = _LATIN_RE.search(word)
        return _EXACT[match[1]] if match else ""
    for keyword in _HAN_WORDS:
        if keyword in word:
            return _EXACT[keyword]
    return ""


def disciplines_for(subjects: list[str]) -> list[str]:
    """Discipline codes of a record's subjects, first found first, without duplicates."""
    codes: dict[str, None] = {}
    for subject in subjects:
        code = discipline_of(subject)
        if code:
            codes.setdefault(code, None)
    return list(codes)


def discipline_label(code: str) -> tuple[str, str]:
    """(Chinese, English) name of a discipline or category code; ``('', '')`` when unknown."""
    return DISCIPLINES.get(code) or CATEGORIES.get(code) or ("", "")


def category_of(code: str) -> str:
    """The two-digit category (学科门类) of a discipline code."""
    return code[:2]
