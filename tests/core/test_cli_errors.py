"""No traceback reaches a user of ``chair`` (issue 15, item 2).

Each bad input runs the real ``chair`` console script in a child process: a database that is down
(PostgreSQL on a closed port), a database URL that is not one, an unknown database kind, an
unresolvable database host, a setting of the wrong type, a missing repository, a folder the hub
cannot create. Each gives exactly one line on stderr, ``Error: ...``, and exit status 1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub.cli.errors import Failure, explain

CHAIR = Path(sys.executable).with_name("chair")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_chair(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``chair ARGS`` in a child process with a fresh instance folder and the given CHAIR_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHAIR_")}
    clean.update(CHAIR_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    command = [str(CHAIR)] if CHAIR.exists() else [sys.executable, "-c", "from hub.cli import main; main()"]
    return subprocess.run([*command, *args], env=clean, capture_output=True, text=True, timeout=120)


def assert_one_line(result: subprocess.CompletedProcess) -> str:
    """The failure was one ``Error:`` line on stderr, exit status 1, and no traceback anywhere."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_a_database_that_is_down(tmp_path):
    port = _closed_port()
    line = assert_one_line(run_chair(tmp_path, "member", "list",
                                     CHAIR_DATABASE_URL=f"postgresql://hub:secret@127.0.0.1:{port}/chair"))
    assert f"postgresql://***@127.0.0.1:{port}/chair" in line and "refused" in line.lower()
    assert "secret" not in line


def test_a_database_url_that_is_not_one(tmp_path):
    line = assert_one_line(run_chair(tmp_path, "member", "list", CHAIR_DATABASE_URL="nonsense"))
    assert "DATABASE_URL" in line and "'nonsense'" in line and "sqlite:///" in line


def test_an_unknown_kind_of_database(tmp_path):
    line = assert_one_line(run_chair(tmp_path, "repo", "list", CHAIR_DATABASE_URL="mongodb://127.0.0.1/chair"))
    assert "DATABASE_URL" in line and "'mongodb'" in line


def test_an_unresolvable_database_host(tmp_path):
    line = assert_one_line(run_chair(tmp_path, "member", "list",
                                     CHAIR_DATABASE_URL="postgresql://hub@no-such-host.invalid/chair"))
    assert "no-such-host.invalid" in line and "resolve" in line


def test_a_setting_of_the_wrong_type_names_the_setting_and_its_type(tmp_path):
    line = assert_one_line(run_chair(tmp_path, "member", "list", CHAIR_HARVEST_OVERLAP_SECONDS="an hour"))
    assert "CHAIR_HARVEST_OVERLAP_SECONDS" in line and "integer" in line and "'an hour'" in line


def test_a_settings_file_that_is_not_toml(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "chair.toml").write_text("harvest_overlap_seconds = \n")
    line = assert_one_line(run_chair(tmp_path, "member", "list"))
    assert "chair.toml" in line and "not valid TOML" in line and "line 1" in line


def test_a_missing_repository(tmp_path):
    line = assert_one_line(run_chair(tmp_path, "repo", "check", "999"))
    assert "no repository with id 999" in line


def test_a_folder_the_hub_cannot_create(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = assert_one_line(run_chair(tmp_path, "member", "list",
                                     CHAIR_DATABASE_URL=f"sqlite:///{blocker}/sub/chair.db"))
    assert str(blocker) in line


def test_traceback_on_request(tmp_path):
    result = run_chair(tmp_path, "--traceback", "member", "list", CHAIR_DATABASE_URL="nonsense")
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.parametrize("exc", [TypeError("unsupported operand"), KeyError("x"), OSError("disk full")])
def test_every_exception_is_one_line(exc):
    error = explain(exc)
    assert "\n" not in error.message and error.message
    if isinstance(exc, TypeError):
        assert error.kind is Failure.UNEXPECTED and "TypeError" in error.message and "--traceback" in error.message
