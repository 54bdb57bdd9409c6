"""labkit.deploy_tools: SDK files, the throttler in front of a client, RunInstances retried while a new instance
profile settles, and the undo of CI/CD and Beanstalk resources (waits and retries: tests/test_eventually.py)."""

from __future__ import annotations

import configparser
from typing import Any

import botocore.config
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from labkit import deploy_cleanup, deploy_tools, eventually
from labkit.backends import AwsBackend, MotoBackend
from labkit.cleanup import ResourceTracker
from labkit.deploy_tools import Throttler, profile_keys, run_with_profile, write_aws_files


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> AwsBackend:
    monkeypatch.setenv("LABS_AWS_I_ACCEPT_REAL_CHARGES", "yes")
    monkeypatch.setattr(eventually.time, "sleep", lambda seconds: None)
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


class FlakyEc2:
    """RunInstances refused ``times`` times with InvalidParameterValue (the new instance profile is not usable yet),
    then launching; ``calls`` keeps each call's parameters."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.calls: list[dict[str, Any]] = []

    def run_instances(self, **parameters: Any) -> dict[str, Any]:
        self.calls.append(parameters)
        if len(self.calls) <= self.times:
            raise client_error("InvalidParameterValue", "Invalid IAM Instance Profile name")
        return {"Instances": [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]}


def test_run_with_profile_retries_on_aws_while_the_new_profile_is_not_usable(aws: AwsBackend) -> None:
    ec2 = FlakyEc2(times=2)

    assert run_with_profile(ec2, aws, "ssm-role", MinCount=2, MaxCount=2) == ["i-1", "i-2"]
    assert ec2.calls == [{"IamInstanceProfile": {"Name": "ssm-role"}, "MinCount": 2, "MaxCount": 2}] * 3


def test_run_with_profile_answers_once_on_an_emulator() -> None:
    ec2 = FlakyEc2(times=1)

    with pytest.raises(ClientError):
        run_with_profile(ec2, MotoBackend(), "ssm-role", MinCount=1, MaxCount=1)
    assert len(ec2.calls) == 1


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
