"""Fixtures shared by the EC2 labs (labkit.network): an EC2 client, and a small VPC with one subnet in each of two
zones (what a test creates is undone after it, where state is kept, by the harness's tracker)."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.network import create_subnet, create_vpc, zones


@pytest.fixture
def two_zones(ec2, backend) -> dict[str, Any]:
    """A VPC (10.0.0.0/16) with subnet "a" (10.0.1.0/24) in the region's first zone and "b" (10.0.2.0/24) in
    its second: {"vpc": id, "zones": [first, second], "a": subnet, "b": subnet}."""
    first, second = zones(ec2, 2)
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    return {
        "vpc": vpc,
        "zones": [first, second],
        "a": create_subnet(ec2, vpc, "10.0.1.0/24", first, backend=backend),
        "b": create_subnet(ec2, vpc, "10.0.2.0/24", second, backend=backend),
    }
