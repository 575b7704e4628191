"""What each error kind means and what to do about it, in English and Chinese.

Error kinds come from every stage: records the source sent broken (gather), records the hub could
not normalise (import), failed requests that ended a run (their exception's name), full-text
downloads (files) and text extraction (extract). :func:`explain` always answers, falling back to
the stage's general advice for a kind nobody wrote down yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    """A kind's meaning and the action that fixes it, in both languages."""

    kind: str
    title_en: str
    title_zh: str
    action_en: str
    action_zh: str
    who: str  # "member" (fix at the source), "hub" (hub staff) or "wait" (transient)

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en

    def action(self, locale: str) -> str:
        return self.action_zh if locale.startswith("zh") else self.action_en


def _e(kind: str, title_en: str, title_zh: str, action_en: str, action_zh: str, who: str = "member") -> Explanation:
    return Explanation(kind, title_en, title_zh, action_en, action_zh, who)


EXPLANATIONS: dict[str, Explanation] = {e.kind: e for e in (
    _e("unreadable-record", "The source sent a record that is not well-formed XML",
       "源库返回的记录不是格式正确的 XML",
       "The record stays broken even with the characters illegal in XML dropped: an element is unclosed or "
       "mis-nested. Fix the repository's XML output for this record; the hub kept the raw bytes shown below "
       "and harvests the record again once the source is fixed.",
       "即使去除 XML 非法字符后该记录仍不是格式正确的 XML（元素未闭合或嵌套错误）。请修复机构库对该记录的 "
       "XML 输出；中心已保留下方的原始字节，源数据修复后会重新收割该记录。"),
    _e("record-repaired", "The hub repaired a record and imported it",
       "中心修复并导入了一条记录",
       "The record carried characters illegal in XML (or invalid UTF-8), which the hub dropped; its raw bytes "
       "are kept below. Remove those characters from the record's metadata in the repository.",
       "该记录含有 XML 非法字符（或无效的 UTF-8 字节），中心已去除这些字符后导入，原始字节保留在下方。"
       "请在机构库中删除这些字符。"),
    _e("missing-identifier", "A record's header has no identifier",
       "记录头缺少标识符",
       "The hub cannot tell which record this is, so it is not stored. Fix the repository's OAI-PMH output: "
       "every header needs its oai identifier.",
       "中心无法确定这是哪一条记录，因此未保存。请修复机构库的 OAI-PMH 输出：每个记录头都必须带有 OAI 标识符。"),
    _e("value-cut", "A metadata value was too long and was cut",
       "元数据值过长，已截断",
       "A title or abstract longer than the hub keeps (HARVEST_MAX_VALUE_CHARS) was cut for display and "
       "search; the raw metadata keeps it whole. Check the record: such a value is usually an export fault.",
       "标题或摘要超过中心保留的长度（HARVEST_MAX_VALUE_CHARS），显示和检索时已截断；原始元数据完整保留。"
       "请检查该记录：如此长的值通常是导出错误。"),
    _e("empty-metadata", "An update without any metadata was refused",
       "拒绝了没有任何元数据的更新",
       "The source sent this record with no title, creator, abstract or subject; the hub kept the record it "
       "had. Check the record's export in the repository.",
       "源库发送的该记录没有标题、作者、摘要或主题；中心保留了原有记录。请检查机构库中该记录的导出。"),
    _e("swept", "Records the source no longer lists became deleted records",
       "源库不再列出的记录已标记为删除",
       "A full harvest (or a completeness repair) did not see them: the repository dropped them without a "
       "deletion record. They stay as deleted records in the hub's OAI-PMH; if they were dropped by mistake, "
       "restore them in the repository and they come back with the next harvest.",
       "全量收割（或完整性修复）未见到这些记录：机构库删除时未留下删除记录。它们在中心的 OAI-PMH 中保留为已删除记录；"
       "如属误删，请在机构库中恢复，下次收割时即会恢复。", "wait"),
    _e("set-left", "Records left a set",
       "记录已移出集合",
       "A full harvest's list of the set did not deliver them any more, so the hub no longer counts them in it. "
       "Nothing to do if the repository moved them on purpose.",
       "全量收割中该集合的列表不再包含这些记录，中心已将其移出该集合。若机构库是有意调整，则无需处理。", "wait"),
    _e("sweep-held", "Many records were not listed: the deletion is held",
       "大量记录未被列出：删除已暂缓",
       "More records than HARVEST_SWEEP_MAX_SHARE allows were missing from a complete listing, which is more "
       "often an outage than a deletion; nothing was deleted. If they really were withdrawn, confirm with "
       "the command the message names.",
       "完整列表中缺失的记录超过 HARVEST_SWEEP_MAX_SHARE 允许的比例，这通常是故障而非删除；中心未删除任何记录。"
       "如确已撤下，请用消息中给出的命令确认。", "hub"),
    _e("list-restart-failed", "A list could not be finished: its resumption token died again",
       "列表无法完成：恢复令牌再次失效",
       "The hub restarted the list from its original from= and the token died again. Everything read is "
       "stored and the next harvest restarts the list. Longer token lifetimes in the repository fix it.",
       "中心已从原始 from= 重新开始列表，令牌再次失效。已读取的记录均已保存，下次收割将重新开始该列表。"
       "延长机构库的令牌有效期可解决此问题。", "wait"),
    _e("normalise-failed", "The hub could not map the record's metadata",
       "中心无法转换该记录的元数据",
       "Check the record's metadata format and required fields (dc:title, dc:creator, dc:date, dc:type); "
       "if the record looks right, report it to the hub staff: the crosswalk needs a fix.",
       "请检查该记录的元数据格式和必填字段（dc:title、dc:creator、dc:date、dc:type）；"
       "如记录本身无误，请联系中心工作人员修正元数据转换规则。", "hub"),
    _e("not-oai-response", "The repository answered with something that is not OAI-PMH",
       "机构库返回的内容不是 OAI-PMH 响应",
       "The base URL returned an HTML page (a login or error page) or other XML. Check the OAI-PMH base URL, "
       "and that the endpoint is public and not behind a login or firewall rule for harvesters.",
       "基础地址返回了 HTML 页面（登录页或错误页）或其他 XML。请检查 OAI-PMH 基础地址，"
       "并确认接口公开、未被登录或针对收割程序的防火墙规则拦截。"),
    _e("malformed-response", "The repository's response could not be read",
       "无法解析机构库的响应",
       "The response was empty, truncated or not well-formed XML. Check the repository's logs for errors "
       "at the time shown; the next harvest resumes from the last good page.",
       "响应为空、被截断或不是格式正确的 XML。请检查机构库在该时间的错误日志；下次收割将从最后一个正常页面继续。"),
    _e("http-error", "The repository answered with an HTTP error",
       "机构库返回了 HTTP 错误",
       "The server kept failing (5xx) or refused the request (4xx) after every retry. Check that the server "
       "is up and that the URL is right; the harvest resumes from its checkpoint next time.",
       "服务器在多次重试后仍然出错（5xx）或拒绝请求（4xx）。请确认服务器正常运行、地址正确；下次收割将从断点继续。"),
    _e("retry-later", "The repository asked the hub to come back later",
       "机构库要求稍后再访问",
       "The server answered 503 or 429 with a Retry-After longer than the hub waits. Nothing to fix if this "
       "is planned maintenance; otherwise relax the rate limit for the hub's User-Agent.",
       "服务器返回 503 或 429，且 Retry-After 超过中心的最长等待时间。如为计划维护则无需处理；"
       "否则请放宽对中心 User-Agent 的访问频率限制。", "wait"),
    _e("deadline", "The repository took too long to send its answer",
       "机构库发送响应耗时过长",
       "One request (a page, a check or a file) did not finish within the hub's overall deadline "
       "(HTTP_DEADLINE, FILE_DEADLINE): the server stalled or sent its answer very slowly. Check the "
       "server's load and network; the hub tries again later and resumes from its checkpoint.",
       "单个请求（页面、检查或文件）未能在中心规定的总时限（HTTP_DEADLINE、FILE_DEADLINE）内完成："
       "服务器停滞或发送极慢。请检查服务器负载和网络；中心稍后会重试并从断点继续。", "wait"),
    _e("runaway-list", "The repository's list never ends",
       "机构库的列表请求没有终止",
       "The server keeps issuing resumption tokens (the same one again, or past completeListSize). "
       "Fix the resumption token handling of the OAI-PMH module (upgrade DSpace/EPrints).",
       "服务器不断返回恢复令牌（重复同一令牌，或超过 completeListSize）。请修复 OAI-PMH 模块的恢复令牌处理"
       "（升级 DSpace/EPrints）。"),
    _e("oai-error", "The repository answered with an OAI-PMH error",
       "机构库返回了 OAI-PMH 错误",
       "Read the error code in the message (badArgument, cannotDisseminateFormat, badResumptionToken...) "
       "and check the metadata format and set settings of this repository.",
       "请查看消息中的错误代码（badArgument、cannotDisseminateFormat、badResumptionToken 等），"
       "并检查该库的元数据格式和集合设置。"),
    _e("unsafe-url", "The address is not allowed",
       "地址不被允许",
       "The URL points at a private, loopback or link-local address; give the public address of the server.",
       "该地址指向内网、回环或链路本地地址；请提供服务器的公网地址。"),
    _e("response-too-large", "A response was larger than the hub reads",
       "响应超过中心的读取上限",
       "Lower the page size of ListRecords in the repository's OAI-PMH settings.",
       "请在机构库的 OAI-PMH 设置中减小 ListRecords 的每页记录数。"),
    _e("internal-error", "The hub failed on this item",
       "中心处理该条目时出错",
       "A defect in the hub or one of its plugins: the hub staff are looking at it; nothing to change at "
       "the repository.", "中心或其插件存在缺陷，中心工作人员将处理；机构库无需修改。", "hub"),
    _e("token-fallback", "A resumption token expired during the harvest",
       "收割过程中恢复令牌已过期",
       "The hub restarted the whole list from its original from= (lists are not ordered by datestamp): no "
       "records were lost, those read again counted unchanged. Longer token lifetimes in the repository avoid "
       "the extra requests.",
       "中心已从原始 from= 重新开始整个列表（列表并非按时间戳排序），未丢失记录，重复读取的记录计为未变。"
       "延长机构库的令牌有效期可避免额外请求。", "wait"),
    _e("granularity-fallback", "The repository rejected times in from/until",
       "机构库拒绝 from/until 中的时间部分",
       "The hub fell back to day granularity. Declare the granularity the server really supports in Identify.",
       "中心已改用按日粒度。请在 Identify 中声明服务器实际支持的时间粒度。"),
    _e("granularity-unknown", "Identify did not state a usable granularity",
       "Identify 未给出可用的时间粒度",
       "Fix the granularity element of the Identify response (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).",
       "请修正 Identify 响应中的 granularity 元素（YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ssZ）。"),
    _e("runaway-tokens", "Tokens went on past completeListSize",
       "令牌超出 completeListSize 后仍在继续",
       "The hub stopped reading after the announced size. Fix the repository's resumption tokens.",
       "中心已在达到声明的记录总数后停止读取。请修复机构库的恢复令牌。"),
    _e("landing-page", "The full-text link leads to an HTML page, not the file",
       "全文链接指向 HTML 页面而非文件",
       "Put the direct file URL (bitstream, document) in dc:identifier or the record's file list, "
       "not the item's landing page.",
       "请在 dc:identifier 或记录的文件列表中提供文件的直接地址（bitstream、document），而不是条目页面。"),
    _e("http-401", "The full-text file needs a login", "全文文件需要登录",
       "The file is restricted: mark it as such in the metadata (dc:rights, access level) or open it.",
       "该文件受访问限制：请在元数据中注明（dc:rights、访问级别）或将其开放。"),
    _e("http-403", "The full-text file is forbidden to the hub", "全文文件禁止中心访问",
       "Allow the hub's User-Agent to download files, or mark the file as restricted in the metadata.",
       "请允许中心的 User-Agent 下载文件，或在元数据中将文件标为受限。"),
    _e("http-404", "The full-text link is broken", "全文链接已失效",
       "Fix the file link in the record (the file was moved or deleted).",
       "请修正记录中的文件链接（文件已被移动或删除）。"),
    _e("checksum-mismatch", "The file differs from the checksum the source gave", "文件与源库给出的校验和不一致",
       "Re-upload the file or update its checksum in the repository.", "请在机构库中重新上传文件或更新其校验和。"),
    _e("broken-transfer", "The download kept breaking off", "下载多次中断",
       "Check the server's stability for large files; the hub retries later.",
       "请检查服务器传输大文件的稳定性；中心稍后会重试。", "wait"),
    _e("too-large", "The file is larger than the hub accepts", "文件超过中心接受的大小",
       "Split the file or ask the hub staff to raise the limit.", "请拆分文件，或联系中心工作人员提高上限。"),
    _e("empty", "The file was empty", "文件为空", "Re-upload the file in the repository.", "请在机构库中重新上传该文件。"),
    _e("unreachable", "The file's server could not be reached", "无法连接文件所在服务器",
       "Check that the server is up; the hub retries later.", "请确认服务器正常运行；中心稍后会重试。", "wait"),
    _e("encrypted", "The PDF is password-protected", "PDF 文件有密码保护",
       "Upload a version without a password so its text can be indexed.", "请上传无密码的版本，以便全文被索引。"),
    _e("unsupported", "The file's format cannot be read", "无法读取该文件格式",
       "Provide a PDF or HTML version of the full text.", "请提供 PDF 或 HTML 格式的全文。"),
    _e("corrupt", "The file is damaged", "文件已损坏",
       "Open the file yourself; re-upload a good copy.", "请自行打开该文件检查，并重新上传完好的副本。"),
    _e("timeout", "Reading the file's text took too long", "提取文件文本超时",
       "Scanned or very large PDFs time out: provide a text-based PDF.", "扫描版或超大 PDF 会超时：请提供文字版 PDF。"),
    _e("resource-limit", "Reading the file's text ran out of memory", "提取文件文本时内存不足",
       "Provide a smaller or text-based version of the file.", "请提供更小的或文字版的文件。"),
    _e("unavailable", "The text extraction service was down", "文本提取服务不可用",
       "Nothing to do at the repository: the hub retries.", "机构库无需处理：中心会重试。", "hub"),
)}

# Exception class names and other spellings of the same kinds.
ALIASES = {
    "notoairesponse": "not-oai-response", "malformedresponse": "malformed-response", "httperror": "http-error",
    "retrylater": "retry-later", "runawaylist": "runaway-list", "oaiprotocolerror": "oai-error",
    "unsafeurlerror": "unsafe-url", "responsetoolarge": "response-too-large", "harvesterror": "http-error",
    "deadlineexceeded": "deadline",
    "illegal-xml-char": "unreadable-record", "token_fallback": "token-fallback",
    "granularity_fallback": "granularity-fallback", "granularity_unknown": "granularity-unknown",
    "runaway_tokens": "runaway-tokens",
}

STAGE_FALLBACK = {
    "files": _e("files", "The full-text file could not be fetched", "无法获取全文文件",
                "Check the file link in the record; the hub retries transient failures.",
                "请检查记录中的文件链接；中心会重试暂时性故障。"),
    "extract": _e("extract", "The file's text could not be extracted", "无法提取文件文本",
                  "Provide a text-based PDF or HTML version of the file.", "请提供文字版 PDF 或 HTML 版本的文件。"),
}
GENERAL = _e("other", "The hub could not process this item", "中心无法处理该条目",
             "Read the message; if it does not say what to change, ask the hub staff.",
             "请阅读消息内容；如无法判断需要修改什么，请联系中心工作人员。", "hub")


def canonical_kind(kind: str) -> str:
    """The table's key for ``kind`` (exception names and underscores mapped)."""
    key = (kind or "").strip()
    lowered = key.lower()
    if lowered in ALIASES:
        return ALIASES[lowered]
    if key in EXPLANATIONS:
        return key
    if re.fullmatch(r"http-[45]\d\d", lowered) and lowered not in EXPLANATIONS:
        return "http-error"
    return lowered.replace("_", "-")


def explain(kind: str, stage: str = "") -> Explanation:
    """The explanation of an error kind (a stage's general advice when the kind is not in the table)."""
    key = canonical_kind(kind)
    if key in EXPLANATIONS:
        return EXPLANATIONS[key]
    return STAGE_FALLBACK.get(str(stage), GENERAL)
