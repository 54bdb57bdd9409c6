"""Fixtures shared by the DMS labs (labkit.data_cleanup, labkit.network): a DMS client whose replication instances,
endpoints, tasks and subnet groups are undone after each test where state is kept; a VPC with a subnet in each of
two zones; and a small replication instance in it, waited for until ``available`` (AWS answers ``creating`` and
takes several minutes)."""

from __future__ import annotations

from typing import Any

import pytest

from labkit import network
from labkit.eventually import waiter_config


@pytest.fixture
def dms(aws_client):
    return aws_client("dms")


@pytest.fixture
def migration_vpc(ec2, backend) -> dict[str, Any]:
    """A VPC with a subnet in each of the region's first two zones, and a second subnet in the first zone:
    {"vpc", "zones", "subnets": [zone 1, zone 2, zone 1 again]}."""
    vpc = network.create_vpc(ec2, "10.30.0.0/16", backend=backend)["VpcId"]
    zones = network.zones(ec2, 2)
    cidrs_and_zones = [("10.30.1.0/24", zones[0]), ("10.30.2.0/24", zones[1]), ("10.30.3.0/24", zones[0])]
    subnets = [
        network.create_subnet(ec2, vpc, cidr, zone, backend=backend)["SubnetId"] for cidr, zone in cidrs_and_zones
    ]
    return {"vpc": vpc, "zones": zones, "subnets": subnets}


@pytest.fixture
def subnet_group(dms, migration_vpc, unique_name) -> str:
    """A replication subnet group over the VPC's two zones."""
    name = unique_name("migration")
    dms.create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier=name, ReplicationSubnetGroupDescription="two zones",
        SubnetIds=migration_vpc["subnets"][:2],
    )  # fmt: skip
    return name


@pytest.fixture
def replication_instance(dms, subnet_group, unique_name, backend) -> dict[str, Any]:
    """A dms.t3.micro replication instance in the subnet group, ``available``, as DescribeReplicationInstances
    shows it."""
    created = dms.create_replication_instance(
        ReplicationInstanceIdentifier=unique_name("replicator"), ReplicationInstanceClass="dms.t3.micro",
        AllocatedStorage=50, ReplicationSubnetGroupIdentifier=subnet_group, PubliclyAccessible=False,
    )["ReplicationInstance"]  # fmt: skip
    by_arn = [{"Name": "replication-instance-arn", "Values": [created["ReplicationInstanceArn"]]}]
    dms.get_waiter("replication_instance_available").wait(
        Filters=by_arn, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    return dict(dms.describe_replication_instances(Filters=by_arn)["ReplicationInstances"][0])
