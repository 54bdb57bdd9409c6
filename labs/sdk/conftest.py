"""Fixtures of the SDK labs: an environment with no credentials of its own, and SDK files in a temporary folder."""

from __future__ import annotations

import pytest

from labkit.deploy_tools import recorded_sleeps, write_aws_files

__all__ = ["recorded_sleeps"]

#: Variables that decide where the SDK looks for credentials, a profile, a region and retry settings.
SDK_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
)


@pytest.fixture
def sdk_files(monkeypatch, tmp_path, aws_account_id):
    """``sdk_files(credentials={...}, config={...})``: write both files under tmp_path and point the SDK at them.

    The harness's fake keys, profile and retry variables are removed for the test (monkeypatch puts them back);
    AWS_DEFAULT_REGION and the emulator's endpoint stay. The harness's own clients found their credentials
    before (``aws_account_id`` made the first call), so they keep working."""
    for name in SDK_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def write(credentials=None, config=None):
        config_path, credentials_path = write_aws_files(tmp_path, credentials, config)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config_path))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_path))
        return config_path, credentials_path

    write()
    return write
