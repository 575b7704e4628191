"""Robot filtering: user agents whose requests are never counted as usage.

A compact form of the COUNTER robots list (github.com/atmire/COUNTER-Robots): patterns matched
case-insensitively anywhere in the User-Agent. A missing User-Agent counts as a robot too.
"""

from __future__ import annotations

import re
from functools import lru_cache

ROBOT_PATTERNS: tuple[str, ...] = (
    r"bot\b", r"bot[/_;\s-]", r"crawl", r"spider", r"slurp", r"archiver", r"harvest", r"scrap", r"fetcher",
    r"indexer", r"monitor", r"checker", r"validator", r"preview", r"wget", r"curl", r"libwww", r"python-",
    r"python/", r"java/", r"httpclient", r"okhttp", r"go-http-client", r"node-fetch", r"axios", r"aiohttp",
    r"headlesschrome", r"phantomjs", r"selenium", r"puppeteer", r"playwright", r"lighthouse", r"pingdom",
    r"uptime", r"facebookexternalhit", r"baiduspider", r"sogou", r"360spider", r"yisouspider", r"bytespider",
    r"petalbot", r"yandex", r"bingpreview", r"google-?scholar", r"googleother", r"semrush", r"ahrefs", r"mj12",
    r"dotbot", r"ccbot", r"gptbot", r"claudebot", r"anthropic", r"perplexity", r"zotero", r"mendeley",
    r"citeulike", r"oai-?pmh", r"sickle", r"metha", r"chair-hub", r"^java", r"^ruby", r"^perl", r"^php",
    r"^mozilla/4\.0 \(compatible;\)$", r"^-$",
)


@lru_cache(maxsize=1)
def _robots() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in ROBOT_PATTERNS), re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_robot(user_agent: str | None) -> bool:
    """Whether a request with this User-Agent is a robot's (never counted)."""
    if not user_agent or not user_agent.strip():
        return True
    return _robots().search(user_agent) is not None
