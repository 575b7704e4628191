"""The OAI-PMH repository check: what the hub can and cannot get from an OAI-PMH repository.

It is the ``oai`` platform's :meth:`~plugins.oai.platform.OAIPlatform.check` (DSpace, EPrints and the
other OAI-PMH based platforms add their findings on top); core keeps only what every platform shares:
the report's shape (:class:`hub.platform.CheckReport`) and the runner that stores it (:mod:`hub.checking`).

Run on registration (``chair repo check ID``) and stored with the repository. It reports:
reachability and response times; whether Identify is sane (protocol, baseURL echo,
earliestDatestamp, admin e-mail); granularity, deletedRecord and compression as declared and
as observed; the metadata formats and the number of sets; the page size and whether
resumption really works (page 2 is fetched with the token); a bounded sample of records, taken
from the sets the repository is registered with (a set the source does not list, or that lists
nothing, is a failed finding), with how each normalised field was filled (missing mandatory
fields named); the full-text pattern of the sample (see :mod:`plugins.oai.check_sample`);
robots.txt; the harvest strategy. A check that could not read and crosswalk a single record
(an empty list, only deletions, a format without crosswalk, records that all fail) never calls
a record-based finding ok: it says what it could not verify, and the report is not ok.
Every finding that is a problem says what the member should change, in English and Chinese.
Platform plugins extend the report with what only they can see (REST APIs, exports).
The work is bounded (two list pages, a capped ListSets walk, a few file probes) so a
responsive repository is checked in a few seconds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hub.http import HarvestError
from hub.platform import CheckFinding, CheckReport
from plugins.oai.check_sample import (
    MANDATORY_FIELDS,
    SAMPLE_SIZE,
    observe_datestamps,
    records_read_finding,
    sample_fields,
    sample_fulltext,
)

if TYPE_CHECKING:
    from plugins.oai.platform import OAIPlatform

__all__ = ["MANDATORY_FIELDS", "SAMPLE_SIZE", "check_oai_repository"]

SETS_TIME_BUDGET = 2.0  # seconds spent counting sets at most
SAMPLED_SETS = 10  # registered sets whose first page is read (the first one's first two pages)


def _timed(call):
    started = time.perf_counter()
    value = call()
    return value, round((time.perf_counter() - started) * 1000)


def _same_url(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        parts = urlsplit(url.strip())
        return f"{parts.netloc.lower()}{'/' + '/'.join(p for p in parts.path.split('/') if p)}"
    return norm(a) == norm(b)


def check_oai_repository(platform: OAIPlatform) -> CheckReport:
    """Probe Identify, formats, sets, two pages of records, full texts and robots.txt."""
    client = platform.client
    report = CheckReport(reachable=False)
    facts = report.facts
    add = report.findings.append
    times: dict[str, int] = {}
    facts["response_ms"] = times
    try:
        identify, times["identify"] = _timed(client.identify)
    except HarvestError as exc:
        add(CheckFinding("reachable", False, str(exc),
                         "Make the OAI-PMH base URL answer Identify (check the URL, firewall and User-Agent rules).",
                         "请确认 OAI-PMH 基础地址可以响应 Identify 请求（检查地址、防火墙和 User-Agent 规则）。"))
        return report
    report.reachable = True
    facts.update(repository_name=identify.repository_name, granularity=identify.granularity,
                 deleted_record=identify.deleted_record, earliest_datestamp=identify.earliest_datestamp,
                 compression=list(identify.compression), protocol_version=identify.protocol_version)
    _identify_findings(platform, identify, report)
    formats, times["list_metadata_formats"] = _timed(client.list_metadata_formats)
    offered = {f.prefix for f in formats}
    facts["metadata_formats"] = sorted(offered)
    prefix = platform.metadata_prefix
    add(CheckFinding("metadata_format", prefix in offered, f"{prefix} offered: {prefix in offered}",
                     f"Offer the metadata format {prefix}.", f"请提供元数据格式 {prefix}。"))
    _crosswalk_finding(platform, report)
    listed = _count_sets(platform, report, times)
    lists = _list_pages(platform, report, times)
    _set_findings(platform, listed, lists, report)
    pages = lists[0][1] if lists else []
    records = _interleaved([[r for page in list_pages for r in page.records] for _spec, list_pages in lists])
    observe_datestamps(records, identify, report)
    read = sample_fields(platform, records[:SAMPLE_SIZE], report)
    sample_fulltext(platform, records, report, read)
    add(records_read_finding(platform, records, read))
    facts["robots_txt"] = _robots(platform)
    add(CheckFinding("robots_txt", facts["robots_txt"] != "blocks the OAI path", f"robots.txt {facts['robots_txt']}",
                     "Allow harvesters to reach the OAI-PMH path in robots.txt (the hub sends a clear User-Agent).",
                     "请在 robots.txt 中允许采集程序访问 OAI-PMH 路径（中心会发送明确的 User-Agent）。"))
    facts["strategy"] = platform_strategy(platform, identify.granularity, bool(pages and pages[0].resumption_token))
    return report


def _identify_findings(platform: OAIPlatform, identify: Any, report: CheckReport) -> None:
    from oai.client import parse_datestamp

    add = report.findings.append
    add(CheckFinding("identify", identify.protocol_version == "2.0", f"protocol {identify.protocol_version}",
                     "Serve OAI-PMH version 2.0.", "请提供 OAI-PMH 2.0 协议版本。"))
    echoed = _same_url(identify.base_url, platform.source.base_url)
    add(CheckFinding("identify_base_url", echoed, f"baseURL {identify.base_url!r}",
                     "Make Identify's baseURL the address the repository is harvested at (no doubled slashes, "
                     "no internal host name).",
                     "请使 Identify 中的 baseURL 与实际采集地址一致（不要有重复斜杠或内部主机名）。"))
    try:
        earliest = parse_datestamp(identify.earliest_datestamp)
        sane = earliest.year >= 1900
    except ValueError:
        sane = False
    add(CheckFinding("earliest_datestamp", sane, f"earliestDatestamp {identify.earliest_datestamp!r}",
                     "Report the datestamp of the oldest record as earliestDatestamp (not 0001-01-01).",
                     "请将最早记录的时间戳作为 earliestDatestamp（不要使用 0001-01-01）。"))
    add(CheckFinding("admin_email", bool(identify.admin_emails), ", ".join(identify.admin_emails) or "none",
                     "Give an adminEmail in Identify so the hub can report harvesting problems.",
                     "请在 Identify 中提供 adminEmail，以便中心报告采集问题。"))
    add(CheckFinding("deleted_record", identify.deleted_record == "persistent",
                     f"deletedRecord={identify.deleted_record}",
                     "Declare and keep deletedRecord 'persistent' so the hub removes withdrawn items.",
                     "请将 deletedRecord 设为 persistent，以便中心删除已撤回的条目。"))
    compression = sorted(c for c in identify.compression if c and c != "identity")
    report.facts["compression_declared"] = compression
    try:
        result = platform.http.get(platform.source.base_url, {"verb": "Identify"}, max_bytes=1024 * 1024)
        used = result.headers.get("Content-Encoding", "") or "identity"
    except HarvestError:
        used = "unknown"
    report.facts["compression_observed"] = used
    add(CheckFinding("compression", used != "identity" or bool(compression),
                     f"declared {compression or 'none'}, observed {used}",
                     "Enable gzip compression of OAI-PMH responses (and declare it in Identify): pages shrink tenfold.",
                     "请启用 OAI-PMH 响应的 gzip 压缩（并在 Identify 中声明），可将页面体积缩小约十倍。"))


def _count_sets(platform: OAIPlatform, report: CheckReport, times: dict[str, int]) -> set[str] | None:
    """Count the sets (within a time budget); the specs listed, or None when the walk did not finish."""
    started = time.perf_counter()
    specs: set[str] = set()
    complete = True
    try:
        for info in platform.client.list_sets():
            specs.add(info.spec)
            if time.perf_counter() - started > SETS_TIME_BUDGET:
                complete = False
                break
    except HarvestError as exc:
        report.facts["sets_error"] = str(exc)
        complete = False
    times["list_sets"] = round((time.perf_counter() - started) * 1000)
    report.facts["sets"] = len(specs) if complete else f"at least {len(specs)}"
    return specs if complete else None


def _crosswalk_finding(platform: OAIPlatform, report: CheckReport) -> None:
    """Whether the platform can read the harvested format at all (a crosswalk, or a mapping of its own)."""
    prefix = platform.metadata_prefix
    readable = sorted(p for p in platform.crosswalks
                      if platform.reads_format(p, platform.crosswalks, platform.source.options))
    ok = platform.reads_format(prefix, platform.crosswalks, platform.source.options)
    report.findings.append(CheckFinding(
        "crosswalk", ok, f"the {platform.name} platform reads {prefix}: {ok}",
        f"The hub has no crosswalk for {prefix!r}: register the repository with the oai-mapped platform and a "
        f"field mapping, or harvest one of: {', '.join(readable)}.",
        f"中心没有 {prefix!r} 格式的转换规则：请改用 oai-mapped 平台并提供字段映射，"
        f"或收割以下格式之一：{', '.join(readable)}。"))


def _interleaved(lists: list[list[Any]]) -> list[Any]:
    """Records of several lists taken in turn (so every sampled set is in the sample), each once."""
    seen: set[str] = set()
    out: list[Any] = []
    for row in range(max((len(records) for records in lists), default=0)):
        for records in lists:
            if row < len(records) and records[row].identifier not in seen:
                seen.add(records[row].identifier)
                out.append(records[row])
    return out


def _set_findings(platform: OAIPlatform, listed: set[str] | None, lists: list[tuple[str | None, list[Any]]],
                  report: CheckReport) -> None:
    """One finding per registered set: the source lists it, and its list delivered records."""
    registered = list(platform.source.sets_include)
    if not registered:
        return
    plan = platform.list_plan()
    delivered = {spec: sum(len(page.records) for page in pages) for spec, pages in lists}
    report.facts["sample_sets"] = {name: delivered.get(spec, "not sampled")
                                   for name, spec in zip(registered, plan, strict=False)}
    for name, spec in zip(registered, plan, strict=False):
        if listed is not None and spec not in listed:
            ok, detail = False, f"set {name!r} does not exist on the source (ListSets does not list it)"
        elif spec not in delivered:
            continue  # beyond SAMPLED_SETS, or its list failed (a list_records finding says so)
        elif not delivered[spec]:
            ok, detail = False, f"set {name!r} has no records in {platform.metadata_prefix}"
        else:
            ok, detail = True, f"set {name!r}: {delivered[spec]} records sampled"
        report.findings.append(CheckFinding(
            f"set:{name}", ok, detail,
            f"Register the repository with sets the source lists and that hold records (ListSets), "
            f"or correct the set spec {name!r}.",
            f"请登记源库 ListSets 中存在且含有记录的集合，或更正集合标识 {name!r}。"))


def _list_pages(platform: OAIPlatform, report: CheckReport,
                times: dict[str, int]) -> list[tuple[str | None, list[Any]]]:
    """(set spec, pages) of the lists the harvest makes: the first list's first two pages (findings
    on page size and resumption), the first page of each further registered set (up to SAMPLED_SETS)."""
    plan = platform.list_plan()[:SAMPLED_SETS]
    lists = [(plan[0], _first_pages(platform, plan[0], report, times))]
    for spec in plan[1:]:
        try:
            page = next(iter(platform.client.list_records(platform.metadata_prefix, set_=spec)), None)
        except HarvestError as exc:
            report.findings.append(CheckFinding(
                "list_records", False, f"set {spec!r}: {exc}",
                "Make ListRecords answer for the chosen format and every registered set.",
                "请确保 ListRecords 对所选格式和每个登记的集合都可以正常响应。"))
            continue
        lists.append((spec, [page] if page is not None else []))
    return lists


def _first_pages(platform: OAIPlatform, set_spec: str | None, report: CheckReport,
                 times: dict[str, int]) -> list[Any]:
    """The first two ListRecords pages of one list; findings on page size and resumption."""
    facts, add = report.facts, report.findings.append
    pages: list[Any] = []
    listing = iter(platform.client.list_records(platform.metadata_prefix, set_=set_spec))
    for number in (1, 2):
        started = time.perf_counter()
        try:
            page = next(listing, None)
        except HarvestError as exc:
            add(CheckFinding("list_records" if number == 1 else "resumption", False, str(exc),
                             "Make ListRecords answer for the chosen format, and keep resumption tokens valid "
                             "for at least an hour.",
                             "请确保 ListRecords 对所选格式可以正常响应，并使 resumptionToken 至少一小时内有效。"))
            break
        times[f"list_records_page{number}"] = round((time.perf_counter() - started) * 1000)
        if page is None:
            break
        pages.append(page)
        if number == 1:
            facts.update(page_size=len(page.records) + len(page.broken), complete_list_size=page.complete_list_size,
                         resumption=bool(page.resumption_token))
            if page.broken:
                add(CheckFinding("broken_records", False, f"{len(page.broken)} unreadable records on page 1",
                                 "Remove characters illegal in XML from the records named in the harvest log.",
                                 "请删除采集日志中所列记录里 XML 不允许的字符。"))
            if not page.resumption_token:
                break
    if len(pages) == 2:
        first = {r.identifier for r in pages[0].records}
        works = bool(pages[1].records) and not first & {r.identifier for r in pages[1].records}
        facts["page2_records"] = len(pages[1].records)
        add(CheckFinding("resumption", works, "page 2 fetched with the resumption token: "
                         + ("new records" if works else "no new records"),
                         "Make resumption tokens return the next page (not the first page again, not an empty one).",
                         "请确保 resumptionToken 返回下一页（而不是重复第一页或返回空页）。"))
    return pages


def platform_strategy(platform: OAIPlatform, granularity: str, paged: bool) -> str:
    """One sentence saying how the hub will harvest this repository."""
    sets = ", ".join(platform.source.sets_include) or "all sets"
    text = (f"ListRecords metadataPrefix={platform.metadata_prefix} ({sets}), "
            f"{'following resumption tokens, ' if paged else ''}incremental from the repository's last "
            f"responseDate ({'seconds' if 'hh' in granularity.lower() else 'day'} granularity) with a small overlap")
    return f"{text}; full texts: {platform.fulltext_strategy()}"


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
