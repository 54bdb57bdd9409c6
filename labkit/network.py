"""Networking labs (EC2, VPC, Route 53, EFS, ACM): availability zones, the current Amazon Linux image, VPCs,
subnets and instances that are waited for as AWS needs (``labkit.eventually.NETWORK_CHANGE``). What a test creates
is undone after it by the harness's tracker (``labkit.cleanup``, with the networking undo steps of
``labkit.network_cleanup``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from labkit.backends import Backend
from labkit.eventually import NETWORK_CHANGE, waiter_config
from labkit.network_cleanup import disassociate_route_tables  # noqa: F401  (labs use it from here)

AMAZON_LINUX = [{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}]


def zones(ec2: Any, count: int = 2) -> list[str]:
    """The first ``count`` availability zones of the client's region (names vary between accounts on AWS)."""
    found = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])
    names = sorted(
        z["ZoneName"]
        for z in found["AvailabilityZones"]
        if z.get("ZoneType", "availability-zone") == "availability-zone"
    )
    if len(names) < count:
        raise RuntimeError(f"the region has {len(names)} availability zones, the lab needs {count}")
    return names[:count]


def amazon_linux_image(ec2: Any) -> str:
    """The newest Amazon Linux 2023 x86_64 image id the region offers."""
    images = ec2.describe_images(Owners=["amazon"], Filters=AMAZON_LINUX)["Images"]
    return str(max(images, key=lambda i: i.get("CreationDate", ""))["ImageId"])


def create_vpc(ec2: Any, cidr: str = "10.0.0.0/16", *, backend: Backend, **extra: Any) -> dict[str, Any]:
    """A VPC, waited for until ``available`` (AWS answers CreateVpc with ``pending``)."""
    vpc_id = ec2.create_vpc(CidrBlock=cidr, **extra)["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE))
    return dict(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0])


def create_subnet(ec2: Any, vpc_id: str, cidr: str, zone: str, *, backend: Backend, **extra: Any) -> dict[str, Any]:
    """A subnet in ``zone``, waited for until ``available``."""
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, **extra)["Subnet"]["SubnetId"]
    ec2.get_waiter("subnet_available").wait(
        SubnetIds=[subnet_id], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    return dict(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0])


def launch(ec2: Any, subnet_id: str, *, backend: Backend, **extra: Any) -> dict[str, Any]:
    """One t3.micro Amazon Linux instance in the subnet, waited for until ``running`` (it starts ``pending``)."""
    extra.setdefault("ImageId", amazon_linux_image(ec2))
    extra.setdefault("InstanceType", "t3.micro")
    instance_id = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet_id, **extra)["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(
        InstanceIds=[instance_id], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    return describe_instance(ec2, instance_id)


def routes(ec2: Any, table_id: str) -> list[dict[str, Any]]:
    """The routes of one route table, as DescribeRouteTables lists them."""
    return list(ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"])


def main_route_table(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """The VPC's main route table (every subnet without an explicit association uses it)."""
    found = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )
    return dict(found["RouteTables"][0])


def describe_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    """The instance as DescribeInstances shows it."""
    return dict(ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0])


@pytest.fixture
def ec2(aws_client: Callable[..., Any]) -> Any:
    """An EC2 client for the backend (what the test creates with it is deleted after it where state is kept)."""
    return aws_client("ec2")
