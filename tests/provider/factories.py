"""Records for the provider tests, written straight into the database (no harvest pipeline).

:func:`build_network` makes two member institutions with three repositories; :func:`record_values`
makes the column values of one realistic record (normalised Chinese and English metadata as the
crosswalks produce it, ORCIDs, DOIs and Handles, files); the ``kind`` of a record decides what
it lacks. :func:`populate` inserts a mixed collection with explicit, increasing hub datestamps,
some shared by several records so that the ``id`` tie-breaker of the keyset is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from hub.models import Institution, Record, Repository
from hub.normalise.coar import COAR_RESOURCE_TYPE
from hub.normalise.rights import EMBARGOED_ACCESS, METADATA_ONLY_ACCESS, OPEN_ACCESS, RESTRICTED_ACCESS
from hub.states import FulltextState

BASE_DATE = datetime(2024, 3, 1, 8, 0, 0, tzinfo=UTC)
TYPES = ("c_6501", "c_db06", "c_bdcc", "c_5794", "c_2f33", "c_ddb1", "c_e059")
ACCESS = (OPEN_ACCESS, OPEN_ACCESS, EMBARGOED_ACCESS, RESTRICTED_ACCESS, METADATA_ONLY_ACCESS)
ZH_TITLES = ("基于深度学习的城市交通流预测研究", "长江流域水质评价方法探讨", "古籍文字识别的应用研究",
             "黄河三角洲湿地变化分析", "锂电池寿命预测的优化设计")
EN_TITLES = ("Urban traffic flow prediction with deep learning", "Water quality assessment in the Yangtze basin",
             "Recognition of ancient Chinese characters", "Wetland change in the Yellow River delta",
             "Lithium battery lifetime prediction: design and optimisation")
NAMES = (("张伟", "张", "伟", "0000-0002-1825-0097"), ("李娜", "李", "娜", ""), ("Smith, John", "Smith", "John", ""),
         ("王芳", "王", "芳", "0000-0001-5109-3700"))
PROVENANCE_NS = "http://www.openarchives.org/OAI/2.0/provenance"
EARLIER_ORIGIN = (
    f'<originDescription xmlns="{PROVENANCE_NS}" harvestDate="2023-05-01T10:00:00Z" altered="false">'
    "<baseURL>http://regional.example.edu.cn/oai</baseURL><identifier>oai:regional.example.edu.cn:77</identifier>"
    "<datestamp>2023-04-30</datestamp><metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/"
    "</metadataNamespace></originDescription>")


@dataclass
class Network:
    """The institutions and repositories the records belong to."""

    institutions: list[Institution]
    repositories: list[Repository]


def build_network(session: Session) -> Network:
    """Two member institutions (one with two repositories) and three repositories."""
    pku = Institution(slug="pku", name_en="Peking University", name_zh="北京大学", region="北京")
    fudan = Institution(slug="fudan", name_en="Fudan University", name_zh="复旦大学", region="上海")
    session.add_all([pku, fudan])
    session.flush()
    repos = [
        Repository(institution_id=pku.id, name="PKU IR", platform="oai", base_url="http://ir.pku.example.edu.cn/oai/request"),
        Repository(institution_id=pku.id, name="PKU Theses", platform="oai", base_url="http://etd.pku.example.edu.cn/cgi/oai2"),
        Repository(institution_id=fudan.id, name="复旦知识库", platform="oai", base_url="http://ir.fudan.example.edu.cn/oai"),
    ]
    session.add_all(repos)
    session.flush()
    return Network([pku, fudan], repos)


def record_meta(index: int, kind: str = "full") -> dict[str, Any]:
    """Normalised metadata of record ``index``. Kinds: full, no_access (not OpenAIRE), untitled
    (no format can express it), dirty (characters illegal in XML), relayed (nested provenance)."""
    n = index % len(ZH_TITLES)
    code = TYPES[index % len(TYPES)]
    name, family, given, orcid = NAMES[index % len(NAMES)]
    meta: dict[str, Any] = {
        "titles": [{"value": f"{ZH_TITLES[n]}（{index}）", "lang": "zho"}, {"value": f"{EN_TITLES[n]} ({index})", "lang": "eng"}],
        "abstracts": [{"value": "本文提出了一种基于多源数据融合的新方法。", "lang": "zho"},
                      {"value": "We propose a new approach based on multi-source data fusion & <attention>.", "lang": "eng"}],
        "creators": [{"name": name, "family": family, "given": given, "orcid": orcid, "affiliation": "北京大学"},
                     {"name": "Müller, Anna", "family": "Müller", "given": "Anna"}],
        "subjects": [{"value": "人工智能", "lang": "zho"}, {"value": "Artificial Intelligence", "lang": "eng"}],
        "issued": f"{2010 + index % 14}-0{1 + index % 9}-1{index % 10}",
        "year": 2010 + index % 14,
        "types": ["期刊论文" if code == "c_6501" else "Text"],
        "resource_type": COAR_RESOURCE_TYPE + code,
        "identifiers": [{"scheme": "handle", "value": f"20.500.12345/{index}"},
                        {"scheme": "url", "value": f"http://ir.pku.example.edu.cn/handle/20.500.12345/{index}"}],
        "languages": ["zho", "eng"] if index % 2 else ["zho"],
        "rights": ["CC BY 4.0"],
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "access_rights": ACCESS[index % len(ACCESS)],
        "publisher": ["科学出版社"],
        "source": ["计算机学报"],
        "formats": ["application/pdf"],
        "landing_page": f"http://ir.pku.example.edu.cn/handle/20.500.12345/{index}",
    }
    if index % 3 == 0:
        meta["doi"] = f"10.12345/chair.{index}"
    if kind == "no_access":
        del meta["access_rights"]
    elif kind == "untitled":
        del meta["titles"]
    elif kind == "dirty":
        meta["titles"][0]["value"] = "含非法字符\x01\x0b的标题\ufffe"
        meta["abstracts"][1]["value"] = "Bell \x07 and escape \x1b chars"
    elif kind == "relayed":
        meta["extra"] = {"provenance": EARLIER_ORIGIN}
    return meta


def record_values(index: int, repository: Repository, datestamp: datetime, *, kind: str = "full",
                  deleted: bool = False, with_file: bool = False) -> dict[str, Any]:
    """Column values of one Record row."""
    meta = {} if deleted and kind == "born_deleted" else record_meta(index, kind)
    links = [{"url": f"http://ir.pku.example.edu.cn/bitstream/20.500.12345/{index}/1/paper.pdf",
              "mime_type": "application/pdf", "access": "open", "size": 123456, "checksum": "", "label": "全文",
              "embargo_until": ""}] if with_file else []
    return {
        "repository_id": repository.id,
        "source_identifier": f"oai:{repository.id}.example.edu.cn:{index}",
        "source_datestamp": (datestamp - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hub_datestamp": datestamp,
        "created_at": datestamp,
        "deleted": deleted,
        "metadata_format": "oai_dc",
        "raw_metadata": ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                         'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>t</dc:title></oai_dc:dc>'),
        "meta": meta,
        "sets": [],
        "fulltext_links": links,
        "fulltext_state": FulltextState.EXTRACTED if with_file and index % 2 else
        (FulltextState.FOUND if with_file else FulltextState.NONE),
        "content_hash": f"{index:064d}",
    }


def populate(session: Session, count: int, network: Network | None = None,
             start: datetime = BASE_DATE) -> Network:
    """Insert ``count`` records of mixed kinds; every fourth datestamp is shared by two records."""
    network = network or build_network(session)
    kinds = ("full", "full", "no_access", "full", "dirty", "full", "relayed", "untitled", "full", "born_deleted")
    rows = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        datestamp = start + timedelta(minutes=index - index // 4)
        repository = network.repositories[index % len(network.repositories)]
        rows.append(record_values(index, repository, datestamp, kind=kind,
                                  deleted=kind == "born_deleted" or index % 13 == 5, with_file=index % 3 == 1))
    if rows:
        session.execute(insert(Record), rows)
    session.flush()
    return network
