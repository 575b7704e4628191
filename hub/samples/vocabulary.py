"""Word lists the sample records are drawn from: Chinese and English titles, names, subjects, types.

Everything here is fictional. The lists are tuples (immutable, shared by every generator) and the
periodic tables (`TYPE_CYCLE`, `STATUS_CYCLE`) decide set membership from a record's index alone, so
that set filtering can be counted arithmetically (see `hub.samples.selection`).
"""

from __future__ import annotations

from dataclasses import dataclass

ZH_METHODS = (
    "深度学习", "图神经网络", "大语言模型", "多源数据融合", "遥感影像", "随机森林", "强化学习",
    "知识图谱", "迁移学习", "注意力机制", "贝叶斯网络", "联邦学习", "数值模拟", "机器学习",
)
ZH_TOPICS = (
    "机器学习方法", "城市交通流预测", "水稻病害识别", "长江流域水质评价", "古籍文字识别",
    "中医药知识图谱构建", "黄河三角洲湿地变化", "锂电池寿命预测", "学术文献推荐", "桥梁结构健康监测",
    "方言语音识别", "区域经济韧性", "海洋环境监测", "茶叶品质检测", "智慧图书馆服务",
)
ZH_SUFFIXES = ("研究", "分析", "探讨", "应用研究", "方法研究", "优化设计", "实证研究")
ZH_SURNAMES = ("张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡")
ZH_GIVEN = ("伟", "娜", "芳", "洋", "静", "磊", "敏", "强", "杰", "霞", "晓明", "建国", "丽华", "志强", "海燕")
PINYIN_SURNAMES = ("Zhang", "Li", "Wang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun",
                   "Ma", "Zhu", "Hu")
PINYIN_GIVEN = ("Wei", "Na", "Fang", "Yang", "Jing", "Lei", "Min", "Qiang", "Jie", "Xia", "Xiaoming",
                "Jianguo", "Lihua", "Zhiqiang", "Haiyan")
WESTERN_NAMES = ("Smith, John", "Müller, Anna", "García, Lucía", "Tanaka, Hiroshi", "Kim, Minji",
                 "O'Brien, Sean", "Novak, Petra")

EN_METHODS = (
    "Deep learning", "Graph neural networks", "Large language models", "Multi-source data fusion",
    "Remote sensing", "Random forests", "Reinforcement learning", "Knowledge graphs", "Transfer learning",
    "Attention mechanisms", "Bayesian networks", "Federated learning", "Numerical simulation",
    "Machine learning",
)
EN_TOPICS = (
    "machine learning methods", "urban traffic flow prediction", "rice disease recognition",
    "water quality assessment in the Yangtze basin", "recognition of ancient Chinese characters",
    "traditional Chinese medicine knowledge", "wetland change in the Yellow River delta",
    "lithium battery lifetime prediction", "scholarly literature recommendation",
    "bridge structural health monitoring", "dialect speech recognition", "regional economic resilience",
    "marine environment monitoring", "tea quality inspection", "smart library services",
)
EN_SUFFIXES = ("a case study", "methods and applications", "an empirical analysis", "a survey",
               "design and optimisation", "evidence from China")

SUBJECTS_ZH = ("计算机科学", "人工智能", "环境科学", "农学", "经济学", "历史学", "材料科学", "医学",
               "交通运输工程", "图书馆学")
SUBJECTS_EN = ("Computer Science", "Artificial Intelligence", "Environmental Science", "Agronomy",
               "Economics", "History", "Materials Science", "Medicine", "Transportation Engineering",
               "Library Science")

LANGUAGE_ZH = ("zh", "中文", "chi", "zh_CN")
LANGUAGE_EN = ("en", "eng", "English", "en_US")

PUBLISHERS_ZH = ("科学出版社", "高等教育出版社", "{name_zh}学报编辑部", "{name_zh}")
PUBLISHERS_EN = ("Springer", "Elsevier", "IEEE", "{name_en} Press", "{name_en}")

RIGHTS = ("CC BY 4.0", "版权所有 © {name_zh}", "Open Access", "info:eu-repo/semantics/openAccess",
          "All rights reserved", "CC BY-NC-ND 4.0")

ZH_ABSTRACT_SENTENCES = (
    "本文围绕{topic}问题，提出了一种基于{method}的新方法。",
    "实验结果表明，该方法在准确率和效率方面均优于现有方法。",
    "研究以{year}年采集的数据为基础，对{topic}进行了系统分析。",
    "最后讨论了{method}在实际应用中的局限性及未来研究方向。",
    "本研究为{subject}领域的相关工作提供了参考。",
)
EN_ABSTRACT_SENTENCES = (
    "This paper studies {topic} and proposes a new approach based on {method}.",
    "Experiments show that the approach outperforms existing baselines in accuracy and efficiency.",
    "Using data collected in {year}, we analyse {topic} systematically.",
    "We discuss the limitations of {method} in practice and directions for future work.",
    "The study informs related work in {subject}.",
)


@dataclass(frozen=True)
class ItemType:
    """One kind of work: its dc:type in each language and its EPrints type name."""

    eprints: str
    dc_en: str
    dc_zh: str


ITEM_TYPES: dict[str, ItemType] = {
    "article": ItemType("article", "Article", "期刊论文"),
    "thesis": ItemType("thesis", "Thesis", "学位论文"),
    "conference_item": ItemType("conference_item", "Conference paper", "会议论文"),
    "book_section": ItemType("book_section", "Book chapter", "图书章节"),
    "dataset": ItemType("dataset", "Dataset", "数据集"),
    "monograph": ItemType("monograph", "Report", "研究报告"),
}

# Periodic set membership: record i has type TYPE_CYCLE[i % len(TYPE_CYCLE)] and EPrints status
# STATUS_CYCLE[i % len(STATUS_CYCLE)]; SET_PERIOD is a common multiple of both cycle lengths.
TYPE_CYCLE = (
    "article", "thesis", "article", "conference_item", "article", "book_section", "thesis", "article",
    "dataset", "conference_item", "article", "thesis", "monograph", "article", "conference_item",
    "article", "thesis", "book_section", "article", "article",
)
STATUS_CYCLE = ("pub", "pub", "pub", "inpress", "pub")
SET_PERIOD = 20
DSPACE_COLLECTIONS = 4  # collections per DSpace repository; record i is in collection i % 4
