"""The demo registers its repositories as people do (issue 15, item 5): each is asked first and
named by its own Identify; a sample address where nothing answers stops the registration."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select

from hub.cli.demo import register_samples
from hub.models import Repository
from hub.registration import NotARepository
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve


def test_the_demos_repositories_are_asked_and_named_by_their_identify(hub):
    repos = demo_repositories(3)[:2]
    server, _thread, url = serve(repos)
    try:
        ids = register_samples(hub, repos, url)
        assert register_samples(hub, repos, url) == ids  # idempotent
    finally:
        server.shutdown()
        server.server_close()
    with hub.db.session() as session:
        names = [session.get(Repository, i).name for i in ids]
    assert names == [r.display_name for r in repos]  # what their Identify says (repositoryName)


def test_a_sample_address_where_nothing_answers_is_not_registered(hub):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(NotARepository, match="does not answer OAI-PMH Identify"):
        register_samples(hub, demo_repositories(3)[:1], closed)
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == 0
