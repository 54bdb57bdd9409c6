"""``DryRun=True`` (``--dry-run`` in the CLI) asks EC2 whether a request would succeed: with permission it
answers ``DryRunOperation`` (an error, by design) and does nothing; without, ``UnauthorizedOperation``."""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.network import amazon_linux_image

EC2_ERRORS = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
IGNORES_DRY_RUN = ("ministack", "ignores DryRun and performs the request; AWS answers DryRunOperation and does nothing")


def instances_in(ec2, subnet_id):
    reservations = ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["Reservations"]
    return [i["InstanceId"] for r in reservations for i in r["Instances"]]


@pytest.mark.diverges(*IGNORES_DRY_RUN, evidence=EC2_ERRORS)
def test_a_dry_run_launch_answers_dry_run_operation_and_launches_nothing(ec2, two_zones):
    subnet = two_zones["a"]["SubnetId"]

    code = error_code(
        ec2.run_instances, ImageId=amazon_linux_image(ec2), InstanceType="t3.micro", MinCount=1, MaxCount=1,
        SubnetId=subnet, DryRun=True,
    )  # fmt: skip

    assert code == "DryRunOperation"  # "the request would have succeeded"
    assert instances_in(ec2, subnet) == []


@pytest.mark.diverges(*IGNORES_DRY_RUN, evidence=EC2_ERRORS)
def test_a_dry_run_security_group_is_not_created(ec2, two_zones, unique_name):
    name = unique_name("dry")

    code = error_code(ec2.create_security_group, GroupName=name, Description="dry", VpcId=two_zones["vpc"], DryRun=True)

    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    assert (code, groups) == ("DryRunOperation", [])
