"""Admin sessions live on the server: a cookie copied before sign-out opens nothing afterwards (pages,
JSON endpoints, POST actions), "sign out everywhere" ends every session of the user on every device,
and a session ends SESSION_LIFETIME_HOURS after sign-in whatever the cookie says."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from hub.models import Repository, User, utcnow
from hub.models.accounts import AdminSession


def copy_of(app, client):
    """A browser that keeps sending a copy of ``client``'s session cookie as it is now (what a thief took)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    stolen, csrf = cookie.value, client.csrf

    class Thief:
        def open(self, path: str, method: str = "GET", **kwargs):
            browser = app.test_client()  # a fresh jar each time: the server's answers never change the copy
            browser.set_cookie("session", stolen)
            return browser.open(path, method=method, **kwargs)

        def get(self, path: str, **kwargs):
            return self.open(path, **kwargs)

        def post(self, path: str, **kwargs):
            return self.open(path, method="POST", **kwargs)

    thief = Thief()
    thief.csrf = csrf
    return thief


def sessions_of(hub, username: str) -> int:
    with hub.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        return session.scalar(select(func.count()).select_from(AdminSession).where(AdminSession.user_id == user.id))


def test_a_cookie_copied_before_sign_out_opens_nothing(app, hub, network, signed_in):
    owner = signed_in("dh-admin")
    thief = copy_of(app, owner)
    progress = f"/admin/repositories/{network.donghai_repo}/progress.json"
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    assert thief.get(progress).status_code == 200
    assert owner.post("/admin/sign-out", data={"csrf_token": owner.csrf}).status_code == 302
    assert sessions_of(hub, "dh-admin") == 0
    assert thief.get("/admin/").status_code == 302
    assert thief.get(f"/admin/repositories/{network.donghai_repo}").status_code == 302
    assert thief.get(progress).status_code == 401
    response = thief.post(f"/admin/repositories/{network.donghai_repo}/pause", data={"csrf_token": thief.csrf})
    # Refused: the dead session's form token died with it (400), or the visitor is sent to sign in.
    assert response.status_code == 400 or "/admin/sign-in" in response.headers["Location"]
    with hub.db.session() as session:
        assert session.get(Repository, network.donghai_repo).state.value == "active"


def test_the_cookie_carries_no_user_id_only_a_token_known_to_the_server(app, hub, network, signed_in):
    client = signed_in("root")
    with client.session_transaction() as cookie_session:
        assert set(cookie_session) <= {"sid", "csrf", "_permanent", "_flashes"}
        token = cookie_session["sid"]
    with hub.db.session() as session:
        stored = session.scalars(select(AdminSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored  # only its hash is kept


def test_sign_out_everywhere_ends_every_session_and_its_copies(app, hub, network, signed_in):
    laptop, phone, other = signed_in("root"), signed_in("root"), signed_in("staff")
    copied = copy_of(app, phone)
    assert sessions_of(hub, "root") == 2
    assert laptop.post("/admin/sign-out-everywhere", data={"csrf_token": laptop.csrf}).status_code == 302
    assert sessions_of(hub, "root") == 0
    for client in (laptop, phone, copied):
        assert client.get("/admin/").status_code == 302
    assert other.get("/admin/").status_code == 200  # another user's session is untouched
    assert sessions_of(hub, "staff") == 1


def test_a_session_expires_after_its_lifetime(app, hub, network, signed_in):
    client = signed_in("root")
    with hub.db.session() as session:
        row = session.scalars(select(AdminSession)).one()
        lifetime = row.expires_at - row.created_at
        assert lifetime == timedelta(hours=hub.settings["SESSION_LIFETIME_HOURS"])
        # The lifetime is over (as if SESSION_LIFETIME_HOURS had passed): the server says so, not the cookie.
        session.execute(update(AdminSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/admin/").status_code == 302
    # The next sign-in clears expired rows away.
    signed_in("staff")
    assert sessions_of(hub, "root") == 0


def test_a_password_change_ends_the_sessions_on_the_server(app, hub, network, signed_in):
    from hub.accounts.users import set_password

    client = signed_in("staff")
    copied = copy_of(app, client)
    with hub.db.session() as session:
        set_password(session, "staff", "a brand new passphrase")
    assert sessions_of(hub, "staff") == 0
    assert client.get("/admin/").status_code == 302 and copied.get("/admin/").status_code == 302
