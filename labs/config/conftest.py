"""Shared set-up for the AWS Config labs: ``config_lab`` holds the Region's one configuration recorder for the test.

AWS Config keeps one customer managed recorder and one delivery channel per account and Region, so a test that
needs them takes the Region's slot (``labkit.governance.recorder_slot``: tests take turns on the shared LocalStack
and on AWS), and everything it put there is taken down when it ends, pass or fail, before the next test starts.
On AWS an account that already records (someone else's recorder) is left alone: the test is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from labkit.backends import Backend
from labkit.eventually import retry_while
from labkit.governance import (
    AWS_SETTLE_SECONDS,
    CONFIG_ROLE_POLICY,
    channels_in_region,
    config_bucket_policy,
    config_trust_policy,
    ignore_missing,
    recorder_slot,
    recorders_in_region,
    remove_config,
)

#: Changes AWS needs a moment to see: a new role Config must assume, a bucket policy Config checks.
NOT_YET_VISIBLE = ("InvalidRoleException", "InsufficientDeliveryPolicyException", "InsufficientPermissionsException")


@dataclass
class ConfigLab:
    """What one test put into AWS Config, created on demand and removed by ``cleanup``."""

    aws_client: Callable[..., Any]
    backend: Backend
    unique_name: Callable[..., str]
    account_id: str
    config: Any = None
    _role_arn: str | None = None
    _bucket: str | None = None
    recorders: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    aggregators: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.config = self.aws_client("config")

    def role_arn(self) -> str:
        """A role AWS Config may assume, with the AWS managed AWS_ConfigRole policy (created once per test)."""
        if self._role_arn is None:
            iam = self.aws_client("iam")
            name = self.unique_name("config-role")
            self._role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=config_trust_policy())["Role"][
                "Arn"
            ]
            iam.attach_role_policy(RoleName=name, PolicyArn=CONFIG_ROLE_POLICY)
        return self._role_arn

    def delivery_bucket(self) -> str:
        """A bucket whose policy lets AWS Config deliver to it (created once per test)."""
        if self._bucket is None:
            s3 = self.aws_client("s3")
            self._bucket = self.unique_name("config-history")
            s3.create_bucket(Bucket=self._bucket)
            s3.put_bucket_policy(Bucket=self._bucket, Policy=config_bucket_policy(self._bucket, self.account_id))
        return self._bucket

    def put_recorder(self, resource_types: tuple[str, ...] = ("AWS::S3::Bucket",)) -> str:
        """PutConfigurationRecorder: a new recorder of these resource types only; returns its name."""
        name = self.unique_name("recorder")
        recorder = {
            "name": name,
            "roleARN": self.role_arn(),
            "recordingGroup": {"allSupported": False, "resourceTypes": list(resource_types)},
        }
        put = self.config.put_configuration_recorder
        retry_while(NOT_YET_VISIBLE, put, self.backend, aws_seconds=AWS_SETTLE_SECONDS, ConfigurationRecorder=recorder)
        self.recorders.append(name)
        return name

    def put_channel(self) -> str:
        """PutDeliveryChannel to the delivery bucket; returns the channel's name."""
        name = self.unique_name("channel")
        channel = {"name": name, "s3BucketName": self.delivery_bucket()}
        retry_while(
            NOT_YET_VISIBLE,
            self.config.put_delivery_channel,
            self.backend,
            aws_seconds=AWS_SETTLE_SECONDS,
            DeliveryChannel=channel,
        )
        self.channels.append(name)
        return name

    def recording(self) -> tuple[str, str]:
        """A recorder of S3 buckets, a delivery channel, and the recorder started: (recorder, channel)."""
        recorder = self.put_recorder()
        channel = self.put_channel()
        self.config.start_configuration_recorder(ConfigurationRecorderName=recorder)
        return recorder, channel

    def put_managed_rule(self, identifier: str, resource_type: str) -> str:
        """PutConfigRule: the AWS managed rule ``identifier`` scoped to one resource type; returns its name."""
        name = self.unique_name("rule")
        rule = {
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
            "Scope": {"ComplianceResourceTypes": [resource_type]},
        }
        retry_while(
            NOT_YET_VISIBLE, self.config.put_config_rule, self.backend, aws_seconds=AWS_SETTLE_SECONDS, ConfigRule=rule
        )
        self.rules.append(name)
        return name

    def put_aggregator(self) -> str:
        """PutConfigurationAggregator over this account in every Region; returns its name."""
        name = self.unique_name("aggregator")
        self.config.put_configuration_aggregator(
            ConfigurationAggregatorName=name,
            AccountAggregationSources=[{"AccountIds": [self.account_id], "AllAwsRegions": True}],
        )
        self.aggregators.append(name)
        return name

    def clear_leftovers(self, region: str) -> None:
        """On a backend that is never reset: remove a recorder or channel a crashed lab run left (named labs-...);
        skip the test when the Region holds someone else's."""
        if not self.backend.track_resources:
            return
        recorders, channels = recorders_in_region(self.config), channels_in_region(self.config)
        foreign = [name for name in recorders + channels if not name.startswith("labs-")]
        if foreign:
            pytest.skip(
                f"this account already has AWS Config set up in {region} ({foreign[0]!r}); AWS Config allows one "
                "recorder and one delivery channel per Region, so this lab would change someone else's setup"
            )
        remove_config(self.config, recorders, channels)

    def cleanup(self) -> None:
        """Remove rules, aggregators, then stop and delete the recorders and channels (the harness deletes the
        role and the bucket)."""
        for rule in self.rules:
            ignore_missing(self.config.delete_config_rule, ConfigRuleName=rule)
        for aggregator in self.aggregators:
            ignore_missing(self.config.delete_configuration_aggregator, ConfigurationAggregatorName=aggregator)
        remove_config(self.config, self.recorders, self.channels)


@pytest.fixture
def config_lab(moto_config, aws_client, backend, unique_name, aws_region) -> Iterator[ConfigLab]:
    """The Region's AWS Config slot for this test, emptied again when the test ends."""
    moto_config({"iam": {"load_aws_managed_policies": True}})  # moto knows AWS_ConfigRole only when asked to
    aws_account_id = aws_client("sts").get_caller_identity()["Account"]
    with recorder_slot(backend):
        lab = ConfigLab(aws_client, backend, unique_name, aws_account_id)
        lab.clear_leftovers(aws_region)
        try:
            yield lab
        finally:
            lab.cleanup()
