"""User data is the script an instance runs at its first boot. The API carries it base64-encoded (boto3 encodes
it for RunInstances), DescribeInstanceAttribute hands it back still encoded, and AWS takes at most 16 KB of
it before encoding."""

from __future__ import annotations

import base64

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.network import launch

SCRIPT = "#!/bin/bash\ndnf install -y httpd\nsystemctl enable --now httpd\n"
USER_DATA_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html"
LIMIT = 16 * 1024  # bytes, in raw form, before base64


def user_data_of(ec2, instance_id):
    return ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]


@pytest.mark.diverges(
    "ministack",
    "returns an empty UserData for an instance launched with a script; AWS returns it",
    evidence=USER_DATA_DOCS,
)
def test_user_data_comes_back_base64_encoded_from_describe_instance_attribute(ec2, two_zones, backend):
    instance = launch(ec2, two_zones["a"]["SubnetId"], UserData=SCRIPT, backend=backend)["InstanceId"]

    encoded = user_data_of(ec2, instance)["Value"]

    assert encoded == base64.b64encode(SCRIPT.encode()).decode()  # still encoded: decode it yourself
    assert base64.b64decode(encoded).decode() == SCRIPT


def test_an_instance_launched_without_user_data_has_none(ec2, two_zones, backend):
    instance = launch(ec2, two_zones["a"]["SubnetId"], backend=backend)["InstanceId"]

    assert "Value" not in user_data_of(ec2, instance)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "launches an instance with user data over 16 KB; AWS refuses it",
    evidence=f"{USER_DATA_DOCS} ; unverified: the exact error code of RunInstances for user data over 16 KB",
)
def test_user_data_over_16_kb_is_refused(ec2, two_zones):
    too_big = "#" * (LIMIT + 1)

    outcome = error_code(launch, ec2, two_zones["a"]["SubnetId"], UserData=too_big)

    assert outcome != ALLOWED
