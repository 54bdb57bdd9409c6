"""Helpers for the SDK and deployment labs: the SDK's own configuration files, answers injected in front of a
client (to watch its retries), waits for Run Command invocations, and undo of CI/CD and Beanstalk resources.

- Config files: :func:`write_aws_files` writes a ``config`` and a ``credentials`` file (INI) where a test points
  ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE``; :func:`sdk_session` is a fresh boto3 session that reads
  them (the harness's own session was built before the test changed the environment).
- Retries: :class:`Throttler` answers a client's first requests with ``ThrottlingException`` before they are
  sent, and counts every attempt the client makes (the emulator never throttles on demand).
- Undo: :data:`UNDO` (the shape of ``labkit.cleanup.UNDO``) for codecommit, codebuild, codedeploy, codepipeline
  and elasticbeanstalk, applied by :func:`tracked` on backends that keep state, until ``labkit.cleanup`` has them.
"""

from __future__ import annotations

import configparser
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from labkit.backends import Backend

log = logging.getLogger(__name__)

# --- the SDK's files -----------------------------------------------------------------------------------------


def _write_ini(path: Path, sections: Mapping[str, Mapping[str, str]]) -> Path:
    parser = configparser.ConfigParser()
    for name, values in sections.items():
        parser[name] = dict(values)
    with path.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    return path


def write_aws_files(
    folder: Path,
    credentials: Mapping[str, Mapping[str, str]] | None = None,
    config: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Path, Path]:
    """Write ``folder/config`` and ``folder/credentials`` (sections as given: ``default``, ``dev``,
    ``profile dev``...); returns (config path, credentials path)."""
    return _write_ini(folder / "config", config or {}), _write_ini(folder / "credentials", credentials or {})


def profile_keys(credentials: Mapping[str, Any]) -> dict[str, str]:
    """``aws_access_key_id`` / ``aws_secret_access_key`` lines for a credentials file, from ``credentials_of``'s
    keyword arguments (or an ``AccessKey``)."""
    key = credentials.get("aws_access_key_id") or credentials["AccessKeyId"]
    secret = credentials.get("aws_secret_access_key") or credentials["SecretAccessKey"]
    return {"aws_access_key_id": str(key), "aws_secret_access_key": str(secret)}


def sdk_session(profile_name: str | None = None) -> boto3.Session:
    """A fresh boto3 session: it reads the environment and the config files as they are now."""
    return boto3.Session(profile_name=profile_name)


# --- answers in front of a client ----------------------------------------------------------------------------


class _Body:
    """The raw body of an injected answer (what botocore reads through ``stream()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


@dataclass
class Throttler:
    """Answers the first ``times`` requests of a client with HTTP 400 ``ThrottlingException`` (JSON protocols),
    and counts every attempt the client makes; later attempts go on to the backend."""

    times: int
    attempts: int = 0
    sleeps: list[float] = field(default_factory=list)

    def attach(self, client: Any) -> Any:
        """Put this throttler in front of ``client`` (ahead of moto's in-process stub); returns the client."""
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"before-send.{service}", self._before_send)
        return client

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        self.attempts += 1
        if self.attempts > self.times:
            return None
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": f"throttled-{self.attempts}"}
        return AWSResponse(request.url, 400, headers, _Body(body))


@pytest.fixture
def recorded_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off delays botocore asks for, recorded instead of slept (``botocore.endpoint``'s ``time.sleep``)."""
    import botocore.endpoint

    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", delays.append)
    return delays


# --- waits -------------------------------------------------------------------------------------------------


def waiter_config(backend: Backend, aws_delay: int = 5, aws_attempts: int = 60) -> dict[str, int]:
    """A waiter's pace: AWS-sized on AWS, one-second polls (at most 30) on an emulator."""
    if backend.is_emulator:
        return {"Delay": 1, "MaxAttempts": 30}
    return {"Delay": aws_delay, "MaxAttempts": aws_attempts}


# --- SSM managed instances ------------------------------------------------------------------------------------

#: The AWS managed policy an instance role needs for the SSM agent to register and take commands.
SSM_CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def instance_profile(iam: Any, name: str, policy_arns: list[str]) -> str:
    """A role EC2 may assume, with these managed policies, in an instance profile of the same name."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    for arn in policy_arns:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


def ssm_instance_profile(iam: Any, name: str) -> str:
    """A role EC2 may assume, with AmazonSSMManagedInstanceCore, in an instance profile of the same name."""
    return instance_profile(iam, name, [SSM_CORE_POLICY])


def managed_ids(ssm: Any, instance_ids: list[str]) -> set[str]:
    """The instances among ``instance_ids`` that SSM lists as managed and online (their agent has registered)."""
    pages = ssm.get_paginator("describe_instance_information").paginate(
        Filters=[{"Key": "InstanceIds", "Values": instance_ids}]
    )
    return {i["InstanceId"] for page in pages for i in page["InstanceInformationList"] if i["PingStatus"] == "Online"}


def retry_while(
    code: str, call: Callable[..., Any], backend: Backend, seconds: float = 60, mentions: str = "", **params: Any
) -> Any:
    """``call(**params)``, retried while it fails with ``code`` and a message mentioning ``mentions`` (AWS's
    answer while a new role or profile is not usable yet), for up to ``seconds`` on AWS; once on an emulator."""
    deadline = time.monotonic() + (0 if backend.is_emulator else seconds)
    while True:
        try:
            return call(**params)
        except ClientError as exc:
            error = exc.response["Error"]
            if error["Code"] != code or mentions not in error.get("Message", "") or time.monotonic() > deadline:
                raise
            time.sleep(5)


def run_with_profile(ec2: Any, backend: Backend, profile: str, **params: Any) -> list[str]:
    """RunInstances with this instance profile; on AWS a new profile takes a few seconds to be usable, so
    ``InvalidParameterValue`` is retried for up to a minute. Returns the instance ids."""
    reservation = retry_while(
        "InvalidParameterValue", ec2.run_instances, backend, IamInstanceProfile={"Name": profile}, **params
    )
    return [i["InstanceId"] for i in reservation["Instances"]]


def service_role(iam: Any, name: str, service: str, actions: list[str]) -> str:
    """A role ``service`` (``codebuild.amazonaws.com``...) may assume, allowed ``actions`` on any resource; its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    allowed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName="service", PolicyDocument=json.dumps(allowed))
    return arn
