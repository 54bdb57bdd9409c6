"""labkit.serverless: waits that poll on every backend within its bound, the SQS inbox a function reports to,
role grants, the retry while a new role's permission reaches Lambda, and the execute-api URL."""

from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from labkit import serverless
from labkit.backends import MiniStackBackend, MotoBackend
from labkit.serverless import Patience, grant_statements, invoke_url, new_inbox, once_the_role_is_ready, wait_for

EMULATOR = SimpleNamespace(is_emulator=True)
AWS = SimpleNamespace(is_emulator=False)


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


def test_patience_has_one_bound_for_emulators_and_another_for_aws():
    patience = Patience(emulator=3.0, aws=300.0)

    assert (patience.seconds(EMULATOR), patience.seconds(AWS)) == (3.0, 300.0)


def test_wait_for_polls_an_emulator_too_until_the_check_is_true():
    answers = iter([None, [], "here"])

    assert wait_for(lambda: next(answers), EMULATOR, Patience(emulator=5.0, aws=5.0), interval=0.01) == "here"


def test_wait_for_gives_the_last_answer_when_the_bound_runs_out():
    calls = []

    found = wait_for(lambda: calls.append(1) or [], EMULATOR, Patience(emulator=0.05, aws=0.05), interval=0.01)

    assert found == []
    assert len(calls) >= 2


def test_an_inbox_takes_json_bodies_in_order_and_deletes_them(aws):
    sqs = aws("sqs")
    box = new_inbox(sqs, "seen", EMULATOR)
    for n in range(3):
        sqs.send_message(QueueUrl=box.url, MessageBody=json.dumps({"n": n}))

    taken = box.take(2)
    rest = box.take_all()

    assert taken == [{"n": 0}, {"n": 1}]
    assert rest == [{"n": 2}]
    assert box.take_all() == []
    assert box.arn.endswith(":seen")


def test_an_inbox_takes_until_what_came_is_enough(aws):
    sqs = aws("sqs")
    box = new_inbox(sqs, "seen", EMULATOR)
    for n in range(4):
        sqs.send_message(QueueUrl=box.url, MessageBody=json.dumps([n, n]))

    batches = box.take_until(lambda found: sum(map(len, found)) >= 6)

    assert len(batches) == 3


def test_grant_adds_an_allow_statement_to_the_role(aws):
    iam = aws("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    grant_statements(iam, role, "send", [(["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:q"])])

    document = iam.get_role_policy(RoleName="fn", PolicyName="send")["PolicyDocument"]
    assert document["Statement"] == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:us-east-1:123456789012:q"]}
    ]


def refusing(times):
    """A call refused ``times`` times with InvalidParameterValueException, then answering "done"."""
    calls = []

    def call(**parameters):
        calls.append(parameters)
        if len(calls) <= times:
            raise ClientError({"Error": {"Code": "InvalidParameterValueException"}}, "CreateEventSourceMapping")
        return "done"

    return call, calls


def test_on_aws_a_call_is_retried_while_the_role_is_not_ready(monkeypatch):
    monkeypatch.setattr(serverless.time, "sleep", lambda seconds: None)
    call, calls = refusing(2)

    assert once_the_role_is_ready(AWS, call, FunctionName="f") == "done"
    assert calls == [{"FunctionName": "f"}] * 3


def test_on_an_emulator_a_refusal_is_final():
    call, calls = refusing(1)

    with pytest.raises(ClientError):
        once_the_role_is_ready(EMULATOR, call, FunctionName="f")
    assert len(calls) == 1


def test_the_stage_url_is_the_aws_form_without_an_endpoint_and_the_path_form_with_one():
    emulator = MiniStackBackend(endpoint_url="http://127.0.0.1:4567")

    assert invoke_url(MotoBackend(), "a1b2c3d4e5", "Prod", "/notes") == (
        "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/notes"
    )
    assert invoke_url(emulator, "a1b2c3d4", "Prod", "/notes") == (
        "http://127.0.0.1:4567/restapis/a1b2c3d4/Prod/_user_request_/notes"
    )
