"""Sign-in throttling under attack: X-Forwarded-For is believed only from configured proxies, and parallel
wrong passwords against two real web processes sharing one database (SQLite, and PostgreSQL when the
test services run) get no more password evaluations than the limit."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from hub.accounts.proxies import client_address, parse_trusted_proxies
from hub.accounts.users import create_user
from hub.models import AuditEntry, Role, SignInAttempt
from hub.models.accounts import AttemptScope
from tests.admin.conftest import PASSWORD, csrf_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PARALLEL = 30

# One web process: the hub's app on a werkzeug threaded server, its settings from CHAIR_* variables.
SERVE = """
import sys
from werkzeug.serving import make_server
from hub.app import create_app
from hub.context import Hub

app = create_app(hub=Hub.create(instance_path=sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def trusted(value: str):
    """The networks of a TRUSTED_PROXIES value."""
    return parse_trusted_proxies(value)


def test_forwarded_for_is_ignored_without_trusted_proxies():
    assert client_address("203.0.113.5", ["1.2.3.4"], trusted("")) == "203.0.113.5"
    # A peer that is not one of the trusted proxies cannot name another client either.
    assert client_address("203.0.113.5", ["1.2.3.4"], trusted("10.0.0.0/8")) == "203.0.113.5"


def test_right_most_untrusted_hop_is_the_client():
    proxies = trusted("10.0.0.1, 10.1.0.0/16")
    # The client forged a left-most entry; the load balancer appended what it saw.
    assert client_address("10.0.0.1", ["6.6.6.6, 198.51.100.9"], proxies) == "198.51.100.9"
    # Two trusted hops (one inside the 10.1/16 network) before the client; several headers join in order.
    assert client_address("10.0.0.1", ["6.6.6.6", "198.51.100.9, 10.1.4.2"], proxies) == "198.51.100.9"
    # Only trusted hops: the farthest one is the client.
    assert client_address("10.0.0.1", ["10.1.0.7"], proxies) == "10.1.0.7"
    # No header from a trusted proxy: the proxy itself.
    assert client_address("10.0.0.1", [], proxies) == "10.0.0.1"
    # Garbage passed on by a trusted proxy is never taken as an address.
    assert client_address("10.0.0.1", ["<script>, 10.1.0.7"], proxies) == "10.1.0.7"
    assert client_address("::ffff:10.0.0.1", ["2001:db8::1"], proxies) == "2001:db8::1"
    assert client_address("2001:db8::10", ["198.51.100.9"], trusted("2001:db8::/64")) == "198.51.100.9"


def test_a_bad_trusted_proxies_entry_is_named():
    with pytest.raises(ValueError, match="not-an-ip"):
        parse_trusted_proxies("10.0.0.1, not-an-ip")


@pytest.fixture
def accounts(hub) -> None:
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)


def sign_in(client, username: str, password: str, remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/admin/sign-in", data={"username": username, "password": password,
                                               "csrf_token": csrf_of(client)},
                       environ_base={"REMOTE_ADDR": remote}, headers=headers)


def test_a_forged_forwarded_for_does_not_escape_the_ip_limit(app, hub, accounts):
    client = app.test_client()
    for n in range(hub.settings["SIGNIN_MAX_FAILURES_IP"]):
        assert sign_in(client, f"nobody{n}", "wrong password", "192.0.2.7", f"198.51.100.{n}").status_code == 401
    assert sign_in(client, "root", PASSWORD, "192.0.2.7", "198.51.100.200").status_code == 429
    with hub.db.session() as session:
        keys = set(session.scalars(select(SignInAttempt.key).where(SignInAttempt.scope == AttemptScope.IP)))
    assert keys == {"192.0.2.7"}


def test_behind_a_trusted_proxy_the_client_address_is_counted_and_audited(overrides, tmp_path):
    from hub.app import create_app
    from hub.context import Hub

    instance = tmp_path / "proxied"
    instance.mkdir()
    proxied = Hub.create(overrides={**overrides, "TRUSTED_PROXIES": "10.0.0.1"}, instance_path=instance)
    with proxied.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
    app = create_app(hub=proxied)
    app.config["TESTING"] = True
    client = app.test_client()
    limit = proxied.settings["SIGNIN_MAX_FAILURES_IP"]
    for n in range(limit):  # one client behind the balancer, each time with a different forged left-most hop
        sign_in(client, f"nobody{n}", "wrong password", "10.0.0.1", f"6.6.6.{n}, 198.51.100.9")
    assert sign_in(client, "root", PASSWORD, "10.0.0.1", "198.51.100.9").status_code == 429
    # Another client behind the same balancer is not affected, and the audit log names its address.
    assert sign_in(client, "root", PASSWORD, "10.0.0.1", "6.6.6.6, 198.51.100.10").status_code == 302
    with proxied.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sign-in")).one()
        assert entry.ip == "198.51.100.10"
        counted = Counter(session.scalars(select(SignInAttempt.key).where(SignInAttempt.scope == AttemptScope.IP)))
    assert counted == {"198.51.100.9": limit, "198.51.100.10": 1}
    proxied.db.dispose()


def start_web_process(hub, instance: Path) -> tuple[subprocess.Popen, str]:
    """One more web process of the hub (its own Python, its own connection pool) on a free loopback port."""
    settings = hub.settings
    env = {**os.environ, "CHAIR_DATABASE_URL": settings["DATABASE_URL"], "CHAIR_STORAGE_URL": settings["STORAGE_URL"],
           "CHAIR_SEARCH_URL": settings["SEARCH_URL"], "CHAIR_SECRET_KEY": settings["SECRET_KEY"],
           "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1"}
    instance.mkdir()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(instance)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=Path(__file__).resolve().parents[2])
    port = process.stdout.readline().strip()
    if not port.isdigit():
        process.kill()
        pytest.fail("the web process did not start")
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def two_web_processes(hub, tmp_path) -> list[str]:
    started = [start_web_process(hub, tmp_path / f"web{n}") for n in range(2)]
    yield [url for _process, url in started]
    for process, _url in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def overrides(overrides):
    """A real secret key: the web processes are started the way an operator starts them."""
    return {**overrides, "SECRET_KEY": secrets.token_urlsafe(32)}


def test_parallel_wrong_passwords_get_no_more_evaluations_than_the_limit(hub, accounts, two_web_processes):
    limit = hub.settings["SIGNIN_MAX_FAILURES_ACCOUNT"]
    browsers = []
    for n in range(PARALLEL):  # every attacker has its own session and CSRF token, on either process
        base = two_web_processes[n % 2]
        browser = requests.Session()
        token = CSRF.search(browser.get(f"{base}/admin/sign-in", timeout=30).text).group(1)
        browsers.append((browser, base, token))
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []

    def attack(browser, base, token, n):
        start.wait()
        response = browser.post(f"{base}/admin/sign-in", timeout=120, allow_redirects=False,
                                data={"username": "root", "password": f"wrong password {n}", "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attack, args=(*b, n)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    with hub.db.session() as session:
        evaluated = session.scalar(select(func.count()).select_from(SignInAttempt).where(
            SignInAttempt.scope == AttemptScope.ACCOUNT, SignInAttempt.key == "root"))
        throttled = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "user.sign-in-throttled"))
    assert len(statuses) == PARALLEL
    assert Counter(statuses) == {401: evaluated, 429: PARALLEL - evaluated}
    assert evaluated == limit  # never more (the race), never fewer (a spurious lock-out)
    assert throttled == PARALLEL - evaluated
    # The account stays locked for the right password too, on both processes.
    for base in two_web_processes:
        browser = requests.Session()
        token = CSRF.search(browser.get(f"{base}/admin/sign-in", timeout=30).text).group(1)
        response = browser.post(f"{base}/admin/sign-in", data={"username": "root", "password": PASSWORD,
                                                               "csrf_token": token},
                                timeout=60, allow_redirects=False)
        assert response.status_code == 429
