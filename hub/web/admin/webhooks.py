"""Admin pages of the change feed's webhook subscriptions (/admin/webhooks/...).

- ``GET /admin/webhooks`` — the subscriptions the user may see, and the form to make one (member
  administrators for their member; hub administrators for one member or all);
- ``POST /admin/webhooks`` — make one; the answer shows its secret, this once;
- ``GET /admin/webhooks/<id>`` — a subscription and its delivery log (recent deliveries: state,
  attempts, status, response excerpt, error, and every attempt);
- ``POST /admin/webhooks/<id>/test`` — send a test delivery; ``POST .../active`` — switch deliveries
  off or on again; ``POST .../delete`` — delete it with its log.

Signing in, sessions, CSRF and the 403 page are the admin area's (:func:`install_request_hooks`); a
member administrator gets 403 for another member's subscription, whatever the method. Every change is
written to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import delete, select

from hub.accounts.audit import log_action
from hub.accounts.permissions import AccessDenied
from hub.exchange.webhooks.subscriptions import (
    SUBSCRIBABLE,
    SubscriptionError,
    create_subscription,
    may_manage,
    may_view,
    recent_deliveries,
    send_test_delivery,
    visible_subscriptions,
)
from hub.models import Institution, WebhookDelivery, WebhookSubscription
from hub.web.admin import THEME, hub, install_request_hooks
from hub.web.admin.auth import client_ip, current_user, login_required

ALL_MEMBERS = "all"

bp = Blueprint("webhooks_admin", __name__, url_prefix="/admin", template_folder=str(THEME / "templates"))

install_request_hooks(bp)


def _subscription(subscription_id: int, manage: bool = False) -> WebhookSubscription:
    """The subscription, 404 when there is none, 403 when the user may not see (or manage) it."""
    subscription = g.db.get(WebhookSubscription, subscription_id)
    if subscription is None:
        abort(404)
    user = current_user()
    if not may_view(user, subscription) or (manage and not may_manage(user, subscription.institution_id)):
        raise AccessDenied("webhook subscription")
    return subscription


def _member_choices() -> list[tuple[str, str]]:
    """The members the user may subscribe for, as (form value, label); "all" first for hub administrators."""
    user = current_user()
    choices = [(ALL_MEMBERS, gettext("All members"))] if may_manage(user, None) else []
    for inst in g.db.scalars(select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)):
        if may_manage(user, inst.id):
            choices.append((str(inst.id), f"{inst.slug} · {inst.name_zh or inst.name_en}"))
    return choices


def _names() -> dict[int, str]:
    return {i.id: i.slug for i in g.db.scalars(select(Institution))}


def _snapshot(subscription: WebhookSubscription) -> dict:
    return {"url": subscription.url, "institution_id": subscription.institution_id,
            "events": list(subscription.events or []), "active": subscription.active,
            "description": subscription.description}


def _list_page(form: dict, error: str = "", status: int = 200):
    return render_template("admin/webhooks.html", subscriptions=visible_subscriptions(g.db, current_user()),
                           names=_names(), choices=_member_choices(), kinds=SUBSCRIBABLE, form=form,
                           error=error), status


@bp.get("/webhooks")
@login_required
def webhooks():
    """The subscriptions the user may see, and the form to make one."""
    return _list_page({"events": [k.value for k in SUBSCRIBABLE]})


@bp.post("/webhooks")
@login_required
def webhook_create():
    """Make a subscription; the page shows its secret, this once (403 for a member the user may not manage)."""
    form = {"url": request.form.get("url", ""), "member": request.form.get("member", ""),
            "events": request.form.getlist("events"), "description": request.form.get("description", "")}
    member = form["member"]
    if member == ALL_MEMBERS:
        institution_id = None
    elif member.isdigit():
        institution_id = int(member)
    else:
        return _list_page(form, gettext("Choose a member."), 422)
    if not may_manage(current_user(), institution_id):
        raise AccessDenied("webhook subscription")
    try:
        made = create_subscription(g.db, hub().settings, current_user(), form["url"], institution_id,
                                   form["events"], form["description"])
    except SubscriptionError as exc:
        g.db.rollback()
        return _list_page(form, str(exc), 422)
    subscription = made.subscription
    log_action(g.db, current_user(), "webhook.add", target_type="webhook", target_id=subscription.id,
               institution_id=institution_id, after=_snapshot(subscription), ip=client_ip())
    g.db.commit()
    return render_template("admin/webhook.html", subscription=subscription, secret=made.secret, names=_names(),
                           deliveries=[], manage=True), 201


@bp.get("/webhooks/<int:subscription_id>")
@login_required
def webhook(subscription_id: int):
    """A subscription and its delivery log."""
    subscription = _subscription(subscription_id)
    return render_template("admin/webhook.html", subscription=subscription, secret=None, names=_names(),
                           deliveries=recent_deliveries(g.db, subscription.id),
                           manage=may_manage(current_user(), subscription.institution_id))


@bp.post("/webhooks/<int:subscription_id>/test")
@login_required
def webhook_test(subscription_id: int):
    """Send a test delivery now (retried like any other when the receiver fails)."""
    subscription = _subscription(subscription_id, manage=True)
    log_action(g.db, current_user(), "webhook.test", target_type="webhook", target_id=subscription.id,
               institution_id=subscription.institution_id, ip=client_ip())
    g.db.commit()
    delivery_id, line = send_test_delivery(hub(), subscription.id)
    flash(gettext("Test delivery %(id)s: %(line)s.", id=delivery_id, line=line.split(": ", 1)[-1]))
    return redirect(url_for("webhooks_admin.webhook", subscription_id=subscription.id))


@bp.post("/webhooks/<int:subscription_id>/active")
@login_required
def webhook_active(subscription_id: int):
    """Switch deliveries off (pending ones then fail at their next attempt) or on again (``active=1``)."""
    subscription = _subscription(subscription_id, manage=True)
    before = _snapshot(subscription)
    subscription.active = request.form.get("active") == "1"
    log_action(g.db, current_user(), "webhook.edit", target_type="webhook", target_id=subscription.id,
               institution_id=subscription.institution_id, before=before, after=_snapshot(subscription),
               ip=client_ip())
    g.db.commit()
    flash(gettext("Deliveries on.") if subscription.active else gettext("Deliveries off."))
    return redirect(url_for("webhooks_admin.webhook", subscription_id=subscription.id))


@bp.post("/webhooks/<int:subscription_id>/delete")
@login_required
def webhook_delete(subscription_id: int):
    """Delete the subscription and its delivery log."""
    subscription = _subscription(subscription_id, manage=True)
    before = _snapshot(subscription)
    g.db.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    g.db.delete(subscription)
    log_action(g.db, current_user(), "webhook.delete", target_type="webhook", target_id=subscription_id,
               institution_id=before["institution_id"], before=before, ip=client_ip())
    g.db.commit()
    flash(gettext("Subscription deleted."))
    return redirect(url_for("webhooks_admin.webhooks"))


def init_app(app: Flask) -> None:
    """Register the webhook subscription pages."""
    app.register_blueprint(bp)
