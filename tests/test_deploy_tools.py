"""labkit.deploy_tools: SDK files, the throttler in front of a client, retries while a new role settles, waiter
pace, and the undo of CI/CD and Beanstalk resources."""

from __future__ import annotations

import configparser
from typing import Any

import botocore.config
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from labkit import deploy_cleanup, deploy_tools
from labkit.backends import AwsBackend, MotoBackend
from labkit.cleanup import ResourceTracker
from labkit.deploy_tools import Throttler, profile_keys, retry_while, waiter_config, write_aws_files


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


class Flaky:
    """Fails with ``code`` the first ``times`` calls, then answers ``"done"``."""

    def __init__(self, code: str, times: int, message: str = "") -> None:
        self.code, self.times, self.message, self.calls = code, times, message, 0

    def __call__(self, **_: Any) -> str:
        self.calls += 1
        if self.calls <= self.times:
            raise client_error(self.code, self.message)
        return "done"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> AwsBackend:
    monkeypatch.setenv("LABS_AWS_I_ACCEPT_REAL_CHARGES", "yes")
    monkeypatch.setattr(deploy_tools.time, "sleep", lambda seconds: None)
    return AwsBackend()


def test_write_aws_files_writes_both_ini_files(tmp_path: Any) -> None:
    config, credentials = write_aws_files(
        tmp_path, credentials={"dev": {"aws_access_key_id": "AKIA1"}}, config={"profile dev": {"region": "eu-west-1"}}
    )
    read_config, read_credentials = configparser.ConfigParser(), configparser.ConfigParser()
    read_config.read(config)
    read_credentials.read(credentials)

    assert read_config["profile dev"]["region"] == "eu-west-1"
    assert read_credentials["dev"]["aws_access_key_id"] == "AKIA1"


def test_profile_keys_takes_client_kwargs_or_an_access_key() -> None:
    expected = {"aws_access_key_id": "AKIA1", "aws_secret_access_key": "s3cret"}

    assert profile_keys({"aws_access_key_id": "AKIA1", "aws_secret_access_key": "s3cret"}) == expected
    assert profile_keys({"AccessKeyId": "AKIA1", "SecretAccessKey": "s3cret"}) == expected


def test_the_throttler_answers_throttling_then_lets_requests_through() -> None:
    client = botocore.session.get_session().create_client(
        "ssm", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b",
        config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )  # fmt: skip
    throttler = Throttler(times=1)
    throttler.attach(client)
    backend_answer = AWSResponse("https://ssm", 200, {}, deploy_tools._Body(b'{"Parameters": []}'))
    client.meta.events.register("before-send.ssm", lambda **_: backend_answer)  # behind the throttler

    with pytest.raises(ClientError) as throttled:
        client.describe_parameters()

    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    assert client.describe_parameters()["Parameters"] == []
    assert throttler.attempts == 2


def test_retry_while_tries_once_on_an_emulator() -> None:
    call = Flaky("InvalidRoleException", times=1)

    with pytest.raises(ClientError):
        retry_while("InvalidRoleException", call, MotoBackend())
    assert call.calls == 1


def test_retry_while_retries_the_named_code_on_aws(aws: AwsBackend) -> None:
    call = Flaky("InvalidRoleException", times=2)

    assert retry_while("InvalidRoleException", call, aws) == "done"
    assert call.calls == 3


def test_retry_while_gives_up_at_once_on_another_code_or_message(aws: AwsBackend) -> None:
    other_code = Flaky("ValidationException", times=1)
    other_message = Flaky("InvalidStructureException", times=1, message="only 1 stage")

    with pytest.raises(ClientError):
        retry_while("InvalidRoleException", other_code, aws)
    with pytest.raises(ClientError):
        retry_while("InvalidStructureException", other_message, aws, mentions="AssumeRole")
    assert (other_code.calls, other_message.calls) == (1, 1)


def test_waiter_config_polls_fast_on_an_emulator_and_aws_sized_on_aws(aws: AwsBackend) -> None:
    assert waiter_config(MotoBackend()) == {"Delay": 1, "MaxAttempts": 30}
    assert waiter_config(aws, aws_delay=20, aws_attempts=60) == {"Delay": 20, "MaxAttempts": 60}


def test_the_tracker_undoes_newest_first_and_forgives_what_is_gone() -> None:
    done: list[str] = []
    tracker = ResourceTracker()
    tracker.undo_steps.append(("first", lambda: done.append("first")))

    def gone() -> None:
        raise client_error("RepositoryDoesNotExistException")

    def refused() -> None:
        raise client_error("AccessDenied")

    tracker.undo_steps += [("gone", gone), ("refused", refused)]

    assert tracker.undo_all() == ["refused: AccessDenied"]
    assert done == ["first"]


def test_every_undo_names_a_real_operation() -> None:
    session = botocore.session.get_session()
    for service, operation in deploy_cleanup.UNDO:
        assert operation in session.get_service_model(service).operation_names, (service, operation)
