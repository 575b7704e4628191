"""md5 digests of stored full texts, computed once per file.

A stored file is content-addressed by its sha256 (``StoredFile``), so its length and sha-256 are
known; ResourceSync lists also give md5, which the files stage does not compute. Reading a
file's bytes at every list request would cost the whole store per listing, so the md5 is
computed the first time a list names the file (streamed from the object store) and kept in
``resourcesync_file_md5``: the content of a sha256 never changes, so the row never goes stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.models import Base
from storage.base import ObjectMissing, ObjectStore, StorageError, file_key


class FileMd5(Base):
    """The md5 of the stored file ``sha256``."""

    __tablename__ = "resourcesync_file_md5"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))


def stream_md5(store: ObjectStore, sha256: str) -> str | None:
    """The md5 of a stored file, read from the object store in chunks; None when it is missing."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        for chunk in store.iter_chunks(file_key(sha256)):
            digest.update(chunk)
    except (ObjectMissing, StorageError, FileNotFoundError):
        return None
    return digest.hexdigest()


def file_md5s(session: Session, store: ObjectStore, sha256s: Iterable[str]) -> dict[str, str]:
    """sha256 -> md5 for these files: known ones read in one query, the others computed and kept
    (a file missing from the store has no md5 and is left out)."""
    wanted = list(dict.fromkeys(sha256s))
    if not wanted:
        return {}
    found = {sha: md5 for sha, md5 in session.execute(select(FileMd5.sha256, FileMd5.md5)
                                                      .where(FileMd5.sha256.in_(wanted)))}
    missing = [sha for sha in wanted if sha not in found]
    computed = {sha: md5 for sha in missing if (md5 := stream_md5(store, sha)) is not None}
    if computed:
        try:
            with session.begin_nested():
                session.add_all(FileMd5(sha256=sha, md5=md5) for sha, md5 in computed.items())
            session.commit()
        except IntegrityError:  # another request stored them first: the values are the same
            session.rollback()
        found.update(computed)
    return found
