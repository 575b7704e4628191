"""Admin page of one's personal API tokens (/admin/api-tokens): make one (shown once), list, revoke.

A member administrator makes tokens for their own member; hub staff choose the member. The new token is
shown on the answer to the form itself (never put in a flash message or the session cookie) with
``Cache-Control: no-store``. Hub administrators see and may revoke every token; a member's
administrators see and may revoke its tokens (a colleague's who left, say). Tokens are :mod:`hub.accounts.tokens`; the API actions they open,
:mod:`hub.web.api_write`.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.permissions import Action, can
from hub.accounts.tokens import (
    MAX_NAME_LENGTH,
    Refusal,
    TokenRefused,
    create_token,
    may_revoke,
    revoke_token,
    state_of,
    visible_tokens,
)
from hub.models import Institution, User
from hub.web.admin import bp, hub
from hub.web.admin.auth import client_ip, current_user, login_required


def _members(user: User) -> list[Institution]:
    """The members ``user`` may make tokens for."""
    query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
    if not can(user, Action.VIEW_NETWORK):
        if user.institution_id is None:
            return []
        query = query.where(Institution.id == user.institution_id)
    return [i for i in g.db.scalars(query) if can(user, Action.VIEW_INSTITUTION, i.id)]


def _page(status: int = 200, *, secret: str = "", name: str = ""):
    user = current_user()
    tokens = visible_tokens(g.db, user)
    body = render_template("admin/api_tokens.html", tokens=tokens, members=_members(user),
                           secret=secret, name=name, state_of=state_of, may_revoke=may_revoke,
                           max_name=MAX_NAME_LENGTH, expiry_days=int(hub().settings["API_TOKEN_DAYS"]),
                           everyone=any(t.user_id != user.id for t in tokens))
    return body, status, {"Cache-Control": "no-store"}


@bp.get("/api-tokens")
@login_required
def api_tokens():
    """One's personal API tokens, and the form that makes one."""
    return _page()


@bp.post("/api-tokens")
@login_required
def api_token_create():
    """Make a token; the answer shows it, once."""
    user = current_user()
    name = request.form.get("name", "")
    members = {str(m.id): m for m in _members(user)}
    chosen = request.form.get("member", "")
    if len(members) == 1 and not chosen:
        chosen = next(iter(members))
    member = members.get(chosen)
    if member is None:
        g.db.rollback()
        flash(gettext("Choose a member the token acts for."), "error")
        return _page(422, name=name)
    try:
        made = create_token(g.db, hub().settings, user, member, name, actor=user, ip=client_ip())
    except TokenRefused as exc:
        g.db.rollback()
        message = (gettext("Give the token a name of 1 to %(n)s characters.", n=MAX_NAME_LENGTH)
                   if exc.kind is Refusal.BAD_NAME else gettext("You may not make tokens for this member."))
        flash(message, "error")
        return _page(422, name=name)
    g.db.commit()
    return _page(201, secret=made.secret)


@bp.post("/api-tokens/<int:token_id>/revoke")
@login_required
def api_token_revoke(token_id: int):
    """Revoke a token: it opens nothing from now on."""
    try:
        token = revoke_token(g.db, token_id, actor=current_user(), ip=client_ip())
    except LookupError:
        abort(404)
    g.db.commit()
    flash(gettext("Token %(prefix)s… revoked.", prefix=token.prefix))
    return redirect(url_for("admin.api_tokens"))
