"""Backend checks behind ``chair doctor``: reachable, version, what is wrong and how to fix it.

Each check is a function of the settings that returns one :class:`CheckResult`;
backends added by later modules register theirs in ``CHECKS``; a check of things there may be several of
(identity providers, federations) returns a list and is in ``MULTI_CHECKS``. No line shows a secret: the user
name and password of every URL (in the URL column and in any error message) are hidden
(:func:`hub.redaction.redact_url`), whichever check produced them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from hub.redaction import redact_text, redact_url


@dataclass
class CheckResult:
    """One line of ``chair doctor``."""

    name: str
    ok: bool
    url: str
    detail: str


def _redact(url: str) -> str:
    """A URL with its user name and password hidden."""
    return redact_url(url)


def check_database(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["DATABASE_URL"]
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
        with engine.connect() as conn:
            version = conn.execute(text("select sqlite_version()" if url.startswith("sqlite") else "show server_version")).scalar()
        engine.dispose()
        from hub.db import Database

        db = Database(url)
        current, head = db.current_revision(), db.head_revision()
        db.dispose()
        if current != head:
            return CheckResult("database", False, _redact(url),
                               f"{engine.dialect.name} {version}; schema at {current or 'empty'}, code expects {head}: "
                               "run 'chair db upgrade'")
        return CheckResult("database", True, _redact(url), f"{engine.dialect.name} {version}, schema {current}")
    except Exception as exc:
        return CheckResult("database", False, _redact(url),
                           f"unreachable: {str(exc).splitlines()[0]}; start the database or fix CHAIR_DATABASE_URL")


def check_broker(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["BROKER_URL"]
    if not url:
        return CheckResult("broker", True, "(none)", "tasks run in-process; set CHAIR_BROKER_URL for workers")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        info = client.info("server")
        return CheckResult("broker", True, _redact(url), f"redis {info.get('redis_version')}")
    except Exception as exc:
        return CheckResult("broker", False, _redact(url),
                           f"unreachable: {exc}; start Redis or fix CHAIR_BROKER_URL")


def check_storage(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["STORAGE_URL"]
    try:
        from storage import open_store

        return CheckResult("storage", True, _redact(url), open_store(url).describe())
    except Exception as exc:
        hint = ("start the S3 server, create the access key or fix CHAIR_STORAGE_URL (s3://KEY:SECRET@host:port/bucket)"
                if url.startswith(("s3", "minio")) else "create the folder, make it writable or fix CHAIR_STORAGE_URL")
        return CheckResult("storage", False, _redact(url), f"unusable: {str(exc).splitlines()[0] if str(exc) else exc!r}; {hint}")


def check_tika(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["TIKA_URL"]
    from storage.extract import make_extractor

    try:
        detail = make_extractor(settings).describe()
    except Exception as exc:
        return CheckResult("tika", False, _redact(url), f"{exc}; start Tika (java -jar tika-server-standard.jar --host "
                                                "127.0.0.1 --port 9998) or unset CHAIR_TIKA_URL for embedded extraction")
    return CheckResult("tika" if url else "extraction", True, _redact(url) or "(embedded)", detail)


def check_search(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["SEARCH_URL"]
    from hub.search import make_backend

    try:
        backend = make_backend(settings)
        try:
            detail = backend.describe()
        finally:
            backend.close()
    except Exception as exc:
        return CheckResult("search", False, _redact(url), f"unusable: {str(exc).splitlines()[0] if str(exc) else exc!r}; "
                           "start the search engine or fix CHAIR_SEARCH_URL, then run 'chair index rebuild'")
    return CheckResult("search", True, _redact(url), detail)


def check_secret_key(settings: Mapping[str, Any]) -> CheckResult:
    """CHAIR_SECRET_KEY set to a value of the operator's (not the development key, not empty)."""
    from hub.signing import fallback_keys, secret_key_problem

    problem = secret_key_problem(settings)
    if problem:
        return CheckResult("signing", False, "CHAIR_SECRET_KEY", problem)
    fallbacks = len(fallback_keys(settings))
    return CheckResult("signing", True, "CHAIR_SECRET_KEY",
                       f"set; {fallbacks} old key(s) accepted for verification" if fallbacks else "set")


def check_saml(settings: Mapping[str, Any]) -> CheckResult:
    """xmlsec1 (Debian package xmlsec1) and the SP certificate of SAML sign-in. Without xmlsec1 SAML sign-in
    cannot work: a failure when SAML providers are registered, a note otherwise."""
    from hub.accounts.saml import SamlError, sp_entity_id, xmlsec_binary
    from hub.accounts.saml_keys import SpKeyError, certificate_expiry, sp_keys

    try:
        binary = xmlsec_binary(settings)
    except SamlError as exc:
        needed = bool(_providers(settings, saml_only=True))
        return CheckResult("saml", not needed, settings["SAML_XMLSEC_BINARY"] or "xmlsec1",
                           exc.detail if needed else f"{exc.detail} (needed only for SAML sign-in)")
    try:
        keys = sp_keys(settings)
        expiry = certificate_expiry(keys.cert_file)
    except (SpKeyError, ValueError, OSError) as exc:
        return CheckResult("saml", False, binary, f"SP key or certificate unusable: {exc}")
    from hub.models import utcnow

    detail = f"SP {sp_entity_id(settings)}, certificate valid until {expiry.date().isoformat()}"
    if keys.next_cert_file:
        detail += ", next certificate published"
    if expiry <= utcnow():
        return CheckResult("saml", False, binary, f"{detail}: expired, rotate it (docker/OPERATIONS.md)")
    return CheckResult("saml", True, binary, detail)


def _providers(settings: Mapping[str, Any], saml_only: bool = False) -> list[Any]:
    """The enabled identity providers and the federation sources (detached); [] before the schema exists."""
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from hub.db import Database
    from hub.models.federation import FederationSource, IdentityProvider, Protocol

    db = Database(settings["DATABASE_URL"])
    try:
        if not inspect(db.engine).has_table("identity_provider"):
            return []
        with db.session() as session:
            query = select(IdentityProvider).where(IdentityProvider.enabled.is_(True)).order_by(IdentityProvider.slug)
            if saml_only:
                query = query.where(IdentityProvider.protocol == Protocol.SAML)
            rows: list[Any] = list(session.scalars(query).all())
            if not saml_only:
                rows += list(session.scalars(select(FederationSource).order_by(FederationSource.name)).all())
            session.expunge_all()
            return rows
    except SQLAlchemyError:  # the database line says what is wrong with the database
        return []
    finally:
        db.dispose()


def provider_url(provider: Any) -> str:
    """Where a provider is asked whether it answers: OIDC's discovery document, SAML's sign-in service."""
    from hub.models.federation import Protocol

    if provider.protocol == Protocol.OIDC:
        return provider.key.rstrip("/") + "/.well-known/openid-configuration"
    from lxml import etree

    try:
        root = etree.fromstring((provider.config or {}).get("metadata_xml", "").encode("utf-8"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return ""
    services = root.findall(".//{urn:oasis:names:tc:SAML:2.0:metadata}SingleSignOnService")
    return next((s.get("Location", "") for s in services if s.get("Binding", "").endswith("HTTP-Redirect")),
                services[0].get("Location", "") if services else "")


def reachable(settings: Mapping[str, Any], url: str, want_ok: bool) -> str:
    """"" when ``url`` answers (HTTP 200 for a discovery document; any answer below 500 for a sign-in
    service, which refuses a bare GET), else why not. The hub's HTTP client: address rules, short timeouts."""
    from hub.config import Settings
    from hub.http import HarvestError, HttpClient

    if not url:
        return "no sign-in service in its metadata"
    quick = Settings.from_mapping(settings).replace(HTTP_MAX_RETRIES=0, HTTP_CONNECT_TIMEOUT=5.0,
                                                     HTTP_READ_TIMEOUT=10.0, HTTP_DEADLINE=15.0)
    client = HttpClient(quick)
    try:
        status = client.get(url, max_bytes=2 * 1024 * 1024).status
    except HarvestError as exc:
        return f"unreachable: {exc}"
    finally:
        client.close()
    if status >= 500 or (want_ok and status != 200):
        return f"answered HTTP {status}"
    return ""


def check_identity_providers(settings: Mapping[str, Any]) -> list[CheckResult]:
    """One line per identity provider registered on its own (reachable?) and per federation source (its
    metadata's validUntil and last refresh, and how many of its providers assigned to a member answer)."""
    from concurrent.futures import ThreadPoolExecutor

    from hub.accounts.federation_metadata import expiry_problem
    from hub.models.federation import FederationSource, IdentityProvider, Protocol

    rows = _providers(settings)
    # A federation lists hundreds of IdPs: only those assigned to a member are asked (the others sign nobody in).
    providers = [r for r in rows if isinstance(r, IdentityProvider)
                 and (r.source_id is None or r.institution_id is not None)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        urls = [provider_url(p) for p in providers]
        problems = list(pool.map(lambda pair: reachable(settings, pair[1], pair[0].protocol == Protocol.OIDC),
                                 zip(providers, urls, strict=True)))
    results: list[CheckResult] = []
    for provider, url, problem in zip(providers, urls, problems, strict=True):
        if provider.source_id is None:
            results.append(CheckResult("idp", not problem, url or provider.key,
                                       f"{provider.slug} ({provider.protocol.value}): {problem or 'answers'}"))
    for source in (r for r in rows if isinstance(r, FederationSource)):
        mine = [(p, problem) for p, problem in zip(providers, problems, strict=True) if p.source_id == source.id]
        down = [p.slug for p, problem in mine if problem]
        expiry = expiry_problem(source)
        until = source.valid_until.isoformat() if source.valid_until else "no validUntil"
        detail = (f"{source.name}: {expiry or f'metadata valid until {until}'}; "
                  f"{len(mine) - len(down)} of {len(mine)} identity providers of members answer")
        if down:
            detail += f" (not: {', '.join(down[:5])}{' ...' if len(down) > 5 else ''})"
        results.append(CheckResult("federation", not expiry.startswith(("metadata expired", "never")),
                                   source.location, detail))
    return results


CHECKS: list[Callable[[Mapping[str, Any]], CheckResult]] = [check_database, check_broker, check_storage, check_tika,
                                                         check_search, check_secret_key, check_saml]
# Checks of things there may be several of (one line each).
MULTI_CHECKS: list[Callable[[Mapping[str, Any]], list[CheckResult]]] = [check_identity_providers]


def run_checks(settings: Mapping[str, Any]) -> list[CheckResult]:
    """Run every backend check; a check that raises is reported as failed, never propagated."""
    results = []
    for check in CHECKS:
        try:
            result = check(settings)
        except Exception as exc:
            result = CheckResult(check.__name__.removeprefix("check_"), False, "", f"check failed: {exc}")
        results.append(CheckResult(result.name, result.ok, redact_url(result.url), redact_text(result.detail)))
    for multi in MULTI_CHECKS:
        try:
            found = multi(settings)
        except Exception as exc:
            found = [CheckResult(multi.__name__.removeprefix("check_"), False, "", f"check failed: {exc}")]
        results.extend(CheckResult(r.name, r.ok, redact_url(r.url), redact_text(r.detail)) for r in found)
    return results
