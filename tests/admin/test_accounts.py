"""Accounts: Argon2 hashes, the CLI, sign-in throttling, session epochs, CSRF and the audit log."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from hub.accounts.passwords import hash_password, verify_password
from hub.accounts.users import get_user
from hub.models import AuditEntry, Role, User
from tests.admin.conftest import PASSWORD, csrf_of, sign_in


def test_password_hash_is_argon2id_and_verifies():
    digest = hash_password("a long enough password")
    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "a long enough password")
    assert not verify_password(digest, "a long enough passworD")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


def test_cli_user_add_passwd_role(hub, network):
    from hub.cli import cli

    runner = CliRunner()
    obj = {"instance": hub.settings["INSTANCE_PATH"], "hub": hub}
    result = runner.invoke(cli, ["user", "add", "newbie", "--role", "member-admin", "--member", "xiling",
                                 "--password-stdin"], input="a secret passphrase\n", obj=obj)
    assert result.exit_code == 0, result.output
    assert "a secret passphrase" not in result.output
    result = runner.invoke(cli, ["user", "add", "nomember", "--role", "member-admin", "--password-stdin"],
                           input="a secret passphrase\n", obj=obj)
    assert result.exit_code != 0 and "needs an institution" in result.output
    result = runner.invoke(cli, ["user", "add", "short", "--role", "viewer", "--password-stdin"], input="abc\n", obj=obj)
    assert result.exit_code != 0 and "at least" in result.output
    with hub.db.session() as session:
        epoch = get_user(session, "newbie").session_epoch
    result = runner.invoke(cli, ["user", "passwd", "newbie", "--password-stdin"], input="another passphrase\n", obj=obj)
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["user", "role", "newbie", "viewer"], obj=obj)
    assert result.exit_code == 0, result.output
    with hub.db.session() as session:
        user = get_user(session, "newbie")
        assert user.role == Role.VIEWER and user.institution_id is None
        assert user.session_epoch == epoch + 2
        assert verify_password(user.password_hash, "another passphrase")
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(user.id)))]
    assert actions == ["user.add", "user.passwd", "user.role"]


def test_sign_in_and_wrong_password(app, network):
    client = app.test_client()
    assert sign_in(client, "root", "wrong password").status_code == 401
    response = sign_in(client, "root")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200


def test_throttling_per_account(app, hub, network):
    client = app.test_client()
    for n in range(hub.settings["SIGNIN_MAX_FAILURES_ACCOUNT"]):
        assert sign_in(client, "dh-admin", "wrong password", ip=f"10.0.0.{n}").status_code == 401
    # Even the right password is refused now, from any address.
    assert sign_in(client, "dh-admin", PASSWORD, ip="10.9.9.9").status_code == 429
    # Another account is not affected.
    assert sign_in(app.test_client(), "xl-admin", PASSWORD, ip="10.9.9.9").status_code == 302


def test_throttling_per_ip(app, hub, network):
    client = app.test_client()
    for n in range(hub.settings["SIGNIN_MAX_FAILURES_IP"]):
        sign_in(client, f"nobody{n}", "wrong password", ip="192.0.2.7")
    assert sign_in(client, "root", PASSWORD, ip="192.0.2.7").status_code == 429
    assert sign_in(client, "root", PASSWORD, ip="192.0.2.8").status_code == 302


def test_sign_out_everywhere_ends_every_session(app, network, signed_in):
    laptop, phone = signed_in("root"), signed_in("root")
    assert phone.get("/admin/").status_code == 200
    response = laptop.post("/admin/sign-out-everywhere", data={"csrf_token": laptop.csrf})
    assert response.status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 302


def test_password_change_ends_sessions(app, hub, network, signed_in):
    from hub.accounts.users import set_password

    client = signed_in("staff")
    with hub.db.session() as session:
        set_password(session, "staff", "a brand new passphrase")
    assert client.get("/admin/").status_code == 302


def test_post_without_csrf_token_is_refused(app, hub, network, signed_in):
    client = signed_in("root")
    response = client.post(f"/admin/repositories/{network.donghai_repo}/pause", data={})
    assert response.status_code == 400
    response = client.post(f"/admin/repositories/{network.donghai_repo}/pause", data={"csrf_token": "forged"})
    assert response.status_code == 400
    with hub.db.session() as session:
        from hub.models import Repository

        assert session.get(Repository, network.donghai_repo).state.value == "active"
    # The sign-in form is protected too (login CSRF).
    fresh = app.test_client()
    csrf_of(fresh)
    assert fresh.post("/admin/sign-in", data={"username": "root", "password": PASSWORD}).status_code == 400


def test_admin_actions_are_audited_with_before_and_after(app, hub, network, signed_in):
    client = signed_in("dh-admin")
    response = client.post(f"/admin/repositories/{network.donghai_repo}/pause", data={"csrf_token": client.csrf})
    assert response.status_code == 302
    with hub.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "repository.pause")).one()
        user = session.scalar(select(User).where(User.username == "dh-admin"))
        assert entry.user_id == user.id and entry.username == "dh-admin"
        assert entry.before["state"] == "active" and entry.after["state"] == "paused"
        assert entry.institution_id == network.donghai and entry.at is not None


def test_open_redirect_is_refused(app, network):
    client = app.test_client()
    token = csrf_of(client)
    response = client.post("/admin/sign-in?next=//evil.example/x",
                           data={"username": "root", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/admin/")
