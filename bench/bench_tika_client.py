"""Why the hub talks to Tika itself: the ``tika`` package (client-only mode) and the hub's
``TikaExtractor`` on the same server and the same file, a small zip whose one text member unpacks
to N MB (a decompression bomb, as a harvested "full text" can be).

Each client runs in its own child process; the bench prints the characters of text it returned,
the seconds it took and the child's peak RSS. The ``tika`` package reads Tika's whole answer into
memory (``resp.text``, then a JSON decode) with no bound; the hub's client asks Tika for at most
EXTRACT_MAX_CHARS characters (``writeLimit``) and reads the answer in chunks against a byte cap.

    python bench/bench_tika_client.py --tika http://127.0.0.1:9998 --unpacked-mb 256

Needs a running Tika server (``scripts/services up tika``; ``scripts/services env`` prints its URL)
and the ``tika`` package (``pip install tika``; the hub itself does not depend on it).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
kind, url, path = sys.argv[1:4]
started = time.perf_counter()
if kind == "tika":
    import tika
    tika.TikaClientOnly = True
    from tika import parser
    parsed = parser.from_file(path, serverEndpoint=url)
    chars, note = len(parsed.get("content") or ""), "status %s" % parsed.get("status")
else:
    from hub.config import Settings
    from storage.extract import make_extractor
    from storage.extract.base import ExtractionError
    extractor = make_extractor(Settings(TIKA_URL=url))
    try:
        result = extractor.extract(path, "application/zip")
        chars, note = len(result.text), "truncated" if result.truncated else "whole"
    except ExtractionError as exc:
        chars, note = 0, str(exc)[:80]
print(json.dumps({"chars": chars, "seconds": time.perf_counter() - started, "note": note,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bomb(unpacked_mb: int) -> bytes:
    """A zip whose one text member unpacks to ``unpacked_mb`` MB of 'A'."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb.txt", "w", force_zip64=True) as member:
            for _ in range(unpacked_mb):
                member.write(b"A" * (1024 * 1024))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tika", default=os.environ.get("CHAIR_TEST_TIKA_URL", "http://127.0.0.1:9998"))
    parser.add_argument("--unpacked-mb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.zip"
        path.write_bytes(bomb(args.unpacked_mb))
        print(f"file: {path.stat().st_size:,} bytes, unpacking to {args.unpacked_mb} MB of text; Tika at {args.tika}")
        for kind, label in (("hub", "hub TikaExtractor"), ("tika", "tika package")):
            done = subprocess.run([sys.executable, "-c", CHILD, kind, args.tika, str(path)], capture_output=True,
                                  text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=900)
            if done.returncode != 0:
                print(f"  {label:18} failed: {done.stderr.strip().splitlines()[-1][:120]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {label:18} {r['chars']:>12,} characters in {r['seconds']:5.1f} s, "
                  f"peak RSS {r['peak_mb']:7.0f} MB ({r['note']})")


if __name__ == "__main__":
    main()
