"""Admin views of identity providers (hub administrators): the list with each provider's member, scopes and
state, adding an OpenID Connect provider, enabling and disabling one; adding a SAML identity provider from
its metadata (a URL, or the XML pasted) and adding or refreshing a federation's signed metadata aggregate
(CARSI), with the list of federations. The same registry and functions as ``chair sso`` (:mod:`hub.accounts.
providers`, :mod:`hub.accounts.federation_metadata`); a value they refuse is shown on the form in the page's
language (HTTP 422) and nothing is saved. Every change is an audit entry naming the administrator."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.permissions import Action
from hub.accounts.providers import add_oidc_provider, list_providers, parse_provisioning, set_enabled
from hub.models import Institution
from hub.web.admin import bp, hub
from hub.web.admin.auth import client_ip, current_user, login_required, require

FIELDS = ("slug", "issuer", "client_id", "client_secret", "member", "scopes", "provisioning", "name_zh", "name_en")


def _members() -> list[Institution]:
    return list(g.db.scalars(select(Institution).where(Institution.removed_at.is_(None))
                             .order_by(Institution.slug)).all())


def _page(form: dict[str, str], error: str = "", status: int = 200, **forms: Any):
    """The page; ``forms``: the SAML and federation forms' values and errors (``saml``, ``saml_error``,
    ``federation``, ``federation_error``, ``refresh_error``)."""
    from hub.web.admin.saml_forms import page_context

    return render_template("admin/identity_providers.html", providers=list_providers(g.db), members=_members(),
                           form=form, error=error, **page_context(forms)), status


@bp.get("/identity-providers")
@login_required
def identity_providers():
    """Every identity provider, and the form that adds an OpenID Connect one."""
    require(Action.MANAGE_PROVIDERS)
    return _page({"provisioning": "pending"})


@bp.post("/identity-providers")
@login_required
def identity_provider_add():
    """Add an OpenID Connect provider from the form."""
    require(Action.MANAGE_PROVIDERS)
    form = {name: request.form.get(name, "").strip()[:1024] for name in FIELDS}
    try:
        provider = add_oidc_provider(
            g.db, slug=form["slug"], issuer=form["issuer"], client_id=form["client_id"],
            client_secret=form["client_secret"], member=form["member"] or None,
            scopes=[s for s in re.split(r"[\s,;]+", form["scopes"]) if s],
            provisioning=parse_provisioning(form["provisioning"] or "pending"), name_zh=form["name_zh"],
            name_en=form["name_en"], allow_http=hub().settings.ALLOW_PRIVATE_ADDRESSES, actor=current_user(),
            ip=client_ip())
    except (ValueError, LookupError) as exc:
        g.db.rollback()
        form["client_secret"] = ""
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return _page(form, str(message), 422)
    g.db.commit()
    flash(gettext("Identity provider %(slug)s added.", slug=provider.slug))
    return redirect(url_for("admin.identity_providers"))


@bp.post("/identity-providers/state")
@login_required
def identity_provider_state():
    """Enable or disable a provider (form fields ``slug`` and ``enabled``, 1 or 0)."""
    require(Action.MANAGE_PROVIDERS)
    slug, wanted = request.form.get("slug", "")[:64], request.form.get("enabled", "")
    if not slug or wanted not in ("0", "1"):
        return _page({"provisioning": "pending"}, gettext("Choose a provider to enable or disable."), 422)
    try:
        set_enabled(g.db, slug, wanted == "1", actor=current_user(), ip=client_ip())
    except LookupError:
        abort(404)
    g.db.commit()
    flash(gettext("Identity provider %(slug)s enabled.", slug=slug) if wanted == "1"
          else gettext("Identity provider %(slug)s disabled.", slug=slug))
    return redirect(url_for("admin.identity_providers"))
