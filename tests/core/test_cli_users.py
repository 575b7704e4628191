"""The README's admin step works right after ``scripts/demo`` (issue 15, item 3).

``chair user add`` refuses what it can (a user that exists, a member that does not, a member
administrator without a member) before it asks for the password; the sign-in lines ``chair demo``
prints give the demo's admin address and a command that reaches the demo's own database from any
folder; the README shows that command and ``--password-stdin``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import make_url, select

from hub.accounts.users import create_user
from hub.cli import cli
from hub.cli.demo import sign_in_lines
from hub.members import add_institution
from hub.models import Role, User
from tests.admin.conftest import sign_in

STRONG = "violet kettle 73 harbour"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def people(hub):
    with hub.db.session() as session:
        add_institution(session, "donghai", "Donghai University", "东海大学")
        create_user(session, "root@example.org", STRONG, Role.HUB_ADMIN)
    return hub


def _chair(hub, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, obj={"hub": hub})


@pytest.mark.parametrize(("args", "message"), [
    (("user", "add", "root@example.org", "--role", "viewer"), "already exists"),
    (("user", "add", "new", "--role", "member-admin", "--member", "nosuch"), "no member 'nosuch'"),
    (("user", "add", "new", "--role", "member-admin"), "needs an institution"),
    (("user", "add", "n", "--role", "viewer"), "invalid user name"),
    (("user", "passwd", "nobody"), "no user 'nobody'"),
])
def test_what_can_be_refused_is_refused_before_the_password_prompt(people, args, message):
    result = _chair(people, *args, stdin="")  # no password typed: a prompt would abort instead
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Password" not in result.output


def test_a_valid_user_is_then_asked_for_the_password(people):
    result = _chair(people, "user", "add", "ed", "--role", "member-admin", "--member", "donghai",
                    stdin=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0 and "Password" in result.output and "user ed added" in result.output


def test_the_demos_sign_in_command_reaches_the_demos_database(hub, app, tmp_path):
    first = sign_in_lines(hub, "http://127.0.0.1:5000/")
    assert first[0].startswith("admin area at http://127.0.0.1:5000/admin/") and "--password-stdin" in first[0]
    command = first[1].strip()
    url = make_url(str(hub.settings["DATABASE_URL"]))
    if url.password:  # a database with a password: the line says to put it in place of ***, as a user would
        assert "***" in command and "password" in first[2]
        command = command.replace("***", f"{quote(url.username or '', safe='')}:{quote(url.password, safe='')}")
    instance = Path(hub.settings["INSTANCE_PATH"]).resolve()
    assert command.startswith(f"CHAIR_INSTANCE_PATH={shlex.quote(str(instance))} ")
    elsewhere = tmp_path / "elsewhere"  # run from another folder, with no CHAIR_ variable of ours
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAIR_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(f"{command} --password-stdin", shell=True, cwd=elsewhere, env=env, input=f"{STRONG}\n",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with hub.db.session() as session:
        assert session.scalar(select(User.role).where(User.username == "admin@example.org")) == Role.HUB_ADMIN
    assert "sign in as admin@example.org" in sign_in_lines(hub, "http://127.0.0.1:5000/")[0]
    client = app.test_client()
    assert sign_in(client, "admin@example.org", STRONG).status_code == 302  # the demo's portal lets them in


def test_the_readme_shows_the_demos_admin_step():
    text = README.read_text(encoding="utf-8")
    assert re.search(r"CHAIR_INSTANCE_PATH=instance/demo \.venv/bin/chair user add \S+ --role hub-admin", text)
    assert "--password-stdin" in text
