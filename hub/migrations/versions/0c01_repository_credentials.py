"""repository credentials kept apart from the base URL shown; when a repository check was asked for

Revision ID: 0c01credentials
Revises: 0001

- ``repository.credentials``: the user name and password of a repository that needs basic
  authentication (``user:password``, percent-encoded), sent by the HTTP client to that repository
  only and never shown; ``repository.base_url`` holds the URL without them. Rows registered with
  ``user:pass@`` inside the base URL are split here.
- ``repository.check_requested_at``: when the admin area asked for a check that runs as a task
  (the check is running while it is later than ``checked_at``).
"""
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

import hub.models.base

revision = "0c01credentials"
down_revision = "0001"
branch_labels = ("url_secrets",)
depends_on = None


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    credentials = f"{quote(unquote(user), safe='')}:{quote(unquote(password), safe='')}"
    return urlunsplit(parts._replace(netloc=hostport)), credentials


def upgrade() -> None:
    op.add_column("repository", sa.Column("credentials", sa.Text(), nullable=False, server_default=""))
    op.add_column("repository", sa.Column("check_requested_at", hub.models.base.UTCDateTime(), nullable=True))
    bind = op.get_bind()
    repository = sa.table("repository", sa.column("id", sa.Integer), sa.column("base_url", sa.String),
                          sa.column("credentials", sa.Text))
    rows = bind.execute(sa.select(repository.c.id, repository.c.base_url)
                        .where(repository.c.base_url.like("%@%"))).all()
    for row_id, url in rows:
        try:
            if "@" not in urlsplit(url).netloc:
                continue
            clean, credentials = _split(url)
        except ValueError:
            continue
        bind.execute(repository.update().where(repository.c.id == row_id)
                     .values(base_url=clean, credentials=credentials))


def downgrade() -> None:
    with op.batch_alter_table("repository") as batch:
        batch.drop_column("check_requested_at")
        batch.drop_column("credentials")
