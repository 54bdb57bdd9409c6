"""Shared set-up for the RAM labs: ``other_account`` names the account a share goes to."""

from __future__ import annotations

import os

import pytest

#: On AWS, a real second account the tests may share with (a share sends it an invitation): none is guessed.
OTHER_ACCOUNT_VARIABLE = "LABS_RAM_OTHER_ACCOUNT"


@pytest.fixture
def other_account(backend) -> str:
    """An account outside this one's organization: a placeholder on an emulator; on AWS the account named by
    $LABS_RAM_OTHER_ACCOUNT (the test is skipped without it: sharing sends that account an invitation)."""
    if backend.is_emulator:
        return "111122223333"
    account = os.environ.get(OTHER_ACCOUNT_VARIABLE)
    if not account:
        pytest.skip(f"set {OTHER_ACCOUNT_VARIABLE} to a second AWS account you own: a share invites that account")
    return account
