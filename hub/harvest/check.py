"""The repository check: what the hub can and cannot get from an OAI-PMH repository.

Run on registration (``chair repo check ID``) and stored with the repository. Every
finding that is a problem says what the member should change, in English and Chinese.
Platform plugins extend the report with what only they can see (REST APIs, exports).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hub.http import HarvestError
from hub.platform import CheckFinding, CheckReport

if TYPE_CHECKING:
    from plugins.oai.platform import OAIPlatform

MANDATORY_FIELDS = ("titles", "creators", "issued", "resource_type")
SAMPLE_SIZE = 50


def _timed(call):
    started = time.perf_counter()
    value = call()
    return value, round((time.perf_counter() - started) * 1000)


def check_oai_repository(platform: OAIPlatform) -> CheckReport:
    """Probe Identify, formats, sets, one page of records and robots.txt."""
    client = platform.client
    report = CheckReport(reachable=False)
    facts = report.facts
    add = report.findings.append
    try:
        identify, facts["identify_ms"] = _timed(client.identify)
    except HarvestError as exc:
        add(CheckFinding("reachable", False, str(exc),
                         "Make the OAI-PMH base URL answer Identify (check the URL, firewall and User-Agent rules).",
                         "请确认 OAI-PMH 基础地址可以响应 Identify 请求（检查地址、防火墙和 User-Agent 规则）。"))
        return report
    report.reachable = True
    facts.update(repository_name=identify.repository_name, granularity=identify.granularity,
                 deleted_record=identify.deleted_record, earliest_datestamp=identify.earliest_datestamp,
                 compression=list(identify.compression), protocol_version=identify.protocol_version)
    add(CheckFinding("identify", identify.protocol_version == "2.0", f"protocol {identify.protocol_version}",
                     "Serve OAI-PMH version 2.0.", "请提供 OAI-PMH 2.0 协议版本。"))
    add(CheckFinding("deleted_record", identify.deleted_record == "persistent",
                     f"deletedRecord={identify.deleted_record}",
                     "Declare and keep deletedRecord 'persistent' so the hub removes withdrawn items.",
                     "请将 deletedRecord 设为 persistent，以便中心删除已撤回的条目。"))
    formats = {f.prefix for f in client.list_metadata_formats()}
    facts["metadata_formats"] = sorted(formats)
    prefix = platform.source.metadata_prefix
    add(CheckFinding("metadata_format", prefix in formats, f"{prefix} offered: {prefix in formats}",
                     f"Offer the metadata format {prefix}.", f"请提供元数据格式 {prefix}。"))
    try:
        facts["sets"] = sum(1 for _ in client.list_sets())
    except HarvestError as exc:
        facts["sets"] = 0
        facts["sets_error"] = str(exc)
    _sample(platform, report)
    facts["robots_txt"] = _robots(platform)
    facts["strategy"] = ("incremental ListRecords from the last responseDate "
                         f"({identify.granularity or 'unknown'} granularity)")
    return report


def _sample(platform: OAIPlatform, report: CheckReport) -> None:
    """Read the first page of records: resumption, field fill rates, full-text links."""
    facts = report.facts
    started = time.perf_counter()
    try:
        page = next(iter(platform.client.list_records(platform.source.metadata_prefix)), None)
    except HarvestError as exc:
        report.findings.append(CheckFinding("list_records", False, str(exc),
                                            "Make ListRecords answer for the chosen format.",
                                            "请确保 ListRecords 对所选格式可以正常响应。"))
        return
    facts["first_page_ms"] = round((time.perf_counter() - started) * 1000)
    if page is None:
        facts["sample"] = 0
        return
    facts["page_size"] = len(page.records)
    facts["complete_list_size"] = page.complete_list_size
    facts["resumption"] = bool(page.resumption_token)
    filled: Counter[str] = Counter()
    with_files = 0
    sample = [r for r in page.records if not r.deleted][:SAMPLE_SIZE]
    for record in sample:
        from hub.platform import HarvestedItem

        item = HarvestedItem(record.identifier, record.datestamp, False, list(record.sets),
                             platform.source.metadata_prefix, record.metadata_xml or "", record.metadata)
        try:
            normalised = platform.normalise(item)
        except Exception:  # counted as unfilled
            continue
        data: dict[str, Any] = normalised.to_dict()
        filled.update(k for k in data)
        if platform.fulltext_links(item, normalised):
            with_files += 1
    facts["sample"] = len(sample)
    facts["field_fill"] = {k: filled[k] for k in sorted(filled)}
    facts["sample_with_fulltext_links"] = with_files
    missing = [f for f in MANDATORY_FIELDS if sample and filled[f] < len(sample)]
    report.findings.append(CheckFinding(
        "mandatory_fields", not missing,
        "all sampled records have " + ", ".join(MANDATORY_FIELDS) if not missing
        else "some sampled records lack: " + ", ".join(missing),
        "Fill " + ", ".join(missing) + " in every record (dc:title, dc:creator, dc:date, dc:type)." if missing else "",
        "请在每条记录中填写 " + "、".join(missing) + "（dc:title、dc:creator、dc:date、dc:type）。" if missing else "",
    ))
    report.findings.append(CheckFinding(
        "fulltext", with_files > 0, f"{with_files} of {len(sample)} sampled records link a file",
        "Link the full-text file (not only the landing page) in dc:identifier, or register the repository "
        "with its platform plugin (dspace, eprints) so the hub can find files through its API.",
        "请在 dc:identifier 中提供全文文件链接（而不仅是条目页面），或使用对应平台插件（dspace、eprints）注册。",
    ))


def _robots(platform: OAIPlatform) -> str:
    """What robots.txt at the repository's host says of the OAI path ('absent' when none)."""
    parts = urlsplit(platform.source.base_url)
    try:
        result = platform.http.get(f"{parts.scheme}://{parts.netloc}/robots.txt", max_bytes=512 * 1024)
    except HarvestError as exc:
        return f"unreadable: {exc}"
    if result.status != 200:
        return "absent"
    text = result.body.decode("utf-8", "replace")
    disallowed = [line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.lower().startswith("disallow:")]
    blocked = any(d and parts.path.startswith(d) for d in disallowed)
    return "blocks the OAI path" if blocked else "allows the OAI path"
