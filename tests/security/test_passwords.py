"""The password policy (minimum length, common, repeated and sequential passwords, the user's own name or
e-mail) in `chair user add|passwd` and the admin's password forms, and a password change the hub
administrator requires: until it is made, the user reaches only the change-password page."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.accounts.passwords import check_strength, common_passwords, verify_password
from hub.accounts.users import get_user
from hub.models import AuditEntry
from tests.admin.conftest import PASSWORD, csrf_of, sign_in

STRONG = "plum kettle orbit 58"


@pytest.mark.parametrize(("password", "reason"), [
    ("Vq3#kd9!zP", "at least 12"),  # random, but short
    ("Password123!", "too common"),  # a common password with digits and a symbol around it
    ("iloveyou2024", "too common"),
    ("sunshine sunshine", "repeated"),
    ("abcabcabcabc", "repeated"),
    ("aaaaaaaaaaaaaa", "repeated"),
    ("123456789012", "sequential"),
    ("qwertyuiopasd", "sequential"),
    ("1qaz2wsx3edc4rfv", "sequential"),
    ("lmnopqrstuvw", "sequential"),
    ("zhangwei-admin-2024", "user name"),
    ("my wei.zhang mailbox!", "e-mail"),
])
def test_the_policy_refuses_weak_passwords_and_says_why(password, reason):
    with pytest.raises(ValueError, match=reason):
        check_strength(password, min_length=12, username="zhangwei", email="wei.zhang@donghai.example")


def test_the_policy_accepts_a_long_uncommon_password_and_its_list_is_shipped():
    check_strength(STRONG, min_length=12, username="zhangwei", email="wei.zhang@donghai.example")
    check_strength(PASSWORD, min_length=12)
    assert len(common_passwords()) > 10_000 and "password" in common_passwords()


def cli(hub, args, stdin):
    from hub.cli import cli as chair

    return CliRunner().invoke(chair, args, input=stdin, obj={"instance": hub.settings["INSTANCE_PATH"], "hub": hub})


def test_chair_user_add_and_passwd_enforce_the_policy(hub, network):
    result = cli(hub, ["user", "add", "newbie", "--role", "viewer", "--password-stdin"], "Password123!\n")
    assert result.exit_code != 0 and "too common" in result.output
    result = cli(hub, ["user", "add", "newbie", "--role", "viewer", "--email", "newbie@x.example",
                       "--password-stdin"], "newbie rocks 2024\n")
    assert result.exit_code != 0 and "user name" in result.output
    result = cli(hub, ["user", "add", "newbie", "--role", "viewer", "--password-stdin", "--must-change"], f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    result = cli(hub, ["user", "passwd", "newbie", "--password-stdin"], "123123123123\n")
    assert result.exit_code != 0 and "repeated or sequential" in result.output
    with hub.db.session() as session:
        user = get_user(session, "newbie")
        assert verify_password(user.password_hash, STRONG) and user.must_change_password


def test_the_minimum_length_is_a_setting(overrides, tmp_path):
    from hub.context import Hub

    instance = tmp_path / "strict"
    instance.mkdir()
    strict = Hub.create(overrides={**overrides, "PASSWORD_MIN_LENGTH": 24}, instance_path=instance)
    result = cli(strict, ["user", "add", "newbie", "--role", "viewer", "--password-stdin"], f"{STRONG}\n")
    assert result.exit_code != 0 and "at least 24" in result.output
    strict.db.dispose()


def user_id(hub, username: str) -> int:
    with hub.db.session() as session:
        return get_user(session, username).id


def test_the_admin_password_form_enforces_the_policy(app, hub, network, signed_in):
    root = signed_in("root")
    staff = user_id(hub, "staff")
    response = root.post(f"/admin/users/{staff}/password", data={
        "csrf_token": root.csrf, "new_password": "Password123!", "confirm_password": "Password123!"})
    assert response.status_code == 422 and "too common" in response.get_data(as_text=True)
    response = root.post(f"/admin/users/{staff}/password", data={
        "csrf_token": root.csrf, "new_password": STRONG, "confirm_password": STRONG, "must_change": "on"})
    assert response.status_code == 302
    with hub.db.session() as session:
        user = get_user(session, "staff")
        assert verify_password(user.password_hash, STRONG) and user.must_change_password
    # A member administrator may not set anyone's password.
    member_admin = signed_in("dh-admin")
    response = member_admin.post(f"/admin/users/{staff}/password", data={
        "csrf_token": member_admin.csrf, "new_password": STRONG + "x", "confirm_password": STRONG + "x"})
    assert response.status_code == 403


def test_the_own_password_form_checks_the_current_password_and_the_policy(app, hub, network, signed_in):
    client = signed_in("staff")
    form = {"csrf_token": client.csrf, "current_password": "not my password", "new_password": STRONG,
            "confirm_password": STRONG}
    response = client.post("/admin/password", data=form)
    assert response.status_code == 422 and "current password is wrong" in response.get_data(as_text=True)
    response = client.post("/admin/password", data={**form, "current_password": PASSWORD,
                                                    "new_password": "staff member 1", "confirm_password": "staff member 1"})
    assert response.status_code == 422 and "user name" in response.get_data(as_text=True)
    response = client.post("/admin/password", data={**form, "current_password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on, on a fresh server-side session
    assert sign_in(app.test_client(), "staff", STRONG).status_code == 302


def test_a_required_password_change_keeps_the_user_on_the_change_page(app, hub, network, signed_in):
    root = signed_in("root")
    staff = user_id(hub, "staff")
    # A member administrator cannot require it; the hub administrator can.
    member_admin = signed_in("dh-admin")
    assert member_admin.post(f"/admin/users/{staff}/require-password-change",
                             data={"csrf_token": member_admin.csrf}).status_code == 403
    response = root.post(f"/admin/users/{staff}/require-password-change", data={"csrf_token": root.csrf})
    assert response.status_code == 302
    client = app.test_client()
    response = sign_in(client, "staff")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/password")
    token = csrf_of(client, "/admin/password")
    for path in ("/admin/", "/admin/institutions", f"/admin/repositories/{network.donghai_repo}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/password"), path
    assert client.get(f"/admin/repositories/{network.donghai_repo}/progress.json").status_code == 403
    assert client.post("/admin/works/1/split", data={"csrf_token": token}).status_code == 403
    response = client.post("/admin/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                    "new_password": STRONG, "confirm_password": STRONG})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    with hub.db.session() as session:
        assert not get_user(session, "staff").must_change_password
        actions = {e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(staff)))}
    assert {"user.require-password-change", "user.passwd-own"} <= actions
