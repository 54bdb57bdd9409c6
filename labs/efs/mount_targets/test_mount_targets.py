"""EFS is reached through mount targets: one network interface per availability zone, inside one VPC.
Instances in an AZ mount the target of their own AZ."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import eventually
from labkit.network import create_subnet, create_vpc, zones
from labkit.report import show_table

MOUNT_TARGETS = "https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html"


@pytest.fixture
def efs(aws_client):
    return aws_client("efs")


@pytest.fixture
def azs(ec2):
    """The region's first three availability zones (their names differ between AWS accounts)."""
    return zones(ec2, 3)


@pytest.fixture
def subnets(ec2, azs, backend):
    """Two subnets in the first zone ("a1", "a2"), one in the second ("b1"), all in one VPC."""
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    layout = {"a1": ("10.0.1.0/24", azs[0]), "a2": ("10.0.2.0/24", azs[0]), "b1": ("10.0.3.0/24", azs[1])}
    return {name: create_subnet(ec2, vpc, cidr, zone, backend=backend) for name, (cidr, zone) in layout.items()}


@pytest.fixture
def file_system(efs, unique_name, backend):
    """A new file system, waited for until ``available`` (AWS creates it ``creating``)."""
    file_system_id = efs.create_file_system(CreationToken=unique_name("fs"))["FileSystemId"]

    def available():
        return efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["LifeCycleState"] == "available"

    assert eventually(available, backend, aws_seconds=120, interval=2), "the file system never became available"
    return file_system_id


def mount(efs, file_system, subnet):
    return efs.create_mount_target(FileSystemId=file_system, SubnetId=subnet["SubnetId"])


def test_a_new_file_system_has_no_mount_targets_and_the_default_modes(efs, file_system):
    described = efs.describe_file_systems(FileSystemId=file_system)["FileSystems"][0]

    assert described["NumberOfMountTargets"] == 0  # not reachable from anywhere yet
    assert (described["PerformanceMode"], described["ThroughputMode"]) == ("generalPurpose", "bursting")


def test_mount_targets_in_different_availability_zones_succeed(efs, file_system, subnets, azs):
    for name in ("a1", "b1"):
        mount(efs, file_system, subnets[name])

    targets = efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]
    show_table(
        "mount targets", ["AZ", "subnet", "IP address", "state"],
        [[t["AvailabilityZoneName"], t["SubnetId"], t["IpAddress"], t["LifeCycleState"]] for t in targets],
    )  # fmt: skip
    assert sorted(t["AvailabilityZoneName"] for t in targets) == azs[:2]
    assert efs.describe_file_systems(FileSystemId=file_system)["FileSystems"][0]["NumberOfMountTargets"] == 2
    by_subnet = {s["SubnetId"]: s["CidrBlock"] for s in subnets.values()}
    assert all(ip_address(t["IpAddress"]) in ip_network(by_subnet[t["SubnetId"]]) for t in targets)


def test_a_second_mount_target_in_the_same_availability_zone_is_rejected(efs, file_system, subnets):
    mount(efs, file_system, subnets["a1"])

    with pytest.raises(ClientError) as raised:
        mount(efs, file_system, subnets["a2"])  # another subnet, same AZ

    assert raised.value.response["Error"]["Code"] == "MountTargetConflict"
    assert len(efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]) == 1


def test_all_mount_targets_of_a_file_system_are_in_one_vpc(efs, ec2, file_system, subnets, azs, backend):
    mount(efs, file_system, subnets["a1"])
    other_vpc = create_vpc(ec2, "10.1.0.0/16", backend=backend)["VpcId"]
    elsewhere = create_subnet(ec2, other_vpc, "10.1.3.0/24", azs[2], backend=backend)

    with pytest.raises(ClientError) as raised:
        mount(efs, file_system, elsewhere)  # a new AZ, but another VPC

    assert raised.value.response["Error"]["Code"] == "MountTargetConflict"


@pytest.mark.diverges(
    "ministack",
    "gives the mount target a NetworkInterfaceId that DescribeNetworkInterfaces does not know; on AWS it is an "
    "interface in the subnet",
    evidence=MOUNT_TARGETS,
)
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
