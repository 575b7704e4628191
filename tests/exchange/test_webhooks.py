"""The change feed: signed webhook deliveries to a real local receiver (werkzeug, on loopback) that
records every request and answers 500 or stalls on demand; harvests of the sample repositories make
the events; the admin pages are driven as a browser would (sign-in, CSRF tokens from the forms)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from hub.accounts.users import create_user
from hub.exchange.webhooks.deliveries import deliver_due, event_payload, queue_event, retry_delay, send_now
from hub.exchange.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureCheck,
    check_signature,
    sign,
    signature_headers,
    verify_signature,
)
from hub.exchange.webhooks.subscriptions import SubscriptionError, check_receiver_url, create_subscription
from hub.harvest.gather import HarvestSummary
from hub.members import add_institution, add_repository
from hub.models import DeliveryState, EventKind, Record, Role, User, WebhookDelivery, WebhookSubscription
from hub.pipeline.harvest import after_harvest
from hub.pipeline.harvest import harvest as run_harvest
from hub.scheduling.runner import tick
from hub.states import RunState
from tests.admin.conftest import PASSWORD, csrf_of, sign_in, start_site
from tests.core.servers import serve_app

MAX_ATTEMPTS = 3
BACKOFF = 30.0


@pytest.fixture
def overrides(overrides):
    """The test hub's settings, with webhook retries bounded for the tests."""
    return {**overrides, "WEBHOOK_MAX_ATTEMPTS": MAX_ATTEMPTS, "WEBHOOK_BACKOFF_BASE": BACKOFF,
            "WEBHOOK_TIMEOUT": 1.0, "BASE_URL": "https://hub.example.org"}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: records every request; answers the statuses queued in ``plan`` first
    (``"stall"``: answers only after the hub's timeout), then 200."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    plan: list[int | str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.requests.append(Received(request.path, dict(request.headers), request.get_data()))
            step = self.plan.pop(0) if self.plan else 200
        if step == "stall":
            time.sleep(2.5)  # longer than WEBHOOK_TIMEOUT: the hub has given up by then
            step = 200
        return Response(f"receiver says {step}", status=int(step))(environ, start_response)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    with serve_app(made) as url:
        made.url = url.rstrip("/")
        yield made


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@dataclass
class Network:
    donghai: int
    xiling: int
    donghai_repo: int
    xiling_repo: int


@pytest.fixture
def network(hub) -> Iterator[Network]:
    server, site = start_site(records=6)
    with hub.db.session() as session:
        a = add_institution(session, "donghai", "Donghai University", "东海大学")
        b = add_institution(session, "xiling", "Xiling University", "西岭大学")
        ra = add_repository(session, hub.pm, hub.settings, member="donghai", platform="oai",
                            base_url=site.base_url("donghai"), name="Donghai IR")
        rb = add_repository(session, hub.pm, hub.settings, member="xiling", platform="oai",
                            base_url=site.base_url("xiling"), name="Xiling ePrints")
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(session, "staff", PASSWORD, Role.VIEWER)
        create_user(session, "dh-admin", PASSWORD, Role.MEMBER_ADMIN, member="donghai")
        create_user(session, "xl-admin", PASSWORD, Role.MEMBER_ADMIN, member="xiling")
        made = Network(a.id, b.id, ra.id, rb.id)
    yield made
    server.shutdown()
    server.server_close()


def subscribe(hub, username: str, url: str, institution_id: int | None,
              events: tuple[str, ...] = ("records.changed", "harvest.failed")) -> tuple[int, str]:
    with hub.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        made = create_subscription(session, hub.settings, user, url, institution_id, events)
        session.commit()
        return made.subscription.id, made.secret


def harvest(hub, repository_id: int):
    """A harvest as the scheduler runs it: the run, then its follow-ups (the change feed among them)."""
    outcome = run_harvest(hub, repository_id)
    return outcome.summary, outcome.lines()


def deliveries(hub, subscription_id: int) -> list[WebhookDelivery]:
    with hub.db.session() as session:
        return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                                    .order_by(WebhookDelivery.id)))


def assert_signed(received: Received, secret: str) -> None:
    assert verify_signature(secret, received.body, received.headers.get(TIMESTAMP_HEADER),
                            received.headers.get(SIGNATURE_HEADER)), received.headers


def signed_in(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.csrf = csrf_of(client, "/admin/")
    return client


# -- the signature scheme ----------------------------------------------------------------------------


def test_the_documented_verification_accepts_the_signed_body_and_refuses_forgeries_and_replays():
    secret, body, now = "s3cret", b'{"event": "records.changed", "record_ids": [1, 2]}', 1_800_000_000
    headers = signature_headers(secret, body, now)
    timestamp, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", signature)
    assert verify_signature(secret, body, timestamp, signature, now=now + 10)
    # a body changed by one byte, another secret, a timestamp moved to make an old signature look fresh
    assert check_signature(secret, body.replace(b"1", b"3"), timestamp, signature, now=now) == SignatureCheck.MISMATCH
    assert check_signature("other", body, timestamp, signature, now=now) == SignatureCheck.MISMATCH
    assert check_signature(secret, body, str(now + 600), signature, now=now + 600) == SignatureCheck.MISMATCH
    # the same request replayed later than the tolerance
    assert check_signature(secret, body, timestamp, signature, now=now + 301) == SignatureCheck.STALE
    assert not verify_signature(secret, body, timestamp, signature, now=now + 301)
    # headers missing or in another form
    assert check_signature(secret, body, None, signature, now=now) == SignatureCheck.MALFORMED
    assert check_signature(secret, body, timestamp, signature.removeprefix("sha256="), now=now) == SignatureCheck.MALFORMED
    assert check_signature(secret, body, timestamp, "sha1=" + "0" * 40, now=now) == SignatureCheck.MALFORMED
    # the signed string is "<timestamp>.<body>": a signature of the body alone does not pass
    import hashlib
    import hmac

    bare = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert check_signature(secret, body, timestamp, bare, now=now) == SignatureCheck.MISMATCH
    assert sign(secret, timestamp, body) == signature


def test_receiver_urls_must_be_http_and_callable(hub):
    assert check_receiver_url(" https://example.org/hook ", hub.settings) == "https://example.org/hook"
    for bad in ("ftp://example.org/hook", "javascript:alert(1)", "https://user:pw@example.org/hook", "https:///x"):
        with pytest.raises(SubscriptionError):
            check_receiver_url(bad, hub.settings)
    with pytest.raises(SubscriptionError, match="may not call"):
        check_receiver_url("http://127.0.0.1:9/hook", {**hub.settings, "ALLOW_PRIVATE_ADDRESSES": False})


# -- events made by harvests -------------------------------------------------------------------------


def test_a_harvest_sends_one_signed_delivery_per_run_to_its_member_and_hub_wide_subscriptions(hub, network, receiver):
    a_id, a_secret = subscribe(hub, "dh-admin", receiver.url + "/a", network.donghai)
    b_id, b_secret = subscribe(hub, "xl-admin", receiver.url + "/b", network.xiling)
    all_id, all_secret = subscribe(hub, "root", receiver.url + "/all", None, ("records.changed",))

    summary, lines = harvest(hub, network.donghai_repo)
    assert summary.changed_ids and any(line.startswith("webhooks: 2 deliveries") for line in lines), lines
    assert len(receiver.at("/a")) == 1 and len(receiver.at("/all")) == 1 and receiver.at("/b") == []
    received = receiver.at("/a")[0]
    assert_signed(received, a_secret)
    assert not verify_signature(b_secret, received.body, received.headers[TIMESTAMP_HEADER],
                                received.headers[SIGNATURE_HEADER])
    assert_signed(receiver.at("/all")[0], all_secret)
    body = received.payload()
    with hub.db.session() as session:
        ids = sorted(session.scalars(select(Record.id).where(Record.repository_id == network.donghai_repo)))
    assert received.headers[EVENT_HEADER] == body["event"] == "records.changed"
    assert body["member"]["slug"] == "donghai" and body["repository"]["id"] == network.donghai_repo
    assert body["record_ids"] == ids and body["record_ids_complete"] is True and body["deleted_ids"] == []
    assert body["counts"] == {"created": len(ids), "updated": 0, "deleted": 0, "changed": len(ids)}
    assert body["run"]["id"] == summary.run_id
    assert body["links"]["member_records"] == "https://hub.example.org/api/v1/records?institution=donghai&deleted=true"
    assert body["links"]["resourcesync"] == "https://hub.example.org/.well-known/resourcesync"
    (row,) = deliveries(hub, a_id)
    assert (row.state, row.attempts, row.status_code, row.event) == (DeliveryState.DELIVERED, 1, 200, EventKind.RECORDS_CHANGED)
    assert row.body.encode() == received.body and received.headers[DELIVERY_HEADER] == str(row.id)
    assert row.response_excerpt == "receiver says 200"

    # xiling's harvest reaches xiling's subscription and the hub-wide one, never donghai's
    harvest(hub, network.xiling_repo)
    assert len(receiver.at("/a")) == 1 and len(receiver.at("/b")) == 1 and len(receiver.at("/all")) == 2
    assert receiver.at("/b")[0].payload()["member"]["slug"] == "xiling"
    assert_signed(receiver.at("/b")[0], b_secret)
    # a harvest that changed nothing tells nobody
    again, _ = harvest(hub, network.donghai_repo)
    assert not again.changed_ids and len(receiver.requests) == 4


def test_a_failed_harvest_is_delivered_to_the_subscriptions_that_asked_for_it(hub, network, receiver, dead_url):
    wants_failures, secret = subscribe(hub, "dh-admin", receiver.url + "/failures", network.donghai, ("harvest.failed",))
    subscribe(hub, "dh-admin", receiver.url + "/changes", network.donghai, ("records.changed",))
    subscribe(hub, "xl-admin", receiver.url + "/xiling", network.xiling)
    with hub.db.session() as session:
        broken = add_repository(session, hub.pm, hub.settings, member="donghai", platform="oai", base_url=dead_url,
                                name="Donghai broken").id
    summary, _ = harvest(hub, broken)
    assert summary.state.value == "failed"
    assert [r.path for r in receiver.requests] == ["/failures"]
    received = receiver.requests[0]
    assert_signed(received, secret)
    body = received.payload()
    assert body["event"] == "harvest.failed" and body["repository"]["id"] == broken
    assert body["run"]["id"] == summary.run_id and body["run"]["message"] == summary.message != ""
    assert deliveries(hub, wants_failures)[0].state == DeliveryState.DELIVERED


def test_deleted_records_and_long_id_lists_are_told_as_such(hub, network, receiver):
    harvest(hub, network.donghai_repo)  # before any subscription: nobody is told
    assert receiver.requests == []
    _, secret = subscribe(hub, "dh-admin", receiver.url + "/a", network.donghai, ("records.changed",))
    with hub.db.session() as session:
        first, second, third = sorted(session.scalars(select(Record.id).where(
            Record.repository_id == network.donghai_repo)))[:3]
        session.get(Record, second).deleted = True
        session.commit()
    # a repair's summary carries no counters: they come from the records themselves
    after_harvest(hub, HarvestSummary(network.donghai_repo, None, RunState.SUCCEEDED, changed_ids=[third, second, first]))
    body = receiver.requests[-1].payload()
    assert body["record_ids"] == [first, second, third] and body["deleted_ids"] == [second]
    assert body["counts"] == {"created": 0, "updated": 2, "deleted": 1, "changed": 3}
    hub.configure(WEBHOOK_MAX_IDS=2)
    after_harvest(hub, HarvestSummary(network.donghai_repo, None, RunState.SUCCEEDED, changed_ids=[third, second, first]))
    received = receiver.requests[-1]
    assert_signed(received, secret)
    body = received.payload()
    assert body["record_ids"] == [first, second] and body["record_ids_complete"] is False
    assert body["counts"]["changed"] == 3 and len(receiver.requests) == 2


# -- retries and the delivery log --------------------------------------------------------------------


def _queue_test_event(hub, subscription_id: int) -> int:
    with hub.db.session() as session:
        subscription = session.get(WebhookSubscription, subscription_id)
        payload = event_payload(EventKind.TEST, {"note": "retry test"}, hub.settings["BASE_URL"])
        (delivery_id,) = queue_event(session, EventKind.TEST, subscription.institution_id, payload, [subscription])
        session.commit()
    return delivery_id


def test_a_receiver_answering_500_then_200_gets_the_delivery_on_the_retry_and_the_log_shows_both(
        app, hub, network, receiver):
    sub_id, secret = subscribe(hub, "dh-admin", receiver.url + "/a", network.donghai)
    receiver.plan = [500]
    delivery_id = _queue_test_event(hub, sub_id)
    send_now(hub, [delivery_id])
    (row,) = deliveries(hub, sub_id)
    assert (row.state, row.attempts, row.status_code) == (DeliveryState.PENDING, 1, 500)
    first_at = row.log[0]["at"]
    assert row.next_attempt_at is not None
    assert (row.next_attempt_at - datetime.fromisoformat(first_at)).total_seconds() == BACKOFF
    assert deliver_due(hub) == []  # not due yet: nothing is sent before its time
    assert len(receiver.requests) == 1

    lines = tick(hub, now=row.next_attempt_at + timedelta(seconds=1))  # the scheduler's periodic look
    assert f"webhook delivery {delivery_id}: delivered" in lines
    (row,) = deliveries(hub, sub_id)
    assert (row.state, row.attempts, row.status_code) == (DeliveryState.DELIVERED, 2, 200)
    assert [a["status"] for a in row.log] == [500, 200] and row.log[0]["at"] == first_at and row.error == ""
    assert [r.headers[DELIVERY_HEADER] for r in receiver.requests] == [str(delivery_id)] * 2
    for received in receiver.requests:  # each attempt signed anew, the same body
        assert_signed(received, secret)
        assert received.body == row.body.encode()

    client = signed_in(app, "dh-admin")
    page = client.get(f"/admin/webhooks/{sub_id}?lang=en").get_data(as_text=True)
    assert "receiver says 200" in page and "HTTP 500" in page
    assert re.search(r'class="delivery-state" data-state="delivered">.*</span> delivered</span>', page)
    chinese = client.get(f"/admin/webhooks/{sub_id}?lang=zh").get_data(as_text=True)  # the state in the page's language
    assert re.search(r'class="delivery-state" data-state="delivered">.*</span> 已送达</span>', chinese)
    assert "</span> delivered</span>" not in chinese


def test_a_dead_receiver_ends_failed_after_the_maximum_attempts(hub, network, dead_url):
    sub_id, _ = subscribe(hub, "dh-admin", dead_url, network.donghai)
    delivery_id = _queue_test_event(hub, sub_id)
    send_now(hub, [delivery_id])
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        (row,) = deliveries(hub, sub_id)
        assert row.state == DeliveryState.PENDING and row.status_code is None and row.error
        waits.append(row.next_attempt_at - datetime.fromisoformat(row.log[-1]["at"]))
        deliver_due(hub, now=row.next_attempt_at)
    (row,) = deliveries(hub, sub_id)
    assert (row.state, row.attempts, row.next_attempt_at, row.delivered_at) == (DeliveryState.FAILED, MAX_ATTEMPTS,
                                                                                None, None)
    assert len(row.log) == MAX_ATTEMPTS and all(a["error"] for a in row.log)
    # exponential backoff: base, then twice the base
    assert [w.total_seconds() for w in waits] == [retry_delay(hub.settings, 1), retry_delay(hub.settings, 2)] \
        == [BACKOFF, 2 * BACKOFF]
    assert deliver_due(hub, now=row.created_at + timedelta(days=30)) == []  # never tried again


def test_a_stalled_receiver_counts_as_a_failed_attempt(hub, network, receiver):
    sub_id, _ = subscribe(hub, "dh-admin", receiver.url + "/slow", network.donghai)
    receiver.plan = ["stall"]
    send_now(hub, [_queue_test_event(hub, sub_id)])
    (row,) = deliveries(hub, sub_id)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 1) and row.error and row.status_code is None


# -- the admin pages ---------------------------------------------------------------------------------


def test_a_member_admin_subscribes_sees_the_secret_once_and_the_test_button_sends_one(app, hub, network, receiver):
    client = signed_in(app, "dh-admin")
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert 'action="/admin/webhooks"' in page and f'value="{network.donghai}"' in page
    assert f'value="{network.xiling}"' not in page and 'value="all"' not in page
    form = {"url": receiver.url + "/a", "member": str(network.donghai), "events": ["records.changed"],
            "description": "our discovery layer"}
    assert client.post("/admin/webhooks", data=form).status_code == 400  # no CSRF token
    response = client.post("/admin/webhooks", data={**form, "csrf_token": client.csrf})
    assert response.status_code == 201
    secret = re.search(r"<code>([A-Za-z0-9_-]{40,})</code>", response.get_data(as_text=True)).group(1)
    with hub.db.session() as session:
        (sub,) = session.scalars(select(WebhookSubscription)).all()
        assert (sub.institution_id, sub.events, sub.created_by) == (network.donghai, ["records.changed"], "dh-admin")
    detail = client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    assert secret not in detail and receiver.url in detail  # shown once, never again

    assert client.post(f"/admin/webhooks/{sub.id}/test").status_code == 400  # no CSRF token
    assert receiver.requests == []
    response = client.post(f"/admin/webhooks/{sub.id}/test", data={"csrf_token": client.csrf})
    assert response.status_code == 302
    (received,) = receiver.requests
    assert received.payload()["event"] == "test" and received.headers[EVENT_HEADER] == "test"
    assert_signed(received, secret)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "receiver says 200" in page and re.search(r'class="delivery-state" data-state="delivered">', page)
    assert "<script>" not in page and " onclick" not in page

    # switched off: harvests send nothing; switched on again: they do
    client.post(f"/admin/webhooks/{sub.id}/active", data={"csrf_token": client.csrf, "active": "0"})
    harvest(hub, network.donghai_repo)
    assert len(receiver.requests) == 1
    client.post(f"/admin/webhooks/{sub.id}/delete", data={"csrf_token": client.csrf})
    with hub.db.session() as session:
        assert session.scalars(select(WebhookSubscription)).all() == []
        assert session.scalars(select(WebhookDelivery)).all() == []


def test_a_member_admin_can_neither_see_nor_manage_another_members_subscriptions(app, hub, network, receiver):
    donghai_sub, _ = subscribe(hub, "dh-admin", receiver.url + "/donghai-secret-hook", network.donghai)
    hub_wide, _ = subscribe(hub, "root", receiver.url + "/hub-wide-hook", None)
    client = signed_in(app, "xl-admin")
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "donghai-secret-hook" not in listing and "hub-wide-hook" not in listing
    for sub_id in (donghai_sub, hub_wide):
        assert client.get(f"/admin/webhooks/{sub_id}").status_code == 403
        for action in ("test", "active", "delete"):
            assert client.post(f"/admin/webhooks/{sub_id}/{action}", data={"csrf_token": client.csrf}).status_code == 403
    assert client.get("/admin/webhooks/999999").status_code == 404
    for member in (str(network.donghai), "all"):
        response = client.post("/admin/webhooks", data={"csrf_token": client.csrf, "url": receiver.url + "/intruder",
                                                        "member": member, "events": ["records.changed"]})
        assert response.status_code == 403
    assert receiver.requests == []
    with hub.db.session() as session:
        subs = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()
        assert [(s.id, s.active) for s in subs] == [(donghai_sub, True), (hub_wide, True)]
    # hub staff read every subscription and change none; hub administrators subscribe for all members
    staff = signed_in(app, "staff")
    assert staff.get(f"/admin/webhooks/{donghai_sub}").status_code == 200
    assert staff.post(f"/admin/webhooks/{donghai_sub}/test", data={"csrf_token": staff.csrf}).status_code == 403
    root = signed_in(app, "root")
    response = root.post("/admin/webhooks", data={"csrf_token": root.csrf, "url": receiver.url + "/everything",
                                                  "member": "all", "events": ["harvest.failed"]})
    assert response.status_code == 201
    bad = root.post("/admin/webhooks", data={"csrf_token": root.csrf, "url": "ftp://example.org/",
                                             "member": "all", "events": ["harvest.failed"]})
    assert bad.status_code == 422 and "https://" in bad.get_data(as_text=True)
