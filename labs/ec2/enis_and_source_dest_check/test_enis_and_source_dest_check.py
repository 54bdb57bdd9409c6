"""Elastic network interfaces: an interface lives in one subnet, can be attached to an instance as its second
device and detached again, holds secondary private IPs, and checks source and destination unless told not
to (a NAT instance forwards other hosts' packets, so its check must be off)."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from labkit.eventually import NETWORK_CHANGE, waiter_config
from labkit.network import describe_instance, launch
from labkit.report import show_table

ENI_DOCS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html"
NAT_INSTANCE = "https://docs.aws.amazon.com/AmazonVPC/latest/UserGuide/VPC_NAT_Instance.html"


@pytest.fixture
def instance(ec2, two_zones, backend):
    return launch(ec2, two_zones["a"]["SubnetId"], backend=backend)["InstanceId"]


def interface(ec2, interface_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[interface_id])["NetworkInterfaces"][0]


@pytest.mark.diverges(
    "ministack",
    "gives the interface a private IP outside its subnet's range; AWS takes one from the subnet",
    evidence=ENI_DOCS,
)
def test_a_new_interface_is_available_in_its_subnet_with_one_primary_private_ip(ec2, two_zones):
    subnet = two_zones["a"]

    created = ec2.create_network_interface(SubnetId=subnet["SubnetId"], Description="management")["NetworkInterface"]

    described = interface(ec2, created["NetworkInterfaceId"])
    assert (described["Status"], described["SubnetId"]) == ("available", subnet["SubnetId"])  # attached to nothing
    assert [a["Primary"] for a in described["PrivateIpAddresses"]] == [True]
    assert ip_address(described["PrivateIpAddress"]) in ip_network(subnet["CidrBlock"])


@pytest.mark.diverges(
    "ministack",
    "lists no NetworkInterfaces on a described instance; AWS lists each with its device index",
    evidence=ENI_DOCS,
)
def test_an_interface_attaches_as_the_instances_second_device_and_detaches_back_to_available(
    ec2, two_zones, instance, backend
):
    eni = ec2.create_network_interface(SubnetId=two_zones["a"]["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]

    attachment = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    devices = {
        n["NetworkInterfaceId"]: n["Attachment"]["DeviceIndex"]
        for n in describe_instance(ec2, instance)["NetworkInterfaces"]
    }
    ec2.detach_network_interface(AttachmentId=attachment["AttachmentId"])
    ec2.get_waiter("network_interface_available").wait(
        NetworkInterfaceIds=[eni], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )

    show_table(
        "interfaces of the instance while attached",
        ["interface", "device index"],
        sorted(devices.items(), key=lambda d: d[1]),
    )
    assert sorted(devices.values()) == [0, 1]  # the primary interface it was launched with, and ours
    assert devices[eni] == 1
    assert interface(ec2, eni)["Status"] == "available"  # detached, ready for another instance


@pytest.mark.diverges(
    "ministack", "has no AssignPrivateIpAddresses (InvalidAction); AWS adds the addresses", evidence=ENI_DOCS
)
def test_secondary_private_ips_are_added_to_an_interface_from_its_subnet(ec2, two_zones):
    subnet = two_zones["a"]
    eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]

    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)

    addresses = interface(ec2, eni)["PrivateIpAddresses"]
    assert sorted(a["Primary"] for a in addresses) == [False, False, True]  # one primary, two secondary
    assert all(ip_address(a["PrivateIpAddress"]) in ip_network(subnet["CidrBlock"]) for a in addresses)
    assert len({a["PrivateIpAddress"] for a in addresses}) == 3


def test_source_dest_check_is_on_for_a_new_instance(ec2, instance):
    attribute = ec2.describe_instance_attribute(InstanceId=instance, Attribute="sourceDestCheck")

    assert attribute["SourceDestCheck"]["Value"] is True  # packets not to or from the instance are dropped


@pytest.mark.diverges(
    "ministack", "has no ModifyInstanceAttribute (InvalidAction); AWS turns the check off", evidence=NAT_INSTANCE
)
def test_turning_source_dest_check_off_for_a_nat_instance_is_stored(ec2, instance):
    ec2.modify_instance_attribute(InstanceId=instance, SourceDestCheck={"Value": False})

    attribute = ec2.describe_instance_attribute(InstanceId=instance, Attribute="sourceDestCheck")
    assert attribute["SourceDestCheck"]["Value"] is False
    assert describe_instance(ec2, instance)["SourceDestCheck"] is False
