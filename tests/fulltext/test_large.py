"""A 1 GB full text streamed from a local server into each store: memory must not grow with the file.

The download runs in a fresh child interpreter so that its peak RSS (``ru_maxrss``) measures this
download only; the bound is a memory assertion, not a timing. Slow: runs in the services pass.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import pytest
from werkzeug.wrappers import Response

from tests.fulltext.conftest import FileServer
from tests.storage.backends import STORE_PARAMS, cleanup_store, generated_chunks, store_url

GIGABYTE = 1024 ** 3
CHILD = textwrap.dedent("""
    import json, resource, sys

    def hwm():
        # Peak RSS of this process image in kB (VmHWM restarts at exec, unlike ru_maxrss).
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    from hub.fulltext.fetch import download
    from hub.http import HttpClient
    from storage import open_store
    url, store_url, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = {"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_READ_TIMEOUT": 60.0, "USER_AGENT": "test"}
    store = open_store(store_url)
    result = {}
    if mode == "download":
        got = download(HttpClient(settings), store, url, max_bytes=2 * 1024 ** 3, declared_mime="application/pdf")
        result = {"sha256": got.sha256, "size": got.size}
    result["maxrss_kb"] = hwm()
    print(json.dumps(result))
""")


def _run(url: str, target: str, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, url, target, mode], capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.services
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("kind", STORE_PARAMS)
def test_one_gigabyte_streams_with_bounded_memory(kind, tmp_path):
    server = FileServer()
    target = store_url(kind, tmp_path)

    def handler(request):
        response = Response(generated_chunks(GIGABYTE), content_type="application/pdf", direct_passthrough=True)
        response.headers["Content-Length"] = str(GIGABYTE)
        return response

    server.routes["/huge.pdf"] = handler
    try:
        expected = hashlib.sha256()
        for chunk in generated_chunks(GIGABYTE):
            expected.update(chunk)
        baseline = _run(server.base + "/huge.pdf", target, "baseline")
        result = _run(server.base + "/huge.pdf", target, "download")
    finally:
        server.close()
        cleanup_store(target)
    assert result["size"] == GIGABYTE and result["sha256"] == expected.hexdigest()
    growth_mb = (result["maxrss_kb"] - baseline["maxrss_kb"]) / 1024
    # The figure: under 200 MB in all. Growth over the baseline process is bounded too, with
    # room for the S3 client's multipart buffers (16 MB parts), which measured 60-112 MB here.
    assert growth_mb < 150, f"peak RSS grew by {growth_mb:.0f} MB while storing 1 GB"
    assert result["maxrss_kb"] / 1024 < 200
