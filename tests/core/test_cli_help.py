"""``chair <any command> --help`` prints its help and exits 0, for every command and subcommand.

click 8.2 made its Exit a RuntimeError, which the hub's error handling used to turn into
``Error: 0`` and exit status 1 for every subgroup's --help.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hub.cli import cli


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(prefix + (name,))
        if isinstance(command, click.Group):
            found.extend(_paths(command, prefix + (name,)))
    return found


COMMANDS = _paths(cli)


def test_the_walk_covers_groups_and_their_subcommands():
    assert ("index", "rebuild") in COMMANDS and ("repo", "add") in COMMANDS and ("harvest",) in COMMANDS


@pytest.mark.parametrize("path", [()] + COMMANDS, ids=lambda p: " ".join(p) or "chair")
def test_help_exits_zero(path, tmp_path):
    result = CliRunner().invoke(cli, [*path, "--help"], obj={"instance": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ") and "Error" not in result.output
