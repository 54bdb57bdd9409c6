"""An Elastic IP address belongs to the account, not to an instance: it is allocated, associated with an
instance, moved to another one (only when the call allows reassociation), and released."""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.network import launch

EIP_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html"


@pytest.fixture
def instances(ec2, two_zones, backend):
    """Two running instances in a subnet of a VPC with an internet gateway (an EIP needs one on AWS)."""
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=two_zones["vpc"])
    return [launch(ec2, two_zones["a"]["SubnetId"], backend=backend)["InstanceId"] for _ in range(2)]


def address(ec2, allocation_id):
    return ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]


def test_an_allocated_address_is_held_by_the_account_until_associated(ec2):
    allocated = ec2.allocate_address(Domain="vpc")

    held = address(ec2, allocated["AllocationId"])
    assert (held["Domain"], held["PublicIp"]) == ("vpc", allocated["PublicIp"])
    assert not held.get("AssociationId") and not held.get("InstanceId")  # on no instance (and billed as such)


@pytest.mark.diverges(
    "ministack",
    "lists no PrivateIpAddress for an associated address; AWS names the instance's private IP",
    evidence=EIP_DOCS,
)
def test_an_address_associated_with_an_instance_shows_its_instance_and_private_ip(ec2, instances):
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]

    ec2.associate_address(AllocationId=allocation, InstanceId=instances[0])

    held = address(ec2, allocation)
    assert held["InstanceId"] == instances[0]
    assert held["AssociationId"].startswith("eipassoc-")
    assert held["PrivateIpAddress"]  # the primary private IP of the instance's primary interface


@pytest.mark.diverges(
    "ministack",
    "moves an associated address although AllowReassociation is false; AWS: Resource.AlreadyAssociated",
    evidence="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
)
def test_an_associated_address_moves_only_when_reassociation_is_allowed(ec2, instances):
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=instances[0])

    refused = error_code(
        ec2.associate_address, AllocationId=allocation, InstanceId=instances[1], AllowReassociation=False
    )
    ec2.associate_address(AllocationId=allocation, InstanceId=instances[1], AllowReassociation=True)

    assert refused == "Resource.AlreadyAssociated"
    assert address(ec2, allocation)["InstanceId"] == instances[1]  # the same public IP, now on the other instance


@pytest.mark.diverges(
    "ministack",
    "still describes a released address; AWS: InvalidAllocationID.NotFound",
    evidence="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
)
def test_a_released_address_is_gone_from_the_account(ec2):
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]

    ec2.release_address(AllocationId=allocation)

    assert error_code(ec2.describe_addresses, AllocationIds=[allocation]) == "InvalidAllocationID.NotFound"
