"""Benchmark of ``scripts/demo`` from a fresh clone: seconds to the first portal page.

Clones the repository's committed HEAD into a temporary folder (a fresh checkout: no ``.venv``,
no instance folder), runs ``scripts/demo`` there on free ports and polls the portal URL the demo
prints until it answers 200 with the portal page. pip's cache is the user's (warm after any earlier
install), so the figure is what a developer sees on a second machine set up the same way.

Prints the seconds to each milestone, measured from the start of ``scripts/demo``:

- the venv made and the hub installed (the demo's first line of output),
- each harvested repository (its line of output),
- the portal URL printed, and the first portal page answered,

and the machine's load (``/proc/loadavg``) before and after: the figure depends on what else runs.

Usage::

    python bench/bench_demo.py                  # clone /work/main's HEAD (this checkout)
    python bench/bench_demo.py --source URL     # another repository or branch to clone
    python bench/bench_demo.py --keep           # leave the clone (and its .venv) in place
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL_LINE = re.compile(r"portal at (http://\S+)")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def portal_answers(url: str) -> bool:
    """Whether ``url`` answers 200 with an HTML page."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200 and b"<html" in response.read(4096).lower()
    except (urllib.error.URLError, OSError):
        return False


def run(source: str, keep: bool, timeout: float) -> None:
    """Clone ``source``, run its scripts/demo and print the milestones."""
    folder = Path(tempfile.mkdtemp(prefix="chair-demo-bench-"))
    checkout = folder / "chair"
    subprocess.run(["git", "clone", "-q", source, str(checkout)], check=True)
    head = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h %s"], check=True,
                          capture_output=True, text=True).stdout.strip()
    print(f"clone of {source} at {head}")
    print(f"load before: {load()}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHAIR_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p)
    command = ["scripts/demo", "--port", str(free_port()), "--samples-port", str(free_port())]
    began = time.perf_counter()
    child = subprocess.Popen(command, cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    portal: list[str] = []
    lines: list[str] = []

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            elapsed = time.perf_counter() - began
            lines.append(line.rstrip())
            if not line.startswith(" "):
                print(f"{elapsed:7.1f} s  {line.rstrip()[:110]}")
            match = PORTAL_LINE.search(line)
            if match:
                portal.append(match.group(1))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while not portal:
            if child.poll() is not None:
                raise SystemExit("scripts/demo ended before serving the portal:\n" + "\n".join(lines[-30:]))
            if time.perf_counter() - began > timeout:
                raise SystemExit(f"no portal URL after {timeout:.0f} s")
            time.sleep(0.1)
        while not portal_answers(portal[0]):
            if time.perf_counter() - began > timeout:
                raise SystemExit(f"{portal[0]} did not answer within {timeout:.0f} s")
            time.sleep(0.1)
        seconds = time.perf_counter() - began
        print(f"{seconds:7.1f} s  first portal page answered at {portal[0]}")
        print(f"scripts/demo from a fresh clone (warm pip cache): {seconds:.1f} s to the first portal page; "
              f"load after: {load()}")
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
        if keep:
            print(f"clone kept in {checkout}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=str(ROOT), help="what to clone (default: this checkout's HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    options = parser.parse_args()
    run(options.source, options.keep, options.timeout)


if __name__ == "__main__":
    sys.exit(main())
