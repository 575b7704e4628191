"""Settings of the hub: every setting, its type, its default and what it does, declared once.

:class:`Settings` is the one place a setting is declared: its annotation is its type, and
``setting(default, doc)`` gives its only default and its documentation. Everything else is
generated from it: :data:`SETTINGS` (the documented list, the README table), the coercion
of environment and instance-file strings, and the checks that reject a bad value with a
:class:`SettingError` naming the setting and the type it wants.

Values come, in order of precedence, from explicit overrides (a test config), ``CHAIR_<NAME>``
environment variables, an instance file (``<instance>/chair.toml``), and the defaults below.
Every backend is chosen by one URL; the defaults need no server at all (SQLite, a local
directory, in-process tasks, pure-Python extraction, SQLite FTS5 search).

A :class:`Settings` is frozen and typed (``hub.settings.HTTP_DEADLINE`` is a ``float``), and
also a read-only mapping (``settings["HTTP_DEADLINE"]``, ``settings.get(...)``, ``"X" in settings``).
Attributes carry the setting's own name, upper case, as in ``CHAIR_<NAME>`` and ``chair.toml``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T", str, int, float, bool)

# What a type is called in an error message an operator reads.
_TYPE_WORDS: dict[type, str] = {bool: "a boolean (bool: true/false, 1/0, yes/no, on/off)",
                                int: "an integer (int)", float: "a number (float)", str: "a string (str)"}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class SettingError(ValueError):
    """A setting is unknown or its value is not of its type; the message names both."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def setting(default: T, doc: str) -> T:
    """Declare a setting's default and documentation (the field's annotation is its type)."""
    return cast(T, dataclasses.field(default=default, metadata={"doc": doc, "type": type(default)}))


@dataclass(frozen=True)
class Setting:
    """One documented setting, as :data:`SETTINGS` lists it."""

    name: str
    default: Any
    doc: str
    type: type

    @property
    def env(self) -> str:
        return f"CHAIR_{self.name}"


@dataclass(frozen=True)
class Settings(Mapping[str, Any]):
    """Every setting of one hub, resolved, typed and frozen; also a read-only mapping by name."""

    DATABASE_URL: str = setting("", 'SQLAlchemy URL of the database. Empty: a SQLite file chair.db in the instance folder.')
    BROKER_URL: str = setting("", 'Celery broker (redis://...). Empty: tasks run in-process.')
    BROKER_VISIBILITY_TIMEOUT: int = setting(3600, 'Seconds before a task taken by a worker that died is delivered again (Redis broker).')
    STORAGE_URL: str = setting("", 'Object store: s3://KEY:SECRET@host:port/bucket, or file:///path. Empty: <instance>/objects.')
    TIKA_URL: str = setting("", 'Apache Tika server URL (http://host:9998). Empty: pure-Python extraction.')
    SEARCH_URL: str = setting("", 'Search backend: elasticsearch+http://host:9200/index, opensearch+http://..., or sqlite:///path. Empty: SQLite FTS5 in the instance folder.')
    # Identity
    SECRET_KEY: str = setting("dev-secret-change-me", 'Signs sessions and OAI-PMH resumption tokens. Must be set: chair serve, gunicorn and chair worker refuse this default or an empty key (chair demo makes its own).')
    SECRET_KEY_FALLBACKS: str = setting("", 'Old secret keys, comma-separated, still accepted to verify sessions and resumption tokens after a rotation (never used to sign).')
    BASE_URL: str = setting("http://127.0.0.1:5000", 'Public base URL of the hub, used in OAI-PMH and feeds. https: HSTS is sent and the session cookie is Secure.')
    # Security headers
    CSP_EXTRA: str = setting("", 'Extra Content-Security-Policy sources, e.g. "img-src https://cdn.example.org; connect-src https://stats.example.org": each directive\'s sources are added to the hub\'s own.')
    PORTAL_FRAME_ANCESTORS: str = setting("'self'", 'Who may frame the portal\'s pages (CSP frame-ancestors sources, e.g. "\'self\' https://library.example.edu"; \'none\': nobody). The admin area is never framed.')
    REFERRER_POLICY: str = setting("strict-origin-when-cross-origin", 'Referrer-Policy header of every response.')
    HSTS_SECONDS: int = setting(31_536_000, 'max-age of Strict-Transport-Security, sent when CHAIR_BASE_URL is https; 0: no HSTS header.')
    REPOSITORY_NAME: str = setting("CHAIR Hub", 'Repository name announced by Identify and shown on the portal.')
    SITE_NAME_ZH: str = setting("CHAIR 高校机构知识库联盟", "The hub's name on the Chinese portal (header, titles, footer); a deployment puts its network's name here.")
    SITE_NAME_EN: str = setting("", "The hub's name on the English portal; empty: REPOSITORY_NAME (the name Identify announces).")
    ADMIN_EMAIL: str = setting("admin@chair.example.org", 'Administrator e-mail announced by OAI-PMH Identify.')
    OAI_IDENTIFIER_PREFIX: str = setting("chair.example.org", "Namespace of the hub's own OAI identifiers: oai:<prefix>:<id>.")
    DEFAULT_LOCALE: str = setting("zh", 'Portal language when the visitor chose none and the browser\'s Accept-Language asks for neither zh nor en (zh or en).')
    THEME: str = setting("default", 'Name of the theme under themes/ whose templates override the default theme.')
    THEMES_PATH: str = setting("", 'Extra folder holding themes (<path>/<THEME>/templates and static), looked up before the built-in themes/.')
    # Harvesting
    ALLOW_PRIVATE_ADDRESSES: bool = setting(False, 'Allow repository and file URLs on private, loopback or link-local addresses (demo and tests only).')
    USER_AGENT: str = setting("CHAIR-Hub/0.1 (+https://chair.example.org/about/harvester)", 'User-Agent sent to member repositories; names a contact URL.')
    HTTP_CONNECT_TIMEOUT: float = setting(10.0, 'Seconds to wait for a TCP connection to a repository.')
    HTTP_READ_TIMEOUT: float = setting(120.0, 'Seconds to wait for bytes from a repository (deep DSpace pages are slow).')
    HTTP_DEADLINE: float = setting(300.0, 'Seconds one request (a harvest page, a check, a webhook, a REST lookup) may take in all, headers and body; a slower answer fails retryably. 0 turns the bound off.')
    HTTP_MAX_RETRIES: int = setting(5, 'Retries of a failed request (5xx, 429, broken bodies) before the run fails resumably.')
    HTTP_BACKOFF_BASE: float = setting(2.0, 'First retry delay in seconds; doubles each retry.')
    HTTP_BACKOFF_MAX: float = setting(300.0, 'Largest delay between two retries, in seconds.')
    HTTP_MAX_RETRY_AFTER: float = setting(3600.0, 'Largest Retry-After honoured, in seconds; a longer one fails the run resumably.')
    HARVEST_MAX_PAGE_BYTES: int = setting(64 * 1024 * 1024, 'Largest OAI-PMH page read, in bytes; a larger one fails the request.')
    HARVEST_MAX_PAGES: int = setting(1_000_000, 'Most pages one list request may follow before the harvest stops as runaway.')
    HARVEST_MAX_EMPTY_PAGES: int = setting(50, 'Consecutive pages without records (but with a token) tolerated before stopping.')
    HARVEST_LIST_RESTARTS: int = setting(1, 'Times a list whose resumption token died is restarted from its original from= before the run ends partial (resumable).')
    HARVEST_MAX_VALUE_CHARS: int = setting(100_000, 'Longest harvested metadata value kept (a title, an abstract), in characters; longer ones are cut with a note on the run.')
    HARVEST_SWEEP_MAX_SHARE: float = setting(0.2, "Largest share of a repository's live records a full harvest (or completeness repair) may tombstone as no longer listed without confirmation.")
    HARVEST_OVERLAP_SECONDS: int = setting(60, 'Overlap subtracted from the last responseDate for the next incremental harvest.')
    HARVEST_STALE_SECONDS: int = setting(600, 'A running harvest without a heartbeat for this long is shown as interrupted.')
    HARVEST_REQUEST_DELAY: float = setting(0.0, 'Seconds to wait between two requests to the same repository (politeness).')
    REPOSITORY_CONCURRENCY: int = setting(2, 'Most requests in flight to one repository, however many workers run.')
    # Full text
    FILE_MAX_BYTES: int = setting(200 * 1024 * 1024, 'Largest full-text file downloaded, in bytes.')
    FILE_DEADLINE: float = setting(1800.0, 'Seconds one full-text file download may take in all (1800 s carries FILE_MAX_BYTES at about 115 KB/s); a slower one fails retryably. 0 turns the bound off.')
    EXTRACT_TIMEOUT: float = setting(120.0, 'Seconds one text extraction may take.')
    EXTRACT_MAX_ATTEMPTS: int = setting(3, 'Failed attempts after which a file is quarantined.')
    EXTRACT_MAX_BYTES: int = setting(200 * 1024 * 1024, 'Largest stored file sent to text extraction, in bytes; larger ones are marked unextractable.')
    EXTRACT_MAX_CHARS: int = setting(10_000_000, 'Most characters of text kept per file (Tika writeLimit); the rest is cut and flagged.')
    EXTRACT_MEMORY_LIMIT: int = setting(1024 * 1024 * 1024, 'Address-space limit, in bytes, of the embedded extraction child process.')
    EXTRACT_WORKERS: int = setting(2, 'Files extracted at once by the embedded extractor: the size of its pool of isolated child processes.')
    TIKA_IN_FLIGHT: int = setting(4, 'Documents sent to the Tika server at once by one extract stage.')
    FILES_WORKERS: int = setting(8, 'Full-text downloads in flight at once in one files stage, across repositories (each repository still gets at most REPOSITORY_CONCURRENCY, or one when HARVEST_REQUEST_DELAY is set).')
    EXTRACT_OCR_LANGUAGES: str = setting("chi_sim+eng", 'Tesseract languages for OCR through Tika of files without a text layer; empty: no OCR.')
    FILE_MAX_ATTEMPTS: int = setting(5, "Failed downloads of one link after which it is only retried with 'chair files fetch --retry-failed'.")
    FILE_RESUME_ATTEMPTS: int = setting(3, 'Times a broken download is resumed (HTTP Range) from the bytes already received.')
    FILES_REDIRECT_TO_STORE: bool = setting(False, 'Serve downloads from S3 by redirecting to a short-lived presigned URL instead of streaming through the hub.')
    FILES_PRESIGN_SECONDS: int = setting(300, 'Lifetime in seconds of a presigned download URL.')
    # Provider
    OAI_PAGE_SIZE_RECORDS: int = setting(100, 'Records per OAI-PMH ListRecords page served by the hub.')
    OAI_PAGE_SIZE_IDENTIFIERS: int = setting(1000, 'Headers per OAI-PMH ListIdentifiers page served by the hub.')
    OAI_TOKEN_LIFETIME: int = setting(7 * 24 * 3600, 'Seconds a resumption token issued by the hub stays valid (at least a day).')
    OAI_READ_AHEAD: bool = setting(False, 'Render the next ListRecords/ListIdentifiers page in a background thread while the harvester reads this one (one page at a time per web process; see docker/OPERATIONS.md).')
    OAI_PAGE_SIZE_SETS: int = setting(100, 'Sets per OAI-PMH ListSets page served by the hub.')
    OAI_ENABLE_SETS: bool = setting(True, 'Serve sets over OAI-PMH; off, ListSets and set= answer noSetHierarchy.')
    RESOURCESYNC_PAGE_SIZE: int = setting(50_000, 'URLs per ResourceSync Resource List or Change List served by the hub (the sitemap limit, 50,000); larger sets get an index of lists.')
    # Bulk dumps (chair dumps build; /data, /api/v1/dumps)
    METADATA_LICENSE: str = setting("CC0-1.0", "SPDX identifier of the licence of the hub's metadata, stated on /data, in /api/v1/dumps and with every dump.")
    # Search
    SEARCH_PAGE_SIZE: int = setting(20, 'Results per search page.')
    SEARCH_MAX_RESULTS: int = setting(10_000, 'Deepest result reachable by paging (deeper pages ask to refine the query).')
    SEARCH_EXPORT_MAX: int = setting(1000, 'Most records one export of a search result (RIS, BibTeX, CSV) holds; the first ones in the result order.')
    # Works (grouping copies of one work)
    WORKS_BUCKET_CAP: int = setting(100, 'Largest blocking bucket (records sharing a DOI, Handle or title key) compared pair by pair when grouping works; larger buckets are no evidence.')
    # Researchers (linking creators to people across members)
    PEOPLE_BUCKET_CAP: int = setting(400, 'Largest blocking bucket (authorships sharing a name key at one member, or an ORCID iD) compared pair by pair when linking researchers; a larger bucket is split by discipline before it is compared.')
    # Admin area, accounts, schedules, health and statistics
    SIGNIN_WINDOW_SECONDS: int = setting(900, 'Window over which failed sign-ins are counted for throttling, in seconds.')
    SIGNIN_MAX_FAILURES_ACCOUNT: int = setting(5, 'Failed sign-ins to one account within the window before it is refused.')
    SIGNIN_MAX_FAILURES_IP: int = setting(20, 'Failed sign-ins from one IP address within the window before it is refused.')
    SESSION_LIFETIME_HOURS: int = setting(12, 'Hours an admin sign-in stays valid (sessions live on the server; signing out ends them).')
    TRUSTED_PROXIES: str = setting("", 'Reverse proxies or load balancers whose X-Forwarded-For is believed: IP addresses or CIDR networks, comma-separated. Empty: the header is ignored and the peer address is the client.')
    # Federated sign-in (统一认证: OpenID Connect and SAML 2.0)
    LOCAL_SIGN_IN_MEMBER_STAFF: bool = setting(True, 'Let member staff (member admins, viewers) sign in with a local password; off: only hub administrators may (break-glass), everyone else signs in through their institution.')
    SSO_CLOCK_SKEW: int = setting(120, 'Seconds of clock difference allowed when checking ID token and assertion times (iat, exp, NotBefore, NotOnOrAfter).')
    SAML_SP_ENTITY_ID: str = setting("", "Entity ID of the hub's SAML service provider. Empty: <BASE_URL>/auth/saml/metadata.")
    SAML_SP_CERT: str = setting("", "PEM file of the SP's signing certificate. Empty: <instance>/saml/sp.crt, made on first use (rotate: docker/OPERATIONS.md).")
    SAML_SP_KEY: str = setting("", "PEM file of the SP's private key. Empty: <instance>/saml/sp.key, made on first use.")
    SAML_SP_NEXT_CERT: str = setting("", 'PEM file of the next SP certificate, published in the metadata beside the current one during a rotation.')
    SAML_XMLSEC_BINARY: str = setting("", 'Path of xmlsec1 (Debian package xmlsec1). Empty: looked up on PATH.')
    FEDERATION_REFRESH_HOURS: int = setting(6, 'Default hours between two refreshes of a federation metadata aggregate (chair sso federation --refresh-hours sets one per federation); an aggregate past its validUntil is refused whatever the schedule.')
    API_TOKEN_DAYS: int = setting(365, 'Days a new personal API token stays valid; 0: until revoked.')
    PASSWORD_MIN_LENGTH: int = setting(12, "Fewest characters of an admin password (common, repeated and sequential passwords and ones holding the user's name or e-mail are refused too).")
    SCHEDULER_ENABLED: bool = setting(False, 'Run the in-process scheduler thread in chair serve/chair demo (embedded defaults; use chair beat with a broker).')
    SCHEDULER_INTERVAL: float = setting(60.0, 'Seconds between two looks of the scheduler for due repositories.')
    HEALTH_SILENT_DAYS: int = setting(7, 'A scheduled repository without a successful harvest for this many days is flagged silent.')
    HEALTH_TREND_DAYS: int = setting(30, 'Days of record and full-text counts shown as a trend on the dashboard.')
    NOTIFY_ENABLED: bool = setting(False, "Send a notice to the member's contact when its repository starts failing.")
    SMTP_URL: str = setting("", 'SMTP server for notices: smtp://[user:password@]host:port (smtps:// for TLS). Empty: no e-mail.')
    MAIL_FROM: str = setting("chair-hub@chair.example.org", "Sender address of the hub's e-mail notices.")
    NOTIFY_WEBHOOK_URL: str = setting("", "URL that receives a JSON POST when a repository starts failing (a repository's options.notify_webhook wins).")
    USAGE_FLUSH_EVENTS: int = setting(200, 'Usage events buffered in memory before they are written in one batch.')
    USAGE_FLUSH_SECONDS: float = setting(5.0, 'Longest time a usage event waits in the buffer before it is written.')
    USAGE_DOUBLE_CLICK_SECONDS: int = setting(30, 'Repeated views or downloads of a record by one visitor within this many seconds count once (COUNTER).')
    WEBHOOK_MAX_ATTEMPTS: int = setting(8, 'Attempts of one change-feed webhook delivery (the first and its retries) before it is marked failed.')
    WEBHOOK_BACKOFF_BASE: float = setting(60.0, 'Seconds before the first retry of a failed webhook delivery; doubles after each failure.')
    WEBHOOK_BACKOFF_MAX: float = setting(21600.0, 'Longest wait between two attempts of a webhook delivery, in seconds.')
    WEBHOOK_TIMEOUT: float = setting(10.0, 'Seconds a webhook receiver has to answer one delivery attempt (connection, headers and body).')
    WEBHOOK_MAX_IDS: int = setting(10000, 'Most record ids listed in one records.changed delivery; beyond it the body says so and links to the API query of the changes.')

    # Resolved, not set: the instance folder (``--instance`` / ``CHAIR_INSTANCE_PATH``) the defaults above
    # that name it are resolved in.
    INSTANCE_PATH: str = ""

    def __post_init__(self) -> None:
        for spec in SETTINGS:
            value = getattr(self, spec.name)
            checked = coerce(spec, value)
            if checked is not value:
                object.__setattr__(self, spec.name, checked)

    # -- the read-only mapping --------------------------------------------------------------------

    def __getitem__(self, name: str) -> Any:
        if name not in _FIELD_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELD_NAMES)

    def __len__(self) -> int:
        return len(_FIELD_NAMES)

    def __contains__(self, name: object) -> bool:
        return name in _FIELD_NAMES

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from ``values`` (a Settings, or a dict of some settings: the rest keep their defaults).

        Raises :class:`SettingError` for an unknown name or a value that is not of its setting's type.
        """
        if isinstance(values, Settings):
            return values
        unknown = sorted(str(k) for k in values if k not in _FIELD_NAMES)
        if unknown:
            raise SettingError(unknown[0], f"unknown setting {unknown[0]!r}")
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (checked like any other value)."""
        unknown = sorted(k for k in changes if k not in _FIELD_NAMES)
        if unknown:
            raise SettingError(unknown[0], f"unknown setting {unknown[0]!r}")
        return dataclasses.replace(self, **changes)


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["doc"], f.metadata["type"])
    for f in dataclasses.fields(Settings) if "doc" in f.metadata
)
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings))


def coerce(spec: Setting, raw: Any, source: str = "") -> Any:
    """``raw`` (an environment string, a TOML value, an override) as ``spec``'s type.

    Raises :class:`SettingError` naming the setting and the type it wants when ``raw`` is not one.
    """
    kind = spec.type
    if type(raw) is kind:
        return raw
    try:
        if kind is bool:
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            if isinstance(raw, int) and raw in (0, 1):
                return bool(raw)
        elif kind is int:
            if isinstance(raw, str):
                return int(raw.strip().replace("_", ""))
        elif kind is float:
            if isinstance(raw, str):
                return float(raw.strip())
            if isinstance(raw, int) and not isinstance(raw, bool):
                return float(raw)
        elif isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return str(raw)
    except ValueError:
        pass
    where = f" (from {source})" if source else ""
    raise SettingError(spec.name, f"setting {spec.env}{where} must be {_TYPE_WORDS[kind]}, not {raw!r}")


def load_settings(instance_path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Every setting resolved: defaults, then the instance file, then the environment, then overrides.

    An unknown name in the instance file or the overrides, or a value that is not of its setting's
    type, raises :class:`SettingError`: a typo must not pass silently.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    instance = Path(instance_path)
    instance_file = instance / "chair.toml"
    if instance_file.is_file():
        with instance_file.open("rb") as fh:
            for key, raw in tomllib.load(fh).items():
                name = key.upper()
                if name not in SETTINGS_BY_NAME:
                    raise SettingError(name, f"unknown setting {name!r} in {instance_file}")
                values[name] = coerce(SETTINGS_BY_NAME[name], raw, str(instance_file))
    for spec in SETTINGS:
        if spec.env in environ:
            values[spec.name] = coerce(spec, environ[spec.env], "the environment")
    for key, raw in (overrides or {}).items():
        name = key.upper()
        if name not in SETTINGS_BY_NAME:
            raise SettingError(name, f"unknown setting {name!r}")
        values[name] = coerce(SETTINGS_BY_NAME[name], raw)
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = f"sqlite:///{instance / 'chair.db'}"
    if not values.get("STORAGE_URL"):
        values["STORAGE_URL"] = f"file://{instance / 'objects'}"
    if not values.get("SEARCH_URL"):
        values["SEARCH_URL"] = f"sqlite:///{instance / 'search.db'}"
    return Settings(**values, INSTANCE_PATH=str(instance))


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
