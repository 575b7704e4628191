"""The discovery page (/auth/login) and sign-out (/auth/logout).

/auth/login lists the enabled identity providers by member, named in Chinese and English, beside the link to
local sign-in. ``?q=`` filters on the server (either language, the member's names, the provider's slug and
scopes); auth.js does the same filtering as one types, without a reload (a script file: the CSP allows no
inline script). The provider chosen last is remembered in a cookie (:data:`CHOICE_COOKIE`) and shown first.

/auth/logout (POST, CSRF-checked) ends the hub session and, when it came from a provider that offers single
logout, sends the browser there (through a page of the hub's, :func:`continue_page`): OpenID Connect's
``end_session_endpoint`` with ``id_token_hint``; a SAML session goes to the SAML views' ``auth.saml_logout``
with what it needs in the Flask session (``slo``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response

from hub.accounts.audit import log_action
from hub.accounts.providers import list_providers
from hub.accounts.sessions import session_row
from hub.models import Institution
from hub.models.accounts import SignInMethod
from hub.models.federation import IdentityProvider, Protocol
from hub.web.admin.auth import check_csrf, client_ip, end_session
from hub.web.auth import bp, hub
from hub.web.links import same_site_target

CHOICE_COOKIE = "chair_idp"
CHOICE_DAYS = 365
MAX_QUERY = 100

# The view that starts a sign-in, per protocol (the SAML views register theirs).
LOGIN_ENDPOINTS = {Protocol.OIDC: "auth.oidc_login", Protocol.SAML: "auth.saml_login"}


@dataclass
class Choice:
    """One provider on the page: where its sign-in starts and the text the search matches."""

    provider: IdentityProvider
    url: str
    search: str
    remembered: bool = False


@dataclass
class Group:
    """The providers of one member (or of the whole hub, ``institution`` None)."""

    institution: Institution | None
    choices: list[Choice] = field(default_factory=list)


def search_text(provider: IdentityProvider) -> str:
    """Everything a search matches for ``provider``, lower-cased: its names in both languages, its member's
    names, its slug and scopes."""
    parts = [provider.name_zh, provider.name_en, provider.slug, *(provider.scopes or [])]
    if provider.institution is not None:
        parts += [provider.institution.name_zh, provider.institution.name_en, provider.institution.slug]
    return " ".join(p for p in parts if p).casefold()


def matches(text: str, query: str) -> bool:
    """Whether every word of ``query`` is in ``text`` (both lower-cased; a Chinese query is one word)."""
    return all(word in text for word in query.casefold().split())


def login_url(provider: IdentityProvider, next_url: str | None) -> str | None:
    """Where ``provider``'s sign-in starts, or None when no view of its protocol is installed."""
    endpoint = LOGIN_ENDPOINTS.get(provider.protocol)
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, slug=provider.slug, next=next_url) if next_url else url_for(endpoint, slug=provider.slug)


def remember_choice(response: Response, slug: str) -> Response:
    """Remember the provider chosen (its slug) in a cookie, to list it first next time."""
    response.set_cookie(CHOICE_COOKIE, slug, max_age=CHOICE_DAYS * 24 * 3600, samesite="Lax", httponly=True,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/auth/")
    return response


def groups(providers: list[IdentityProvider], query: str, remembered: str, next_url: str | None,
           locale: str) -> tuple[list[Group], Choice | None]:
    """The providers matching ``query``, grouped by member (members by name in ``locale``, hub-wide providers
    last), and the remembered one (also shown first, above the groups)."""
    by_member: dict[int | None, Group] = {}
    first: Choice | None = None
    for provider in providers:
        url = login_url(provider, next_url)
        text = search_text(provider)
        if url is None or (query and not matches(text, query)):
            continue
        choice = Choice(provider, url, text, provider.slug == remembered)
        if choice.remembered:
            first = choice
        by_member.setdefault(provider.institution_id, Group(provider.institution)).choices.append(choice)

    def order(group: Group) -> tuple[int, str]:
        if group.institution is None:
            return (1, "")
        name = group.institution.name_zh if locale == "zh" else group.institution.name_en
        return (0, name or group.institution.name_en or group.institution.slug)

    found = sorted(by_member.values(), key=order)
    for group in found:
        group.choices.sort(key=lambda c: c.provider.name(locale))
    return found, first


@bp.get("/login", endpoint="login")
def login_page():
    """The discovery page: which institution do you sign in with?"""
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    next_url = same_site_target(request.args.get("next"))
    locale = str(get_locale() or "zh")[:2]
    remembered = request.cookies.get(CHOICE_COOKIE, "")[:64]
    found, first = groups(list_providers(g.db, enabled_only=True), query, remembered, next_url, locale)
    local = url_for("admin.sign_in", next=next_url) if next_url else url_for("admin.sign_in")
    return render_template("auth/login.html", groups=found, first=first, query=query, local_url=local, next_url=next_url,
                           locale=locale, total=sum(len(group.choices) for group in found))


def federated_logout_target(provider: IdentityProvider | None, method: SignInMethod,
                            logout: dict | None) -> str | None:
    """Where single logout of a session goes after the hub session ended, or None (no single logout)."""
    if provider is None or not provider.enabled:
        return None
    if method == SignInMethod.OIDC and provider.protocol == Protocol.OIDC:
        from hub.accounts.oidc import end_session_url

        return end_session_url(provider, (logout or {}).get("id_token_hint", ""),
                               hub().settings["BASE_URL"].rstrip("/") + url_for("auth.logged_out"))
    if method == SignInMethod.SAML and "auth.saml_logout" in current_app.view_functions:
        session["slo"] = {"provider": provider.slug, **(logout or {})}
        return url_for("auth.saml_logout")
    return None


def sign_out_response(done: str | None = None) -> Response:
    """End this request's hub session (committed here) and answer with what follows: the provider's single
    logout when the session came from one that offers it (:func:`continue_page`), otherwise a redirect to
    ``done`` (default: the signed-out page)."""
    row = session_row(g.db, session.get("sid"))
    target, provider = None, None
    if row is not None and row.method != SignInMethod.LOCAL:
        provider = g.db.get(IdentityProvider, row.provider_id) if row.provider_id else None
        method, logout, user = row.method, row.logout, g.get("user")
        end_session(g.db)
        log_action(g.db, user, "sso.sign-out", target_type="provider", target_id=provider.slug if provider else "",
                   institution_id=user.institution_id if user else None, ip=client_ip(),
                   after={"provider": provider.slug if provider else None, "subject": row.subject})
        target = federated_logout_target(provider, method, logout)
    else:
        end_session(g.db)
    g.db.commit()
    if target is None:
        return redirect(done or url_for("auth.logged_out"))
    return continue_page(target, provider.name(str(get_locale() or "zh")) if provider is not None else "")


def continue_page(target: str, provider_name: str) -> Response:
    """The page that sends the browser on to the provider's single logout after a sign-out form.

    Not a redirect: browsers hold the redirect of a form's POST to the page's ``form-action 'self'`` policy
    (hub.web.security), which another site's logout breaks. The page is the hub's; a ``Refresh`` header
    moves on at once (a navigation of its own, not the form's) and the page carries the link too."""
    response = make_response(render_template("auth/signing_out.html", target=target, provider=provider_name))
    response.headers["Refresh"] = f"0; url={target}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logout", endpoint="logout")
def logout():
    """Sign out: the hub session ends, then single logout at the provider where it offers one."""
    check_csrf()
    return sign_out_response()


@bp.get("/logged-out", endpoint="logged_out")
def logged_out():
    """Where single logout comes back to: the session has ended."""
    return render_template("auth/logged_out.html", message=gettext("You are signed out."))
