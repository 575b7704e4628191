"""The signing key (issue 14, item 1): no process serves on the development key, and a rotation breaks nothing.

- ``create_app`` (so ``chair serve`` and any WSGI server), gunicorn's ``hub.wsgi:app`` and ``chair
  worker`` refuse the built-in development key, an empty key and a fallback list holding the
  development key, with one line naming the setting, a non-zero exit and no traceback; they run
  on an instance configured with a key of its own. ``chair doctor`` fails on it.
- ``chair demo`` runs without any key configured: it makes a random one, kept owner-only in the
  instance folder and stable across runs (never the development key).
- Rotation: with ``CHAIR_SECRET_KEY_FALLBACKS`` holding the old key, a session cookie and an
  OAI-PMH resumption token signed with the old key still work; what the hub signs next is signed
  with the new key only.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from itsdangerous import URLSafeTimedSerializer
from lxml import etree

from hub.accounts.users import create_user
from hub.app import create_app
from hub.cli import cli
from hub.context import Hub
from hub.models import Role
from hub.signing import DEMO_KEY_FILE, DEV_SECRET_KEY, InsecureSecretKey, demo_secret_key
from oai.provider import tokens
from tests.provider.conftest import OAI
from tests.provider.factories import populate

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "quartz-lantern-meadow-7413"
GOOD_KEY = "vB3kq0-instance-key-for-tests-9d1f7c2e"
UNSAFE = {"default": None, "development key": DEV_SECRET_KEY, "empty": "", "blank": "   "}


def write_instance(folder: Path, secret_key: str | None, **more: str) -> Path:
    """An instance folder with a chair.toml as an operator writes it (embedded backends inside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'database_url = "sqlite:///{folder / "chair.db"}"', f'storage_url = "file://{folder / "objects"}"',
             f'search_url = "sqlite:///{folder / "search.db"}"']
    if secret_key is not None:
        lines.append(f"secret_key = {secret_key!r}".replace("'", '"'))
    lines += [f'{name} = "{value}"' for name, value in more.items()]
    (folder / "chair.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def clean_environment(instance: Path) -> dict[str, str]:
    """The test's environment without any CHAIR_* setting, pointed at ``instance``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAIR_")}
    env["CHAIR_INSTANCE_PATH"] = str(instance)
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_process(args: list[str], instance: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a hub process to its end (a process that does not refuse would outlive the timeout)."""
    return subprocess.run(args, env=clean_environment(instance), cwd=instance, capture_output=True, text=True,
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_refused(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "CHAIR_SECRET_KEY" in output, output
    assert "Traceback" not in output, output


def chair(*args: str) -> list[str]:
    return [sys.executable, "-c", "from hub.cli import main; main()", *args]


@pytest.mark.parametrize("key", UNSAFE.values(), ids=UNSAFE.keys())
def test_create_app_refuses_an_unsafe_key(tmp_path, key):
    overrides = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chair.db'}"} | ({} if key is None else {"SECRET_KEY": key})
    with pytest.raises(InsecureSecretKey, match="^CHAIR_SECRET_KEY is (the built-in development key|empty)"):
        create_app(hub=Hub.create(overrides=overrides, instance_path=tmp_path))
    assert not (tmp_path / "chair.db").exists(), "refused before anything is touched"


def test_create_app_refuses_the_development_key_among_the_fallbacks(tmp_path):
    hub = Hub.create(overrides={"SECRET_KEY": GOOD_KEY, "SECRET_KEY_FALLBACKS": f"old-key, {DEV_SECRET_KEY}"},
                     instance_path=tmp_path)
    with pytest.raises(InsecureSecretKey, match="CHAIR_SECRET_KEY_FALLBACKS"):
        create_app(hub=hub)


@pytest.mark.parametrize("key", [None, ""], ids=["default", "empty"])
def test_chair_serve_refuses_with_one_line(tmp_path, key):
    instance = write_instance(tmp_path / "instance", key)
    result = run_process(chair("serve", "--port", str(free_port())), instance)
    assert_refused(result)
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], "one line"
    assert result.stderr.startswith("Error: CHAIR_SECRET_KEY is ")


def test_chair_worker_refuses_before_reaching_the_broker(tmp_path):
    instance = write_instance(tmp_path / "instance", None, broker_url="redis://127.0.0.1:9/0")
    result = run_process(chair("worker", "--concurrency", "1"), instance)
    assert_refused(result)
    assert result.stderr.startswith("Error: CHAIR_SECRET_KEY is the built-in development key")


def test_a_celery_worker_started_directly_refuses_too(tmp_path):
    """``celery -A hub.tasks worker`` skips ``chair worker``'s check: the worker_init signal refuses instead."""
    instance = write_instance(tmp_path / "instance", None, broker_url="redis://127.0.0.1:9/0")
    result = run_process([sys.executable, "-m", "celery", "-A", "hub.tasks", "worker", "--pool", "solo"], instance)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Error: CHAIR_SECRET_KEY is the built-in development key" in output, output
    assert "Traceback" not in output, output


def gunicorn(instance: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "hub.wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--no-control-socket", "--chdir", str(ROOT)]


@pytest.mark.parametrize("preload", [False, True], ids=["workers", "preload"])
def test_gunicorn_refuses_to_load_hub_wsgi_on_the_development_key(tmp_path, preload):
    instance = write_instance(tmp_path / "instance", None)
    args = gunicorn(instance, free_port()) + (["--preload"] if preload else [])
    result = run_process(args, instance)  # gunicorn stops: it does not boot workers again and again
    assert_refused(result)
    assert ("CHAIR_SECRET_KEY is the built-in development key: set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')") in result.stderr


def test_gunicorn_serves_an_instance_with_a_key_of_its_own(tmp_path):
    instance = write_instance(tmp_path / "instance", GOOD_KEY)
    port = free_port()
    process = subprocess.Popen(gunicorn(instance, port), env=clean_environment(instance), cwd=instance,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _attempt in range(600):
            if process.poll() is not None:
                pytest.fail(process.stdout.read())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn never answered")
    finally:
        process.terminate()
        process.wait(30)


def doctor(instance: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["--instance", str(instance), "doctor"], obj={})
    return result.exit_code, result.output.splitlines()


def test_chair_doctor_fails_on_the_development_key(tmp_path):
    instance = write_instance(tmp_path / "instance", None)
    Hub.create(instance_path=instance).db.dispose()  # migrated: the key is the only thing wrong
    code, lines = doctor(instance)
    assert code == 1
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].split()[1] == "signing", lines
    assert "CHAIR_SECRET_KEY is the built-in development key" in failed[0]


def test_chair_doctor_passes_a_key_of_the_operators(tmp_path):
    instance = write_instance(tmp_path / "instance", GOOD_KEY, secret_key_fallbacks="an-old-key")
    Hub.create(instance_path=instance).db.dispose()  # migrated, as `chair db upgrade` leaves it
    code, lines = doctor(instance)
    signing = [line for line in lines if line.split()[1] == "signing"]
    assert signing == [line for line in signing if line.startswith("ok")] and len(signing) == 1, lines
    assert "1 old key(s)" in signing[0]
    assert GOOD_KEY not in "\n".join(lines) and "an-old-key" not in "\n".join(lines), "keys are never printed"


def test_chair_demo_uses_a_random_key_of_its_own_kept_in_the_instance(tmp_path):
    instance = write_instance(tmp_path / "instance", None)
    hub = Hub.create(instance_path=instance)
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--records", "2", "--samples-port", str(free_port())],
                                obj={"hub": hub, "instance": str(instance)})
    assert result.exit_code == 0, result.output
    assert "bulk dumps for /data:" in result.output  # the demo's /data page lists dumps to download
    key_file = instance / DEMO_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert hub.settings["SECRET_KEY"] == key and len(key) >= 48 and key != DEV_SECRET_KEY
    assert demo_secret_key(instance) == key, "the same key on the next run: demo sessions survive a restart"
    create_app(hub=hub)  # the demo's key passes the check the demo's portal is built with


def test_demo_keys_differ_between_instances(tmp_path):
    assert demo_secret_key(tmp_path / "a") != demo_secret_key(tmp_path / "b")


# Rotation ----------------------------------------------------------------------------------------------

def rotated(hub: Hub, new: str, fallbacks: str) -> Hub:
    """The same hub (same database, pages of 5 records) after the operator changed its keys."""
    return Hub(settings={**hub.settings, "SECRET_KEY": new, "SECRET_KEY_FALLBACKS": fallbacks,
                         "OAI_PAGE_SIZE_RECORDS": 5}, pm=hub.pm)


def signed_in_cookie(app) -> str:
    client = app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/admin/sign-in", data={"username": "root", "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get_cookie("session").value


def opens_admin(app, cookie: str) -> bool:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/admin/").status_code == 200


def test_a_session_signed_with_the_old_key_survives_the_rotation(hub):
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
    old_app = create_app(hub=rotated(hub, "old-key-4f1b2c", ""))
    old_cookie = signed_in_cookie(old_app)
    assert not opens_admin(create_app(hub=rotated(hub, "new-key-9e8d7c", "")), old_cookie), \
        "control: without the fallback the old cookie is refused"

    new_app = create_app(hub=rotated(hub, "new-key-9e8d7c", "old-key-4f1b2c"))
    client = new_app.test_client()
    client.set_cookie("session", old_cookie)
    assert client.get("/admin/").status_code == 200, "still signed in after the rotation"
    refreshed = client.get_cookie("session").value
    assert refreshed != old_cookie
    # What the hub signs after the rotation is signed with the new key, not the old one.
    serializer = URLSafeTimedSerializer("new-key-9e8d7c", salt="cookie-session",  # Flask's session signer
                                        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    assert serializer.loads(refreshed)
    assert opens_admin(create_app(hub=rotated(hub, "new-key-9e8d7c", "")), refreshed)
    assert not opens_admin(create_app(hub=rotated(hub, "old-key-4f1b2c", "")), refreshed)


def resumption_token(client, **arguments: str) -> str:
    root = etree.fromstring(client.get("/oai", query_string=arguments).get_data())
    assert root.find(f"{OAI}error") is None, etree.tostring(root)
    return next(root.iter(f"{OAI}resumptionToken")).text


def test_a_harvest_of_the_hub_goes_on_across_a_rotation(hub):
    with hub.db.session() as session:
        populate(session, 20)
    before = create_app(hub=rotated(hub, "old-key-4f1b2c", "")).test_client()
    first = resumption_token(before, verb="ListRecords", metadataPrefix="oai_dc")

    after = create_app(hub=rotated(hub, "new-key-9e8d7c", "old-key-4f1b2c")).test_client()
    second = resumption_token(after, verb="ListRecords", resumptionToken=first)  # the old token still verifies
    lifetime = int(hub.settings["OAI_TOKEN_LIFETIME"])
    assert tokens.decode(second, "new-key-9e8d7c", lifetime).sent == 10, "the next token is signed with the new key"
    with pytest.raises(tokens.OAIError):
        tokens.decode(second, "old-key-4f1b2c", lifetime)

    only_new = create_app(hub=rotated(hub, "new-key-9e8d7c", "")).test_client()
    refused = etree.fromstring(only_new.get("/oai", query_string={"verb": "ListRecords",
                                                                  "resumptionToken": first}).get_data())
    assert refused.find(f"{OAI}error").get("code") == "badResumptionToken", "control: no fallback, no old tokens"
