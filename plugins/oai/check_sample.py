"""The sample part of the repository check: datestamps observed, fields filled, full texts found.

- :func:`observe_datestamps` compares the granularity of the records' datestamps with the
  declared one (DSpace adds milliseconds, some servers declare days and send seconds) and counts
  deleted records against the declared deletedRecord policy;
- :func:`sample_fields` normalises up to ``SAMPLE_SIZE`` records through the platform and says how
  often each normalised field was filled, naming the mandatory fields that are missing and where;
- :func:`sample_fulltext` asks the platform for the full-text links of up to ``FULLTEXT_SAMPLE``
  records (so a platform's own discovery, e.g. a REST API, is exercised) and fetches the first
  KiB of the first open link of each (``Range: bytes=0-1023``) to see whether it is a PDF;
- :func:`records_read_finding` says how many sampled records were read and crosswalked, and
  when none was, why (an empty list, only deletions, no crosswalk, records that all fail).

A finding about records is never ok when no record backs it: it says "not verified" and why.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from hub.http import HarvestError
from hub.platform import CheckFinding, CheckReport

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
    if not stamps:
        add(CheckFinding("granularity", False, f"declared {declared}; not verified: no record datestamp was read",
                         "Make ListRecords return records in the chosen format (and sets), then check again.",
                         "请确保 ListRecords 能按所选格式（和集合）返回记录，然后重新检查。"))
    else:
        add(CheckFinding("granularity", observed == declared and not millis,
                         f"declared {declared}, observed {facts['granularity_observed']}",
                         "Send datestamps in the declared granularity (YYYY-MM-DDThh:mm:ssZ for seconds, "
                         "no milliseconds).",
                         "请按声明的粒度发送时间戳（秒级为 YYYY-MM-DDThh:mm:ssZ，不要带毫秒）。"))
    deleted = sum(1 for r in records if r.deleted)
    facts["deleted_seen"] = deleted
    if deleted and identify.deleted_record == "no":
        add(CheckFinding("deleted_record_observed", False, f"deletedRecord=no but {deleted} deleted records seen",
                         "Declare deletedRecord 'persistent' (or 'transient'): the repository does send deletions.",
                         "请将 deletedRecord 声明为 persistent（或 transient）：该库实际发送了删除记录。"))


def sample_fields(platform: OAIPlatform, records: list[Any], report: CheckReport) -> list[str]:
    """How each normalised field was filled in the sample; missing mandatory fields named.

    Returns the identifiers of the records that were read and crosswalked (the sample the other
    record-based findings may rely on).
    """
    facts = report.facts
    filled: Counter[str] = Counter()
    lacking: dict[str, list[str]] = {f: [] for f in MANDATORY_FIELDS}
    failed: list[str] = []
    read: list[str] = []
    sample = [r for r in records if not r.deleted]
    for record in sample:
        try:
            data = platform.normalise(platform.harvested_item(record)).to_dict()
        except Exception as exc:  # a record the crosswalk cannot read is a finding, not a crash
            failed.append(f"{record.identifier}: {type(exc).__name__}: {exc}")
            continue
        if not data:
            failed.append(f"{record.identifier}: crosswalked to an empty record (metadata not in "
                          f"{platform.metadata_prefix}?)")
            continue
        read.append(record.identifier)
        filled.update(list(data))
        for name in MANDATORY_FIELDS:
            if name not in data:
                lacking[name].append(record.identifier)
    facts["sample"] = len(sample)
    facts["sample_read"] = len(read)
    facts["sample_identifier"] = read[0] if read else ""
    facts["field_fill"] = {k: f"{filled[k]}/{len(read)}" for k in sorted(filled)}
    missing = {k: v for k, v in lacking.items() if v}
    if not read:
        report.findings.append(CheckFinding(
            "mandatory_fields", False, f"not verified: none of the {len(sample)} sampled live records could be read",
            "Make the repository return readable records in the chosen format (see records_read), then check again.",
            "请确保机构库按所选格式返回可读取的记录（见 records_read），然后重新检查。"))
    else:
        detail = ("all sampled records have " + ", ".join(MANDATORY_FIELDS) if not missing else
                  "; ".join(f"{k} missing in {len(v)} of {len(read)} (e.g. {v[0]})" for k, v in missing.items()))
        where = ", ".join(f"{_FIELD_SOURCES[k]}" for k in missing)
        report.findings.append(CheckFinding(
            "mandatory_fields", not missing, detail,
            f"Fill {', '.join(missing)} in every record ({where})." if missing else "",
            f"请在每条记录中填写 {'、'.join(missing)}（{where}）。" if missing else ""))
    if failed:
        facts["normalise_errors"] = failed[:5]
        report.findings.append(CheckFinding(
            "normalise", False, f"{len(failed)} sampled records could not be read: {failed[0]}",
            "Send well-formed records in the declared metadata format.",
            "请按声明的元数据格式发送格式正确的记录。"))
    return read


def records_read_finding(platform: OAIPlatform, records: list[Any], read: list[str]) -> CheckFinding:
    """How many sampled records were read and crosswalked; when none, what stood in the way."""
    live = [r for r in records if not r.deleted]
    if read:
        return CheckFinding("records_read", True, f"{len(read)} of {len(live)} sampled live records read and "
                            f"crosswalked ({platform.metadata_prefix})")
    prefix = platform.metadata_prefix
    if not records:
        detail = (f"no record listed in {prefix} (an empty list, noRecordsMatch, or a failed ListRecords: see "
                  "list_records): nothing could be verified")
        en = (f"Make ListRecords return records in {prefix} (for the registered sets), or register the format "
              "and sets the repository fills.")
        zh = f"请确保 ListRecords 能返回 {prefix} 格式（登记的集合中）的记录，或登记机构库实际提供的格式和集合。"
    elif not live:
        detail = f"all {len(records)} sampled records are deleted: no metadata could be verified"
        en = "The sampled lists hold only deleted records: register sets that hold live records, or check later."
        zh = "抽样的列表中只有已删除记录：请登记含有有效记录的集合，或稍后重新检查。"
    elif not platform.reads_format(prefix, platform.crosswalks, platform.source.options):
        detail = f"the {platform.name} platform has no crosswalk for {prefix!r}: none of {len(live)} records read"
        en = ("Register the repository with the oai-mapped platform and a field mapping for this format, or "
              "harvest a format the hub reads (oai_dc, or the platform's richer formats).")
        zh = "请改用 oai-mapped 平台并为该格式提供字段映射，或收割中心可读取的格式（oai_dc 或平台支持的更丰富格式）。"
    else:
        detail = f"none of the {len(live)} sampled live records could be normalised (see normalise)"
        en = "Send well-formed records in the declared metadata format."
        zh = "请按声明的元数据格式发送格式正确的记录。"
    return CheckFinding("records_read", False, detail, en, zh)


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


def sample_fulltext(platform: OAIPlatform, records: list[Any], report: CheckReport,
                    read: list[str] | None = None) -> None:
    """The full-text pattern of a few records (among those ``read``, when given): links found, open
    ones, reachable PDFs. Not verified (not ok) when no record could be read."""
    facts = report.facts
    readable = set(read) if read is not None else None
    sample = [r for r in records if not r.deleted and (readable is None or r.identifier in readable)]
    sample = sample[:FULLTEXT_SAMPLE]
    with_links = with_open = with_pdf = 0
    problems: list[str] = []
    for record in sample:
        item = platform.harvested_item(record)
        try:
            normalised = platform.normalise(item)
            links = platform.fulltext_links(item, normalised)
            if platform.discovers_files:  # the files stage asks the platform's API: so does the check
                links = platform.discover_files(item.source_identifier, links)
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
    if not sample:
        report.findings.append(CheckFinding(
            "fulltext", False, "not verified: no record could be read, so no full text was looked for",
            "Make the repository return readable records in the chosen format (see records_read), then check again.",
            "请确保机构库按所选格式返回可读取的记录（见 records_read），然后重新检查。"))
        return
    report.findings.append(CheckFinding(
        "fulltext", with_pdf > 0,
        f"{with_pdf} of {len(sample)} sampled records have a reachable PDF ({with_open} with open files)",
        "Make full texts reachable without a login and link them from the record (dc:identifier with the file "
        "URL), or register the repository with its platform plugin (dspace, eprints) so the hub finds files "
        "through its API.",
        "请使全文无需登录即可访问，并在记录中链接全文文件（dc:identifier 中给出文件地址），"
        "或使用对应平台插件（dspace、eprints）注册，以便中心通过其接口获取文件。"))
