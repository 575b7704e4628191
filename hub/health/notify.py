"""Notices to a member's contact when its repository starts failing: e-mail (SMTP) and a webhook.

Off unless ``NOTIFY_ENABLED``; e-mail needs ``SMTP_URL`` and the institution's contact address; the
webhook is the repository's ``options.notify_webhook`` or ``NOTIFY_WEBHOOK_URL``. A notice that cannot
be delivered is logged and reported, never raised: the harvest it concerns stands.

The webhook goes through the hub's one HTTP client (:class:`hub.http.HttpClient`): address checks,
a connection pinned to the checked address, the overall ``HTTP_DEADLINE``; a user name and password
in the webhook URL are sent as basic authentication and never shown (:func:`hub.redaction.redact_url`).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from hub.health.explanations import explain
from hub.http import HarvestError, HttpClient, HttpError
from hub.redaction import redact_text, redact_url

log = logging.getLogger(__name__)


def failure_notice(repo: Any, run: Any, base_url: str) -> dict[str, Any]:
    """The facts of a failure notice (the webhook's JSON body; the e-mail is written from it)."""
    kind = ""
    if run is not None and run.errors:
        kind = run.errors[-1].kind
    explanation = explain(kind, "gather")
    return {
        "event": "repository.failing",
        "repository": {"id": repo.id, "name": repo.label, "base_url": repo.base_url},
        "institution": {"slug": repo.institution.slug, "name_en": repo.institution.name_en,
                        "name_zh": repo.institution.name_zh},
        "run": {"id": run.id if run else None, "state": run.state.value if run else "",
                "message": run.message if run else "", "error_kind": kind},
        "advice_en": explanation.action_en,
        "advice_zh": explanation.action_zh,
        "url": f"{base_url.rstrip('/')}/admin/repositories/{repo.id}",
    }


def _email_body(notice: dict[str, Any]) -> str:
    repo, run = notice["repository"], notice["run"]
    return (f"The CHAIR hub can no longer harvest {repo['name']} ({repo['base_url']}).\n"
            f"CHAIR 中心目前无法收割 {repo['name']}（{repo['base_url']}）。\n\n"
            f"Run {run['id']}: {run['state']}\n{run['message']}\n\n"
            f"What to do: {notice['advice_en']}\n处理建议：{notice['advice_zh']}\n\n"
            f"Details / 详情: {notice['url']}\n")


def send_email(settings: Mapping[str, Any], to: str, notice: dict[str, Any]) -> None:
    """Send the notice by e-mail through ``SMTP_URL``."""
    parts = urlsplit(settings["SMTP_URL"])
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = (f"[CHAIR] Harvest failing / 收割失败: {notice['repository']['name']}")
    message.set_content(_email_body(notice))
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or (465 if parts.scheme == "smtps" else 25),
                    timeout=15) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def post_webhook(settings: Mapping[str, Any], url: str, notice: dict[str, Any], http: HttpClient | None = None) -> None:
    """POST the notice as JSON to ``url`` through the hub's HTTP client (``http``, a new one by default):
    no retry, no redirect followed; anything but a 2xx answer raises :class:`hub.http.HarvestError`."""
    client = http or HttpClient(settings)
    try:
        result = client.post_json(url, notice, retries=0, follow_redirects=False, max_bytes=64 * 1024)
    finally:
        if http is None:
            client.close()
    if not 200 <= result.status < 300:
        raise HttpError(f"{redact_url(url)} answered HTTP {result.status}", url=url, status=result.status,
                        retryable=result.status >= 500)


def notify_failing(settings: Mapping[str, Any], repo: Any, run: Any) -> list[str]:
    """Deliver a failure notice by every configured channel; one line per channel tried."""
    if not settings["NOTIFY_ENABLED"]:
        return []
    notice = failure_notice(repo, run, settings["BASE_URL"])
    lines = []
    contact = repo.institution.contact_email
    if settings["SMTP_URL"] and contact:
        try:
            send_email(settings, contact, notice)
            lines.append(f"e-mail sent to {contact}")
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notice e-mail to %s failed: %s", contact, redact_text(str(exc)))
            lines.append(f"e-mail to {contact} failed: {redact_text(str(exc))}")
    webhook = (repo.options or {}).get("notify_webhook") or settings["NOTIFY_WEBHOOK_URL"]
    if webhook:
        shown = redact_url(webhook)
        try:
            post_webhook(settings, webhook, notice)
            lines.append(f"webhook {shown} called")
        except HarvestError as exc:
            log.warning("notice webhook %s failed: %s", shown, redact_text(str(exc)))
            lines.append(f"webhook {shown} failed: {redact_text(str(exc))}")
    return lines
