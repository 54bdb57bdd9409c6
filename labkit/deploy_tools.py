"""Helpers for the SDK and deployment labs: the SDK's own configuration files, answers injected in front of a
client (to watch its retries), SSM managed instances and the roles CI/CD services assume.

- Config files: :func:`write_aws_files` writes a ``config`` and a ``credentials`` file (INI) where a test points
  ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE``; :func:`sdk_session` is a fresh boto3 session that reads
  them (the harness's own session was built before the test changed the environment).
- Retries: :class:`Throttler` answers a client's first requests with ``ThrottlingException`` before they are
  sent, and counts every attempt the client makes (the emulator never throttles on demand).
- Waits are ``labkit.eventually``'s (``waiter_config``, ``eventually``, ``retry_while`` for a call AWS refuses
  until a new role or instance profile is usable). Undo: ``labkit.deploy_cleanup``, applied by the harness.
"""

from __future__ import annotations

import configparser
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from labkit.backends import Backend
from labkit.eventually import retry_while

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
