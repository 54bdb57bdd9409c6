"""Availability Zone names can differ between accounts; zone IDs name the physical zone the same way everywhere.

In the oldest Regions, for accounts created before November 2025, ``us-east-1a`` in one account can be another
data centre than ``us-east-1a`` in the next: AWS mapped names to zones independently for each account. The zone
ID (``use1-az1``) is the same in every account, so accounts that share subnets through RAM agree on zones by ID.
This account's mapping is in DescribeAvailabilityZones, and a subnet can be placed by ID directly.
"""

from __future__ import annotations

import re

from labkit.network import create_vpc
from labkit.report import show_table


def zone_map(ec2):
    """{zone name: zone ID} of this account's Availability Zones in the client's Region."""
    found = ec2.describe_availability_zones(Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}])
    return {z["ZoneName"]: z["ZoneId"] for z in found["AvailabilityZones"]}


def test_each_zone_name_maps_to_its_own_zone_id(aws_client, aws_region):
    names_to_ids = zone_map(aws_client("ec2"))
    show_table("this account's zones", ["name", "ID"], sorted(names_to_ids.items()))

    assert len(names_to_ids) >= 2
    assert len(set(names_to_ids.values())) == len(names_to_ids)  # one ID per name, no two names share a zone
    assert all(name.startswith(aws_region) for name in names_to_ids)  # names spell out the Region
    assert all(re.fullmatch(r"[a-z]+\d-az\d+", zone_id) for zone_id in names_to_ids.values())  # IDs: use1-az4


def test_a_subnet_placed_by_zone_id_is_in_the_zone_this_account_names_for_it(aws_client, backend):
    ec2 = aws_client("ec2")
    ids_to_names = {zone_id: name for name, zone_id in zone_map(ec2).items()}
    zone_id = sorted(ids_to_names)[-1]
    vpc = create_vpc(ec2, "10.30.0.0/16", backend=backend)["VpcId"]

    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZoneId=zone_id)["Subnet"]
    [described] = ec2.describe_subnets(SubnetIds=[subnet["SubnetId"]])["Subnets"]

    assert described["AvailabilityZoneId"] == zone_id
    assert described["AvailabilityZone"] == ids_to_names[zone_id]  # the name is this account's for that ID
