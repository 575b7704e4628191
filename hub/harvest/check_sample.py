"""The sample part of the repository check: datestamps observed, fields filled, full texts found.

- :func:`observe_datestamps` compares the granularity of the records' datestamps with the
  declared one (DSpace adds milliseconds, some servers declare days and send seconds) and counts
  deleted records against the declared deletedRecord policy;
- :func:`sample_fields` normalises up to ``SAMPLE_SIZE`` records through the platform and says how
  often each normalised field was filled, naming the mandatory fields that are missing and where;
- :func:`sample_fulltext` asks the platform for the full-text links of up to ``FULLTEXT_SAMPLE``
  records (so a platform's own discovery, e.g. a REST API, is exercised) and fetches the first
  KiB of the first open link of each (``Range: bytes=0-1023``) to see whether it is a PDF.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from hub.http import HarvestError
from hub.platform import CheckFinding, CheckReport, HarvestedItem

if TYPE_CHECKING:
    from plugins.oai.platform import OAIPlatform

MANDATORY_FIELDS = ("titles", "creators", "issued", "resource_type")
SAMPLE_SIZE = 50
FULLTEXT_SAMPLE = 5
SNIFF_BYTES = 1024
_SECONDS_RE = re.compile(r"T\d{2}:\d{2}:\d{2}")
_MILLIS_RE = re.compile(r"T\d{2}:\d{2}:\d{2}\.\d+")

_FIELD_SOURCES = {
    "titles": "dc:title", "creators": "dc:creator", "issued": "dc:date", "resource_type": "dc:type",
}


def observe_datestamps(records: list[Any], identify: Any, report: CheckReport) -> None:
    """Findings on granularity and deletions as observed in the sampled records."""
    facts, add = report.facts, report.findings.append
    stamps = [r.datestamp for r in records if r.datestamp]
    seconds = sum(1 for s in stamps if _SECONDS_RE.search(s))
    millis = sum(1 for s in stamps if _MILLIS_RE.search(s))
    observed = "none seen" if not stamps else ("seconds" if seconds == len(stamps) else
                                               "day" if seconds == 0 else "mixed")
    declared = "seconds" if "hh" in (identify.granularity or "").lower() else "day"
    facts["granularity_observed"] = observed + (" (with milliseconds)" if millis else "")
    consistent = observed in ("none seen", declared)
    add(CheckFinding("granularity", consistent and not millis,
                     f"declared {declared}, observed {facts['granularity_observed']}",
                     "Send datestamps in the declared granularity (YYYY-MM-DDThh:mm:ssZ for seconds, no milliseconds).",
                     "请按声明的粒度发送时间戳（秒级为 YYYY-MM-DDThh:mm:ssZ，不要带毫秒）。"))
    deleted = sum(1 for r in records if r.deleted)
    facts["deleted_seen"] = deleted
    if deleted and identify.deleted_record == "no":
        add(CheckFinding("deleted_record_observed", False, f"deletedRecord=no but {deleted} deleted records seen",
                         "Declare deletedRecord 'persistent' (or 'transient'): the repository does send deletions.",
                         "请将 deletedRecord 声明为 persistent（或 transient）：该库实际发送了删除记录。"))


def _item(platform: OAIPlatform, record: Any) -> HarvestedItem:
    return HarvestedItem(record.identifier, record.datestamp, False, list(record.sets), platform.metadata_prefix,
                         record.metadata_xml or "", record.metadata, about=list(getattr(record, "about_xml", [])))


def sample_fields(platform: OAIPlatform, records: list[Any], report: CheckReport) -> None:
    """How each normalised field was filled in the sample; missing mandatory fields named."""
    facts = report.facts
    filled: Counter[str] = Counter()
    lacking: dict[str, list[str]] = {f: [] for f in MANDATORY_FIELDS}
    failed: list[str] = []
    sample = [r for r in records if not r.deleted]
    for record in sample:
        try:
            data = platform.normalise(_item(platform, record)).to_dict()
        except Exception as exc:  # a record the crosswalk cannot read is a finding, not a crash
            failed.append(f"{record.identifier}: {type(exc).__name__}: {exc}")
            continue
        filled.update(list(data))
        for name in MANDATORY_FIELDS:
            if name not in data:
                lacking[name].append(record.identifier)
    facts["sample"] = len(sample)
    facts["sample_identifier"] = sample[0].identifier if sample else ""
    facts["field_fill"] = {k: f"{filled[k]}/{len(sample)}" for k in sorted(filled)}
    missing = {k: v for k, v in lacking.items() if v}
    detail = ("all sampled records have " + ", ".join(MANDATORY_FIELDS) if not missing else
              "; ".join(f"{k} missing in {len(v)} of {len(sample)} (e.g. {v[0]})" for k, v in missing.items()))
    where = ", ".join(f"{_FIELD_SOURCES[k]}" for k in missing)
    report.findings.append(CheckFinding(
        "mandatory_fields", not missing, detail,
        f"Fill {', '.join(missing)} in every record ({where})." if missing else "",
        f"请在每条记录中填写 {'、'.join(missing)}（{where}）。" if missing else ""))
    if failed:
        report.findings.append(CheckFinding(
            "normalise", False, f"{len(failed)} sampled records could not be read: {failed[0]}",
            "Send well-formed records in the declared metadata format.",
            "请按声明的元数据格式发送格式正确的记录。"))


def _sniff(platform: OAIPlatform, url: str) -> str:
    """'pdf', 'other' or 'unreachable: ...' for the first KiB of ``url``."""
    try:
        with platform.http.stream(url, headers={"Range": f"bytes=0-{SNIFF_BYTES - 1}"}) as response:
            head = b""
            for chunk in response.iter_content(SNIFF_BYTES):
                head += chunk
                if len(head) >= SNIFF_BYTES:
                    break
    except HarvestError as exc:
        return f"unreachable: {exc}"
    return "pdf" if head.lstrip()[:5] == b"%PDF-" else "other"


def sample_fulltext(platform: OAIPlatform, records: list[Any], report: CheckReport) -> None:
    """The full-text pattern of a few records: links found, open ones, reachable PDFs."""
    facts = report.facts
    sample = [r for r in records if not r.deleted][:FULLTEXT_SAMPLE]
    with_links = with_open = with_pdf = 0
    problems: list[str] = []
    for record in sample:
        item = _item(platform, record)
        try:
            normalised = platform.normalise(item)
            links = platform.fulltext_links(item, normalised)
        except Exception as exc:  # reported, never raised
            problems.append(f"{record.identifier}: {type(exc).__name__}: {exc}")
            continue
        if normalised.extra.get("fulltext_error"):
            problems.append(f"{record.identifier}: {normalised.extra['fulltext_error']}")
        with_links += bool(links)
        open_links = [link for link in links if link.access == "open"]
        if not open_links:
            continue
        with_open += 1
        verdict = _sniff(platform, open_links[0].url)
        with_pdf += verdict == "pdf"
        if verdict.startswith("unreachable"):
            problems.append(f"{open_links[0].url}: {verdict}")
    facts["fulltext_sample"] = {"records": len(sample), "with_links": with_links, "with_open_files": with_open,
                                "with_reachable_pdf": with_pdf}
    if problems:
        facts["fulltext_problems"] = problems[:5]
    report.findings.append(CheckFinding(
        "fulltext", with_pdf > 0 or not sample,
        f"{with_pdf} of {len(sample)} sampled records have a reachable PDF ({with_open} with open files)",
        "Make full texts reachable without a login and link them from the record (dc:identifier with the file "
        "URL), or register the repository with its platform plugin (dspace, eprints) so the hub finds files "
        "through its API.",
        "请使全文无需登录即可访问，并在记录中链接全文文件（dc:identifier 中给出文件地址），"
        "或使用对应平台插件（dspace、eprints）注册，以便中心通过其接口获取文件。"))
