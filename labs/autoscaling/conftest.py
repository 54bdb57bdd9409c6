"""Fixtures shared by the Auto Scaling labs (labkit.compute): clients whose groups and launch templates are deleted
after each test where state is kept, a launch template for the region's Amazon Linux image, and a group factory
that waits until the group runs its desired capacity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from labkit import network
from labkit.compute import launch_template, wait_for_capacity


@pytest.fixture
def autoscaling(aws_client):
    return aws_client("autoscaling")


@pytest.fixture
def template(ec2, unique_name) -> str:
    """A launch template: t3.micro, the newest Amazon Linux 2023 image of the region."""
    return launch_template(ec2, unique_name("web"))


@pytest.fixture
def subnet(ec2, backend) -> str:
    """A subnet in the region's first availability zone, in a new VPC."""
    vpc = network.create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    return str(network.create_subnet(ec2, vpc, "10.0.1.0/24", network.zones(ec2, 1)[0], backend=backend)["SubnetId"])


@pytest.fixture
def make_group(autoscaling, template, subnet, unique_name, backend) -> Callable[..., str]:
    """``make_group(min_size=1, max_size=3, desired=2)``: a group from the template, waited for until its desired
    capacity is InService (AWS launches instances Pending first); returns its name."""

    def make(min_size: int, max_size: int, desired: int, wait: bool = True, **extra: Any) -> str:
        name = unique_name("asg")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
            MinSize=min_size, MaxSize=max_size, DesiredCapacity=desired, VPCZoneIdentifier=subnet, **extra,
        )  # fmt: skip
        if wait:
            wait_for_capacity(autoscaling, name, backend)
        return name

    return make
