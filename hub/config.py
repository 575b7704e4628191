"""Settings of the hub: every setting, its default and what it does.

Values come, in order of precedence, from ``CHAIR_<NAME>`` environment variables, an
instance file (``<instance>/chair.toml``), and the defaults below. Every backend is
chosen by one URL; the defaults need no server at all (SQLite, a local directory,
in-process tasks, pure-Python extraction, SQLite FTS5 search).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    doc: str

    @property
    def env(self) -> str:
        return f"CHAIR_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    # Backends
    Setting("DATABASE_URL", "", "SQLAlchemy URL of the database. Empty: a SQLite file chair.db in the instance folder."),
    Setting("BROKER_URL", "", "Celery broker (redis://...). Empty: tasks run in-process."),
    Setting("BROKER_VISIBILITY_TIMEOUT", 3600, "Seconds before a task taken by a worker that died is delivered again (Redis broker)."),
    Setting("STORAGE_URL", "", "Object store: s3://KEY:SECRET@host:port/bucket, or file:///path. Empty: <instance>/objects."),
    Setting("TIKA_URL", "", "Apache Tika server URL (http://host:9998). Empty: pure-Python extraction."),
    Setting("SEARCH_URL", "", "Search backend: elasticsearch+http://host:9200/index, opensearch+http://..., or sqlite:///path. Empty: SQLite FTS5 in the instance folder."),
    # Identity
    Setting("SECRET_KEY", "dev-secret-change-me", "Signs sessions and OAI-PMH resumption tokens. Must be set: chair serve, gunicorn and chair worker refuse this default or an empty key (chair demo makes its own)."),
    Setting("SECRET_KEY_FALLBACKS", "", "Old secret keys, comma-separated, still accepted to verify sessions and resumption tokens after a rotation (never used to sign)."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public base URL of the hub, used in OAI-PMH and feeds. https: HSTS is sent and the session cookie is Secure."),
    # Security headers
    Setting("CSP_EXTRA", "", "Extra Content-Security-Policy sources, e.g. \"img-src https://cdn.example.org; connect-src https://stats.example.org\": each directive's sources are added to the hub's own."),
    Setting("PORTAL_FRAME_ANCESTORS", "'self'", "Who may frame the portal's pages (CSP frame-ancestors sources, e.g. \"'self' https://library.example.edu\"; 'none': nobody). The admin area is never framed."),
    Setting("REFERRER_POLICY", "strict-origin-when-cross-origin", "Referrer-Policy header of every response."),
    Setting("HSTS_SECONDS", 31_536_000, "max-age of Strict-Transport-Security, sent when CHAIR_BASE_URL is https; 0: no HSTS header."),
    Setting("REPOSITORY_NAME", "CHAIR Hub", "Repository name announced by Identify and shown on the portal."),
    Setting("SITE_NAME_ZH", "CHAIR 高校机构知识库联盟", "The hub's name on the Chinese portal (header, titles, footer); a deployment puts its network's name here."),
    Setting("SITE_NAME_EN", "", "The hub's name on the English portal; empty: REPOSITORY_NAME (the name Identify announces)."),
    Setting("ADMIN_EMAIL", "admin@chair.example.org", "Administrator e-mail announced by OAI-PMH Identify."),
    Setting("OAI_IDENTIFIER_PREFIX", "chair.example.org", "Namespace of the hub's own OAI identifiers: oai:<prefix>:<id>."),
    Setting("DEFAULT_LOCALE", "zh", "Portal language when the visitor chose none (zh or en)."),
    Setting("THEME", "default", "Name of the theme under themes/ whose templates override the default theme."),
    Setting("THEMES_PATH", "", "Extra folder holding themes (<path>/<THEME>/templates and static), looked up before the built-in themes/."),
    # Harvesting
    Setting("ALLOW_PRIVATE_ADDRESSES", False, "Allow repository and file URLs on private, loopback or link-local addresses (demo and tests only)."),
    Setting("USER_AGENT", "CHAIR-Hub/0.1 (+https://chair.example.org/about/harvester)", "User-Agent sent to member repositories; names a contact URL."),
    Setting("HTTP_CONNECT_TIMEOUT", 10.0, "Seconds to wait for a TCP connection to a repository."),
    Setting("HTTP_READ_TIMEOUT", 120.0, "Seconds to wait for bytes from a repository (deep DSpace pages are slow)."),
    Setting("HTTP_DEADLINE", 300.0, "Seconds one request (a harvest page, a check, a webhook, a REST lookup) may take in all, headers and body; a slower answer fails retryably. 0 turns the bound off."),
    Setting("HTTP_MAX_RETRIES", 5, "Retries of a failed request (5xx, 429, broken bodies) before the run fails resumably."),
    Setting("HTTP_BACKOFF_BASE", 2.0, "First retry delay in seconds; doubles each retry."),
    Setting("HTTP_BACKOFF_MAX", 300.0, "Largest delay between two retries, in seconds."),
    Setting("HTTP_MAX_RETRY_AFTER", 3600.0, "Largest Retry-After honoured, in seconds; a longer one fails the run resumably."),
    Setting("HARVEST_MAX_PAGE_BYTES", 64 * 1024 * 1024, "Largest OAI-PMH page read, in bytes; a larger one fails the request."),
    Setting("HARVEST_MAX_PAGES", 1_000_000, "Most pages one list request may follow before the harvest stops as runaway."),
    Setting("HARVEST_MAX_EMPTY_PAGES", 50, "Consecutive pages without records (but with a token) tolerated before stopping."),
    Setting("HARVEST_LIST_RESTARTS", 1, "Times a list whose resumption token died is restarted from its original from= before the run ends partial (resumable)."),
    Setting("HARVEST_MAX_VALUE_CHARS", 100_000, "Longest harvested metadata value kept (a title, an abstract), in characters; longer ones are cut with a note on the run."),
    Setting("HARVEST_SWEEP_MAX_SHARE", 0.2, "Largest share of a repository's live records a full harvest (or completeness repair) may tombstone as no longer listed without confirmation."),
    Setting("HARVEST_OVERLAP_SECONDS", 60, "Overlap subtracted from the last responseDate for the next incremental harvest."),
    Setting("HARVEST_STALE_SECONDS", 600, "A running harvest without a heartbeat for this long is shown as interrupted."),
    Setting("HARVEST_REQUEST_DELAY", 0.0, "Seconds to wait between two requests to the same repository (politeness)."),
    Setting("REPOSITORY_CONCURRENCY", 2, "Most requests in flight to one repository, however many workers run."),
    # Full text
    Setting("FILE_MAX_BYTES", 200 * 1024 * 1024, "Largest full-text file downloaded, in bytes."),
    Setting("FILE_DEADLINE", 1800.0, "Seconds one full-text file download may take in all (1800 s carries FILE_MAX_BYTES at about 115 KB/s); a slower one fails retryably. 0 turns the bound off."),
    Setting("EXTRACT_TIMEOUT", 120.0, "Seconds one text extraction may take."),
    Setting("EXTRACT_MAX_ATTEMPTS", 3, "Failed attempts after which a file is quarantined."),
    Setting("EXTRACT_MAX_BYTES", 200 * 1024 * 1024, "Largest stored file sent to text extraction, in bytes; larger ones are marked unextractable."),
    Setting("EXTRACT_MAX_CHARS", 10_000_000, "Most characters of text kept per file (Tika writeLimit); the rest is cut and flagged."),
    Setting("EXTRACT_MEMORY_LIMIT", 1024 * 1024 * 1024, "Address-space limit, in bytes, of the embedded extraction child process."),
    Setting("EXTRACT_OCR_LANGUAGES", "chi_sim+eng", "Tesseract languages for OCR through Tika of files without a text layer; empty: no OCR."),
    Setting("FILE_MAX_ATTEMPTS", 5, "Failed downloads of one link after which it is only retried with 'chair files fetch --retry-failed'."),
    Setting("FILE_RESUME_ATTEMPTS", 3, "Times a broken download is resumed (HTTP Range) from the bytes already received."),
    Setting("FILES_REDIRECT_TO_STORE", False, "Serve downloads from S3 by redirecting to a short-lived presigned URL instead of streaming through the hub."),
    Setting("FILES_PRESIGN_SECONDS", 300, "Lifetime in seconds of a presigned download URL."),
    # Provider
    Setting("OAI_PAGE_SIZE_RECORDS", 100, "Records per OAI-PMH ListRecords page served by the hub."),
    Setting("OAI_PAGE_SIZE_IDENTIFIERS", 1000, "Headers per OAI-PMH ListIdentifiers page served by the hub."),
    Setting("OAI_TOKEN_LIFETIME", 7 * 24 * 3600, "Seconds a resumption token issued by the hub stays valid (at least a day)."),
    Setting("OAI_READ_AHEAD", False, "Render the next ListRecords/ListIdentifiers page in a background thread while "
            "the harvester reads this one (one page at a time per web process; see docker/OPERATIONS.md)."),
    Setting("OAI_PAGE_SIZE_SETS", 100, "Sets per OAI-PMH ListSets page served by the hub."),
    Setting("OAI_ENABLE_SETS", True, "Serve sets over OAI-PMH; off, ListSets and set= answer noSetHierarchy."),
    Setting("RESOURCESYNC_PAGE_SIZE", 50_000, "URLs per ResourceSync Resource List or Change List served by the hub (the sitemap limit, 50,000); larger sets get an index of lists."),
    # Bulk dumps (chair dumps build; /data, /api/v1/dumps)
    Setting("METADATA_LICENSE", "CC0-1.0", "SPDX identifier of the licence of the hub's metadata, stated on /data, in /api/v1/dumps and with every dump."),
    # Search
    Setting("SEARCH_PAGE_SIZE", 20, "Results per search page."),
    Setting("SEARCH_MAX_RESULTS", 10_000, "Deepest result reachable by paging (deeper pages ask to refine the query)."),
    Setting("SEARCH_EXPORT_MAX", 1000, "Most records one export of a search result (RIS, BibTeX, CSV) holds; the first ones in the result order."),
    # Works (grouping copies of one work)
    Setting("WORKS_BUCKET_CAP", 100, "Largest blocking bucket (records sharing a DOI, Handle or title key) compared pair by pair when grouping works; larger buckets are no evidence."),
    # Admin area, accounts, schedules, health and statistics
    Setting("SIGNIN_WINDOW_SECONDS", 900, "Window over which failed sign-ins are counted for throttling, in seconds."),
    Setting("SIGNIN_MAX_FAILURES_ACCOUNT", 5, "Failed sign-ins to one account within the window before it is refused."),
    Setting("SIGNIN_MAX_FAILURES_IP", 20, "Failed sign-ins from one IP address within the window before it is refused."),
    Setting("SESSION_LIFETIME_HOURS", 12, "Hours an admin sign-in stays valid (sessions live on the server; signing out ends them)."),
    Setting("TRUSTED_PROXIES", "", "Reverse proxies or load balancers whose X-Forwarded-For is believed: IP addresses or CIDR networks, comma-separated. Empty: the header is ignored and the peer address is the client."),
    Setting("PASSWORD_MIN_LENGTH", 12, "Fewest characters of an admin password (common, repeated and sequential passwords and ones holding the user's name or e-mail are refused too)."),
    Setting("SCHEDULER_ENABLED", False, "Run the in-process scheduler thread in chair serve/chair demo (embedded defaults; use chair beat with a broker)."),
    Setting("SCHEDULER_INTERVAL", 60.0, "Seconds between two looks of the scheduler for due repositories."),
    Setting("HEALTH_SILENT_DAYS", 7, "A scheduled repository without a successful harvest for this many days is flagged silent."),
    Setting("HEALTH_TREND_DAYS", 30, "Days of record and full-text counts shown as a trend on the dashboard."),
    Setting("NOTIFY_ENABLED", False, "Send a notice to the member's contact when its repository starts failing."),
    Setting("SMTP_URL", "", "SMTP server for notices: smtp://[user:password@]host:port (smtps:// for TLS). Empty: no e-mail."),
    Setting("MAIL_FROM", "chair-hub@chair.example.org", "Sender address of the hub's e-mail notices."),
    Setting("NOTIFY_WEBHOOK_URL", "", "URL that receives a JSON POST when a repository starts failing (a repository's options.notify_webhook wins)."),
    Setting("USAGE_FLUSH_EVENTS", 200, "Usage events buffered in memory before they are written in one batch."),
    Setting("USAGE_FLUSH_SECONDS", 5.0, "Longest time a usage event waits in the buffer before it is written."),
    Setting("USAGE_DOUBLE_CLICK_SECONDS", 30, "Repeated views or downloads of a record by one visitor within this many seconds count once (COUNTER)."),
    Setting("WEBHOOK_MAX_ATTEMPTS", 8, "Attempts of one change-feed webhook delivery (the first and its retries) before it is marked failed."),
    Setting("WEBHOOK_BACKOFF_BASE", 60.0, "Seconds before the first retry of a failed webhook delivery; doubles after each failure."),
    Setting("WEBHOOK_BACKOFF_MAX", 21600.0, "Longest wait between two attempts of a webhook delivery, in seconds."),
    Setting("WEBHOOK_TIMEOUT", 10.0, "Seconds a webhook receiver has to answer one delivery attempt (connection, headers and body)."),
    Setting("WEBHOOK_MAX_IDS", 10000, "Most record ids listed in one records.changed delivery; beyond it the body says so and links to the API query of the changes."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    """Turn a raw value (an environment string, a TOML value) into the default's type."""
    default = setting.default
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int) and not isinstance(default, bool):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return str(raw)


def load_settings(instance_path: str | os.PathLike, overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting resolved: defaults, then the instance file, then the environment, then overrides.

    Unknown keys in the instance file or overrides raise ``ValueError``: a typo must not pass silently.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    instance_file = Path(instance_path) / "chair.toml"
    if instance_file.is_file():
        with instance_file.open("rb") as fh:
            for key, raw in tomllib.load(fh).items():
                key = key.upper()
                if key not in SETTINGS_BY_NAME:
                    raise ValueError(f"unknown setting {key!r} in {instance_file}")
                values[key] = _coerce(SETTINGS_BY_NAME[key], raw)
    for setting in SETTINGS:
        if setting.env in environ:
            values[setting.name] = _coerce(setting, environ[setting.env])
    for key, raw in (overrides or {}).items():
        key = key.upper()
        if key not in SETTINGS_BY_NAME:
            raise ValueError(f"unknown setting {key!r}")
        values[key] = _coerce(SETTINGS_BY_NAME[key], raw)
    instance = Path(instance_path)
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'chair.db'}"
    if not values["STORAGE_URL"]:
        values["STORAGE_URL"] = f"file://{instance / 'objects'}"
    if not values["SEARCH_URL"]:
        values["SEARCH_URL"] = f"sqlite:///{instance / 'search.db'}"
    values["INSTANCE_PATH"] = str(instance)
    return values


def default_instance_path() -> Path:
    """The instance folder: ``CHAIR_INSTANCE_PATH`` or ``./instance``."""
    return Path(os.environ.get("CHAIR_INSTANCE_PATH", "instance")).resolve()


def markdown_table() -> str:
    """The settings as a Markdown table (README.md's configuration section is made with it)."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = "(empty)" if s.default == "" else f"`{s.default}`"
        lines.append(f"| `{s.env}` | {default} | {s.doc} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
