"""deletions for good: removed members and repositories kept, formats a record was disseminated in, ids never reused

Revision ID: 0d01forgood
Revises: 0001

- ``institution.removed_at`` and ``repository.removed_at``: a deleted member or repository is kept
  as removed, so that the tombstones of its records keep valid setSpecs and its slug and id are
  never given to another;
- ``record.disseminated``: the metadataPrefixes a record was ever served in (a record that stops
  qualifying for one is a deleted record in it);
- on SQLite, ``record``, ``repository`` and ``institution`` become AUTOINCREMENT tables (SQLite
  otherwise gives the largest freed id to the next row). A table is rebuilt with foreign keys
  switched off: with them on, dropping the old copy would cascade into every table that refers to
  it (files, works, runs) and delete their rows.
"""
import sqlalchemy as sa
from alembic import op

revision = "0d01forgood"
down_revision = "0001"
branch_labels = ("deletions",)
depends_on = None

REBUILT = ("institution", "repository", "record")  # parents first


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("institution", sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.add_column("repository", sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.add_column("record", sa.Column("disseminated", sa.String(length=512), nullable=False, server_default=" "))
    if bind.dialect.name == "sqlite":
        _sqlite_autoincrement(bind)


def _sqlite_autoincrement(bind) -> None:
    """Rebuild the tables as AUTOINCREMENT, their rows, indexes and constraints kept.

    ``PRAGMA foreign_keys`` is ignored inside a transaction, so the pending one is committed first
    (pysqlite opens transactions lazily, before the first write), and the pragma is restored after
    the rebuild's own commit; ``foreign_key_check`` proves nothing was left dangling.
    """
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        for name in REBUILT:
            sql = raw.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
            if sql and "AUTOINCREMENT" in sql[0].upper():
                continue
            with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass
        raw.commit()
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
    dangling = raw.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise RuntimeError(f"rebuilding the tables left rows without their parent: {dangling[:5]}")


def downgrade() -> None:
    with op.batch_alter_table("record") as batch:
        batch.drop_column("disseminated")
    with op.batch_alter_table("repository") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("institution") as batch:
        batch.drop_column("removed_at")
