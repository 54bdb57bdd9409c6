"""labkit.clients: one client per service serves every test of a run, except one whose event handlers a test
changed, which is dropped when that test ends."""

from __future__ import annotations

import boto3
import pytest

from labkit.clients import SharedClients

SESSION = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def handler(**_: object) -> None:
    """An event handler that does nothing."""


def test_a_client_is_made_once_and_kept_while_its_handlers_stay_the_same():
    shared, made = SharedClients(), []

    def make():
        made.append(SESSION.client("sqs"))
        return made[-1]

    first = shared.get(("client", "sqs"), make)
    shared.drop_changed()

    assert shared.get(("client", "sqs"), make) is first and len(made) == 1


@pytest.mark.parametrize("change", ["register", "register_first", "register_last", "unregister"])
def test_a_client_whose_handlers_changed_is_dropped_and_made_again(change):
    shared = SharedClients()
    first = shared.get("sqs", lambda: SESSION.client("sqs"))

    getattr(first.meta.events, change)("before-send.sqs.*", handler)
    shared.drop_changed()

    again = shared.get("sqs", lambda: SESSION.client("sqs"))
    assert again is not first and len(shared) == 1


def test_a_resource_is_watched_through_its_client():
    shared = SharedClients()
    resource = shared.get("dynamodb", lambda: SESSION.resource("dynamodb"))

    resource.meta.client.meta.events.register("before-send.dynamodb.*", handler)
    shared.drop_changed()

    assert shared.get("dynamodb", lambda: SESSION.resource("dynamodb")) is not resource


HANDLER_LEAK = """
sent, kept = [], []

def test_a_registers_a_handler(aws_client):
    aws_client("sqs").meta.events.register("before-send.sqs.*", lambda **_: sent.append(1))
    aws_client("sqs").list_queues()
    assert sent == [1]

def test_b_does_not_meet_it(aws_client):
    aws_client("sqs").list_queues()
    assert sent == [1]
    kept.append(aws_client("sts"))

def test_c_shares_the_untouched_client(aws_client):
    assert aws_client("sts") is kept[0]
"""


def test_a_handler_one_test_registers_never_reaches_the_next_test(pytester):
    pytester.makepyfile(HANDLER_LEAK)
    result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "--backend", "moto")
    result.assert_outcomes(passed=3)
