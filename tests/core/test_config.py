"""Settings: every one documented, typed, overridable by file and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import SETTINGS, load_settings, markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_code_and_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert len(setting.doc) > 15, setting.name
        assert setting.env in readme, f"{setting.env} missing from README.md"


def test_markdown_table_lists_every_setting():
    table = markdown_table()
    assert all(f"`{s.env}`" in table for s in SETTINGS)


def test_precedence_defaults_file_environment_overrides(tmp_path):
    (tmp_path / "chair.toml").write_text('repository_name = "From file"\nhttp_max_retries = 7\n')
    env = {"CHAIR_HTTP_MAX_RETRIES": "9", "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1"}
    values = load_settings(tmp_path, environ=env)
    assert values["REPOSITORY_NAME"] == "From file"
    assert values["HTTP_MAX_RETRIES"] == 9
    assert values["ALLOW_PRIVATE_ADDRESSES"] is True
    assert load_settings(tmp_path, {"HTTP_MAX_RETRIES": 3}, environ=env)["HTTP_MAX_RETRIES"] == 3


def test_embedded_defaults_live_in_the_instance_folder(tmp_path):
    values = load_settings(tmp_path, environ={})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'chair.db'}"
    assert values["STORAGE_URL"].startswith("file://")
    assert values["BROKER_URL"] == ""


def test_unknown_setting_in_the_instance_file_is_an_error(tmp_path):
    (tmp_path / "chair.toml").write_text('databse_url = "typo"\n')
    with pytest.raises(ValueError, match="DATABSE_URL"):
        load_settings(tmp_path, environ={})


def test_bad_value_in_the_environment_is_an_error(tmp_path):
    with pytest.raises(ValueError):
        load_settings(tmp_path, environ={"CHAIR_HTTP_MAX_RETRIES": "many"})
