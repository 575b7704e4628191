"""The object-store contract, run against the local directory and the real S3 server."""

from __future__ import annotations

import hashlib
import threading

import pytest

from storage import ObjectTooLarge, open_store
from storage.base import ObjectMissing, file_key, meta_key, text_key
from tests.storage.backends import STORE_PARAMS, cleanup_store, store_url


@pytest.fixture(params=STORE_PARAMS)
def store(request, tmp_path):
    url = store_url(request.param, tmp_path)
    made = open_store(url)
    yield made
    cleanup_store(url)


def test_keys_are_content_addressed_and_refuse_bad_digests():
    sha = "ab" + "cd" + "0" * 60
    assert file_key(sha) == f"files/ab/cd/{sha}"
    assert text_key(sha) == f"text/ab/cd/{sha}.txt"
    assert meta_key(sha) == f"text/ab/cd/{sha}.json"
    for bad in ("../../etc/passwd", "AB" * 32, "x" * 64, ""):
        with pytest.raises(ValueError):
            file_key(bad)


def test_put_stream_hashes_and_reads_back(store):
    chunks = [b"chunk-%d;" % i * 1000 for i in range(50)]
    data = b"".join(chunks)
    sha, info = store.put_stream(iter(chunks), content_type="application/pdf")
    assert sha == hashlib.sha256(data).hexdigest()
    assert info.key == file_key(sha) and info.size == len(data)
    assert store.exists(file_key(sha))
    assert store.stat(file_key(sha)).size == len(data)
    assert b"".join(store.iter_chunks(file_key(sha))) == data
    assert b"".join(store.iter_chunks(file_key(sha), 10, 19)) == data[10:20]
    assert b"".join(store.iter_chunks(file_key(sha), len(data) - 5)) == data[-5:]


def test_same_content_is_stored_once(store):
    sha1, _ = store.put_stream([b"same bytes"])
    sha2, _ = store.put_stream([b"same ", b"bytes"])
    assert sha1 == sha2
    assert [k for k in store.keys("files/")] == [file_key(sha1)]


def test_text_and_metadata_beside_the_file(store):
    sha, _ = store.put_stream([b"%PDF-1.4 body"])
    store.put_bytes(text_key(sha), "中文 text".encode())
    store.put_bytes(meta_key(sha), b'{"language": "zho"}', "application/json")
    assert store.get_bytes(text_key(sha)).decode() == "中文 text"
    assert sorted(store.keys("text/")) == sorted([text_key(sha), meta_key(sha)])
    with pytest.raises(ObjectTooLarge):
        store.get_bytes(text_key(sha), max_bytes=3)


def test_missing_and_delete(store):
    sha, _ = store.put_stream([b"to be deleted"])
    assert store.delete(file_key(sha)) is True
    assert store.delete(file_key(sha)) is False
    assert store.stat(file_key(sha)) is None and not store.exists(file_key(sha))
    with pytest.raises(ObjectMissing):
        b"".join(store.iter_chunks(file_key(sha)))


def test_spool_limit_refuses_and_leaves_nothing(store):
    with pytest.raises(ObjectTooLarge):
        store.put_stream([b"x" * 600, b"y" * 600], max_bytes=1000)
    assert list(store.keys("files/")) == []
    assert list(store._spool_dir().glob("spool-*")) == []


def test_spool_reset_starts_over(store):
    with store.spool() as spool:
        spool.write(b"partial garbage")
        spool.reset()
        spool.write(b"real content")
        info = store.commit(spool)
    assert info.key == file_key(hashlib.sha256(b"real content").hexdigest())
    assert b"".join(store.iter_chunks(info.key)) == b"real content"


def test_local_copy_and_presigned_url(store, tmp_path):
    sha, _ = store.put_stream([b"%PDF-1.4 copy me"])
    with store.local_copy(file_key(sha)) as path:
        assert path.read_bytes() == b"%PDF-1.4 copy me"
    url = store.presigned_url(file_key(sha), 60, "application/pdf", "论文.pdf")
    if store.scheme == "file":
        assert url is None
    else:
        import requests

        response = requests.get(url, timeout=10)
        assert response.status_code == 200 and response.content == b"%PDF-1.4 copy me"
        assert response.headers["Content-Type"] == "application/pdf"


def test_concurrent_writers_of_the_same_file(store):
    data = b"concurrent " * 100_000
    results, errors = [], []

    def write() -> None:
        try:
            results.append(store.put_stream([data[i:i + 65536] for i in range(0, len(data), 65536)])[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert b"".join(store.iter_chunks(file_key(results[0]))) == data
    assert list(store.keys("files/")) == [file_key(results[0])]


def test_describe_reports_the_backend(store):
    line = store.describe()
    assert ("local directory" in line) if store.scheme == "file" else ("bucket" in line)


def test_open_store_rejects_unknown_schemes():
    with pytest.raises(ValueError, match="unknown STORAGE_URL scheme"):
        open_store("ftp://example.org/x")
    with pytest.raises(ValueError, match="needs a host and a bucket"):
        open_store("s3://k:s@127.0.0.1:9000/")
