"""EFS is reached through mount targets: one network interface per availability zone, inside one VPC.
Instances in an AZ mount the target of their own AZ."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest
from botocore.exceptions import ClientError

from labkit.report import show_table


@pytest.fixture
def efs(aws_client):
    return aws_client("efs")


@pytest.fixture
def ec2(aws_client):
    return aws_client("ec2")


@pytest.fixture
def subnets(ec2):
    """Two subnets in us-east-1a, one in us-east-1b, all in one VPC."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    layout = {
        "a1": ("10.0.1.0/24", "us-east-1a"),
        "a2": ("10.0.2.0/24", "us-east-1a"),
        "b1": ("10.0.3.0/24", "us-east-1b"),
    }
    return {
        name: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]
        for name, (cidr, zone) in layout.items()
    }


@pytest.fixture
def file_system(efs, unique_name):
    return efs.create_file_system(CreationToken=unique_name("fs"))["FileSystemId"]


def mount(efs, file_system, subnet):
    return efs.create_mount_target(FileSystemId=file_system, SubnetId=subnet["SubnetId"])


def test_a_new_file_system_has_no_mount_targets_and_the_default_modes(efs, file_system):
    described = efs.describe_file_systems(FileSystemId=file_system)["FileSystems"][0]

    assert described["NumberOfMountTargets"] == 0  # not reachable from anywhere yet
    assert (described["PerformanceMode"], described["ThroughputMode"]) == ("generalPurpose", "bursting")


def test_mount_targets_in_different_availability_zones_succeed(efs, file_system, subnets):
    for name in ("a1", "b1"):
        mount(efs, file_system, subnets[name])

    targets = efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]
    show_table(
        "mount targets", ["AZ", "subnet", "IP address", "state"],
        [[t["AvailabilityZoneName"], t["SubnetId"], t["IpAddress"], t["LifeCycleState"]] for t in targets],
    )  # fmt: skip
    assert sorted(t["AvailabilityZoneName"] for t in targets) == ["us-east-1a", "us-east-1b"]
    assert efs.describe_file_systems(FileSystemId=file_system)["FileSystems"][0]["NumberOfMountTargets"] == 2
    by_subnet = {s["SubnetId"]: s["CidrBlock"] for s in subnets.values()}
    assert all(ip_address(t["IpAddress"]) in ip_network(by_subnet[t["SubnetId"]]) for t in targets)


def test_a_second_mount_target_in_the_same_availability_zone_is_rejected(efs, file_system, subnets):
    mount(efs, file_system, subnets["a1"])

    with pytest.raises(ClientError) as raised:
        mount(efs, file_system, subnets["a2"])  # another subnet, same AZ

    assert raised.value.response["Error"]["Code"] == "MountTargetConflict"
    assert len(efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]) == 1


def test_all_mount_targets_of_a_file_system_are_in_one_vpc(efs, ec2, file_system, subnets):
    mount(efs, file_system, subnets["a1"])
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    elsewhere = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.3.0/24", AvailabilityZone="us-east-1c")["Subnet"]

    with pytest.raises(ClientError) as raised:
        mount(efs, file_system, elsewhere)  # a new AZ, but another VPC

    assert raised.value.response["Error"]["Code"] == "MountTargetConflict"


def test_a_mount_target_is_a_network_interface_in_its_subnet(efs, ec2, file_system, subnets):
    target = mount(efs, file_system, subnets["b1"])

    interface = ec2.describe_network_interfaces(NetworkInterfaceIds=[target["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ][0]
    assert interface["SubnetId"] == subnets["b1"]["SubnetId"]
    assert interface["PrivateIpAddress"] == target["IpAddress"]


def test_a_file_system_with_mount_targets_cannot_be_deleted(efs, file_system, subnets):
    mount(efs, file_system, subnets["a1"])

    with pytest.raises(ClientError) as raised:
        efs.delete_file_system(FileSystemId=file_system)

    assert raised.value.response["Error"]["Code"] == "FileSystemInUse"
