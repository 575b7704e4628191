"""A member administrator cannot point its repository at another member's endpoint by editing it.

Registering B's base URL and format again is refused; editing A's repository onto it must be refused
too, or A's member would republish B's records as its own copies (issue 14, item 7: by combination).
"""

from __future__ import annotations

from hub.models import Repository


def test_editing_a_repository_onto_another_members_endpoint_is_refused(app, hub, network, signed_in):
    with hub.db.session() as session:
        theirs = session.get(Repository, network.xiling_repo)
        ours = session.get(Repository, network.donghai_repo)
        target, prefix, before = theirs.base_url, theirs.metadata_prefix, ours.base_url
    client = signed_in("dh-admin")
    response = client.post(f"/admin/repositories/{network.donghai_repo}/edit", data={
        "csrf_token": client.csrf, "platform": "oai", "base_url": target, "metadata_prefix": prefix,
        "name": "Ours"})
    assert response.status_code == 422 and "already registered" in response.get_data(as_text=True)
    with hub.db.session() as session:
        assert session.get(Repository, network.donghai_repo).base_url == before
    # Saving one's own repository with its own address is no duplicate of itself.
    again = client.post(f"/admin/repositories/{network.donghai_repo}/edit", data={
        "csrf_token": client.csrf, "platform": "oai", "base_url": before, "metadata_prefix": prefix,
        "name": "Ours"})
    assert again.status_code == 302, again.get_data(as_text=True)
