"""The repository check of a ResourceSync source: what was found, and a sample really read.

It reports the Capability List found (and the others the Source Description offers), the
capabilities offered (Resource List, Change List, Resource Dump), the size of the Resource List
(entries; parts of an index, the first part's entries), the Change Lists and whether resources
carry hashes; then it fetches a few resources of the registered format, verifies them and
crosswalks them. Like the OAI-PMH check, it is never ok without a record read and crosswalked.
Problems say what the member should change, in English and Chinese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.http import HarvestError
from hub.platform import CheckFinding, CheckReport
from plugins.resourcesync.records import declared_kind, wanted_kind

if TYPE_CHECKING:
    from plugins.resourcesync.platform import ResourceSyncPlatform

SAMPLE_SIZE = 3


def check_resourcesync(platform: ResourceSyncPlatform) -> CheckReport:
    """Discover the Capability List, read the lists' sizes and a sample of resources."""
    report = CheckReport(reachable=False)
    add = report.findings.append
    try:
        caplist, offered = platform.capability_list()
    except HarvestError as exc:
        add(CheckFinding("reachable", False, str(exc),
                         "Publish a Source Description at /.well-known/resourcesync or register the Capability "
                         "List's URL (check the address, firewall and User-Agent rules).",
                         "请在 /.well-known/resourcesync 发布资源描述（Source Description），或登记能力列表"
                         "（Capability List）的地址（检查地址、防火墙和 User-Agent 规则）。"))
        return report
    report.reachable = True
    caps = platform.capabilities(caplist)
    report.facts.update(capability_list=caplist.url, capability_lists_offered=offered,
                        capabilities=sorted(caps))
    if not caps.get("resourcelist"):
        add(CheckFinding("resource-list", False, f"{caplist.url} offers no Resource List: nothing to harvest",
                         "List every metadata record in a Resource List linked from the Capability List.",
                         "请在能力列表中提供资源列表（Resource List），列出每一条元数据记录。"))
        return report
    try:
        listing = platform.fetch_document(caps["resourcelist"][0], "resourcelist")
        entries = listing.entries
        if listing.is_index:
            report.facts["resource_list_parts"] = len(entries)
            entries = platform.fetch_document(entries[0].loc, "resourcelist").entries if entries else []
        report.facts["resource_list_entries"] = len(entries)  # of the first part of an index
        if caps.get("changelist"):
            changes = platform.fetch_document(caps["changelist"][0], "changelist")
            report.facts["change_lists"] = len(changes.entries) if changes.is_index else 1
    except HarvestError as exc:
        add(CheckFinding("lists", False, str(exc), "Serve the Resource and Change Lists as ResourceSync XML.",
                         "请以 ResourceSync XML 格式提供资源列表和变更列表。"))
        return report
    report.facts["resource_dump"] = bool(caps.get("resourcedump"))
    add(CheckFinding("change-list", True, "Change Lists offered: harvests after the first read only the changes"
                     if caps.get("changelist") else "no Change List: every harvest reads the whole Resource List "
                     "and deletions are found by the full harvest's sweep",
                     "" if caps.get("changelist") else "Publish a Change List to be harvested incrementally.",
                     "" if caps.get("changelist") else "请发布变更列表（Change List）以便增量采集。"))
    wanted = wanted_kind(platform.source.metadata_prefix)
    candidates = [e for e in entries if e.loc and declared_kind(e.md.get("type", "")) in ("", wanted)]
    hashed = sum(1 for e in entries if e.md.get("hash"))
    report.facts.update(resources_of_format=len(candidates), resources_with_hash=hashed)
    _sample(platform, candidates, report)
    return report


def _sample(platform: ResourceSyncPlatform, candidates: list, report: CheckReport) -> None:
    """Fetch up to SAMPLE_SIZE resources, verify and crosswalk them: the records-read finding."""
    read, problems = [], []
    for entry in candidates[:SAMPLE_SIZE]:
        try:
            item = platform.fetch_resource(entry)
        except HarvestError as exc:
            problems.append(str(exc))
            continue
        if item is None:
            continue
        if item.error:
            problems.append(f"{item.error_kind}: {item.error}")
            continue
        try:
            record = platform.normalise(item)
        except Exception as exc:  # a crosswalk refusing the sample is a finding, not a crash
            problems.append(f"{entry.loc}: {type(exc).__name__}: {exc}")
            continue
        if record.title:
            read.append(record.title)
    report.facts["sample_titles"] = read
    prefix = platform.source.metadata_prefix
    if read and not problems:
        detail = f"{len(read)} sample resources fetched, verified and read as {prefix}"
    elif read:
        detail = f"{len(read)} sample resources read as {prefix}; problems: {'; '.join(problems)}"
    else:
        detail = (f"no resource could be read as {prefix}: nothing could be verified"
                  + (f" ({'; '.join(problems)})" if problems else " (the Resource List holds none of this format)"))
    report.findings.append(CheckFinding(
        "records-read", bool(read) and not problems, detail,
        f"List {prefix} metadata documents in the Resource List, each with its type, length and md5 or sha-256 "
        "hash, and make every listed address answer with the document.",
        f"请在资源列表中列出 {prefix} 元数据文档，并为每个文档注明类型、长度和 md5 或 sha-256 散列值，"
        "确保每个地址都能返回该文档。"))
