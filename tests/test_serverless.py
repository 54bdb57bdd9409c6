"""labkit.serverless: the SQS inbox a function reports to, role grants, an event source mapping created once the
role's new permission reaches Lambda (retried on AWS only) and waited for until Enabled, and the execute-api URL.
The waits themselves are labkit.eventually's (tests/test_eventually.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from labkit import eventually
from labkit.backends import MiniStackBackend, MotoBackend
from labkit.serverless import create_mapping, grant_statements, invoke_url, new_inbox

EMULATOR = SimpleNamespace(is_emulator=True)
AWS = SimpleNamespace(is_emulator=False)


def test_an_inbox_takes_json_bodies_in_order_and_deletes_them(server_client):
    sqs = server_client("sqs")
    box = new_inbox(sqs, "seen", EMULATOR)
    for n in range(3):
        sqs.send_message(QueueUrl=box.url, MessageBody=json.dumps({"n": n}))

    taken = box.take(2)
    rest = box.take_all()

    assert taken == [{"n": 0}, {"n": 1}]
    assert rest == [{"n": 2}]
    assert box.take_all() == []
    assert box.arn.endswith(":seen")


def test_an_inbox_takes_until_what_came_is_enough(server_client):
    sqs = server_client("sqs")
    box = new_inbox(sqs, "seen", EMULATOR)
    for n in range(4):
        sqs.send_message(QueueUrl=box.url, MessageBody=json.dumps([n, n]))

    batches = box.take_until(lambda found: sum(map(len, found)) >= 6)

    assert len(batches) == 3


def test_grant_adds_an_allow_statement_to_the_role(server_client):
    iam = server_client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    grant_statements(iam, role, "send", [(["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:q"])])

    document = iam.get_role_policy(RoleName="fn", PolicyName="send")["PolicyDocument"]
    assert document["Statement"] == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:us-east-1:123456789012:q"]}
    ]


class RefusingLambda:
    """CreateEventSourceMapping refused ``times`` times with InvalidParameterValueException (the role's new
    permission has not reached Lambda), then created; the mapping is Enabled on the ``enabled_after``-th look."""

    def __init__(self, times, enabled_after=1):
        self.times, self.enabled_after = times, enabled_after
        self.creates, self.looks = [], 0

    def create_event_source_mapping(self, **parameters):
        self.creates.append(parameters)
        if len(self.creates) <= self.times:
            raise ClientError({"Error": {"Code": "InvalidParameterValueException"}}, "CreateEventSourceMapping")
        return {"UUID": "m-1", "State": "Creating"}

    def get_event_source_mapping(self, UUID):  # noqa: N803
        self.looks += 1
        return {"UUID": UUID, "State": "Enabled" if self.looks >= self.enabled_after else "Creating"}


@pytest.fixture
def no_sleeping(monkeypatch):
    monkeypatch.setattr(eventually.time, "sleep", lambda seconds: None)


def test_on_aws_a_mapping_is_created_once_the_role_is_ready_and_waited_for_until_enabled(no_sleeping):
    lam = RefusingLambda(times=2, enabled_after=3)

    assert create_mapping(lam, AWS, FunctionName="f", EventSourceArn="arn") == {"UUID": "m-1", "State": "Creating"}
    assert lam.creates == [{"FunctionName": "f", "EventSourceArn": "arn"}] * 3
    assert lam.looks == 3


def test_on_an_emulator_a_refused_mapping_is_final():
    lam = RefusingLambda(times=1)

    with pytest.raises(ClientError):
        create_mapping(lam, EMULATOR, FunctionName="f")
    assert len(lam.creates) == 1


def test_a_mapping_that_never_becomes_enabled_fails_its_creation(no_sleeping, monkeypatch):
    ticks = iter(range(0, 10_000, 1))
    monkeypatch.setattr(eventually.time, "monotonic", lambda: float(next(ticks)))

    with pytest.raises(AssertionError, match="is not Enabled"):
        create_mapping(RefusingLambda(times=0, enabled_after=10**6), EMULATOR, FunctionName="f")


def test_the_stage_url_is_the_aws_form_without_an_endpoint_and_the_path_form_with_one():
    emulator = MiniStackBackend(endpoint_url="http://127.0.0.1:4567")

    assert invoke_url(MotoBackend(), "a1b2c3d4e5", "Prod", "/notes") == (
        "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/notes"
    )
    assert invoke_url(emulator, "a1b2c3d4", "Prod", "/notes") == (
        "http://127.0.0.1:4567/restapis/a1b2c3d4/Prod/_user_request_/notes"
    )
