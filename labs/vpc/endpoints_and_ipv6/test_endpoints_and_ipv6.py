"""A gateway endpoint works through the route tables (a prefix-list route); an IPv6 VPC gets an Amazon /56,
its subnets /64s, and an egress-only internet gateway lets IPv6 traffic out but not in."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import eventually
from labkit.network import create_vpc
from labkit.report import show_table

NO_IPV6_ON_MINISTACK = (
    "ministack",
    "CreateVpc ignores AmazonProvidedIpv6CidrBlock: the VPC gets no IPv6 block; AWS associates a /56",
)
IPV6_EVIDENCE = (
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/"
    "-create-vpc-request/amazon-provided-ipv6-cidr-block.html"
)


@pytest.fixture
def vpc(ec2, backend):
    """A dual-stack VPC: 10.0.0.0/16, with an Amazon-provided IPv6 block asked for."""
    return create_vpc(ec2, "10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True, backend=backend)


def routes_of(ec2, table_id):
    return ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]


def ipv6_association(ec2, vpc, backend):
    """The VPC's IPv6 association once it is ``associated``: AWS answers CreateVpc with the association still
    ``associating`` and no block yet, so the block is read from DescribeVpcs, waited for."""

    def associated():
        described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
        done = [a for a in described.get("Ipv6CidrBlockAssociationSet", [])
                if a["Ipv6CidrBlockState"]["State"] == "associated"]  # fmt: skip
        return done[0] if done else None

    association = eventually(associated, backend, aws_seconds=60, interval=2)
    assert association is not None, "the VPC never got an associated IPv6 block"
    return association


def ipv6_block(ec2, vpc, backend):
    return ip_network(ipv6_association(ec2, vpc, backend)["Ipv6CidrBlock"])


def s3_prefix_list(ec2, region):
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{region}.s3"]}])
    return lists["PrefixLists"][0]["PrefixListId"]


@pytest.mark.diverges(
    "ministack",
    "records the endpoint but adds no route to the chosen route table; AWS adds the prefix-list route",
    evidence="https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
)
def test_gateway_endpoint_for_s3_adds_a_prefix_list_route_to_the_chosen_route_tables(ec2, vpc, aws_region):
    private = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]
    public = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]

    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc["VpcId"], ServiceName=f"com.amazonaws.{aws_region}.s3", VpcEndpointType="Gateway",
        RouteTableIds=[private],
    )["VpcEndpoint"]  # fmt: skip

    added = [r for r in routes_of(ec2, private) if "DestinationPrefixListId" in r]
    show_table(
        "routes of the chosen table", ["destination", "target"],
        [[r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock") or r["DestinationPrefixListId"],
          r["GatewayId"]] for r in routes_of(ec2, private)],
    )  # fmt: skip
    assert endpoint["VpcEndpointType"] == "Gateway"
    assert len(added) == 1
    assert added[0]["DestinationPrefixListId"].startswith("pl-")
    assert added[0]["DestinationPrefixListId"] == s3_prefix_list(ec2, aws_region)  # S3's address ranges ...
    assert added[0]["GatewayId"] == endpoint["VpcEndpointId"]  # ... are sent to the endpoint
    assert not [r for r in routes_of(ec2, public) if "DestinationPrefixListId" in r]  # a table not chosen: no route


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "modify_vpc_endpoint(AddRouteTableIds=...) records the table but adds no route to it; AWS adds the "
    "prefix-list route",
    evidence="https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
)
def test_adding_a_route_table_to_the_endpoint_later_adds_the_route_there_too(ec2, vpc, aws_region):
    first = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc["VpcId"], ServiceName=f"com.amazonaws.{aws_region}.s3", VpcEndpointType="Gateway",
        RouteTableIds=[first],
    )["VpcEndpoint"]  # fmt: skip

    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], AddRouteTableIds=[second])

    targets = [r.get("GatewayId") for r in routes_of(ec2, second) if "DestinationPrefixListId" in r]
    assert targets == [endpoint["VpcEndpointId"]]


@pytest.mark.diverges(*NO_IPV6_ON_MINISTACK, evidence=IPV6_EVIDENCE)
def test_vpc_with_an_amazon_provided_ipv6_block_gets_a_56(ec2, vpc, backend):
    association = ipv6_association(ec2, vpc, backend)

    block = ip_network(association["Ipv6CidrBlock"])
    assert association["Ipv6Pool"] == "Amazon"
    assert block.prefixlen == 56
    assert block.num_addresses == 2**72


@pytest.mark.diverges(*NO_IPV6_ON_MINISTACK, evidence=IPV6_EVIDENCE)
def test_subnets_take_64s_out_of_the_vpcs_56(ec2, vpc, backend):
    block = ipv6_block(ec2, vpc, backend)
    candidates = list(block.subnets(new_prefix=64))
    subnets = [
        ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=f"10.0.{i}.0/24", Ipv6CidrBlock=str(candidates[i]))["Subnet"]
        for i in (0, 1)
    ]

    taken = [ip_network(s["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]) for s in subnets]
    show_table("IPv6 in this VPC", ["what", "block"], [["VPC", block], *[["subnet", t] for t in taken]])
    assert len(candidates) == 256  # a /56 holds 256 subnets of /64
    assert [t.prefixlen for t in taken] == [64, 64]
    assert all(t.subnet_of(block) for t in taken)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "accepts a subnet IPv6 block outside the VPC's range; AWS answers InvalidSubnet.Range",
    evidence="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
)
def test_a_subnet_ipv6_block_outside_the_vpcs_56_is_rejected(ec2, vpc, backend):
    ipv6_association(ec2, vpc, backend)  # the VPC has its own block ...
    outside = "2001:db8::/64"  # documentation prefix: never part of an Amazon-provided block

    with pytest.raises(ClientError) as raised:
        ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.9.0/24", Ipv6CidrBlock=outside)

    assert raised.value.response["Error"]["Code"] == "InvalidSubnet.Range"


@pytest.mark.diverges(*NO_IPV6_ON_MINISTACK, evidence=IPV6_EVIDENCE)
def test_every_route_table_routes_the_vpcs_ipv6_block_locally(ec2, vpc, backend):
    block = ipv6_block(ec2, vpc, backend)
    table = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]

    # Compared as networks: moto sometimes writes a hextet with a leading zero ("0df7"), the same block.
    local = {ip_network(r.get("DestinationCidrBlock") or r["DestinationIpv6CidrBlock"]) for r in routes_of(ec2, table)}
    assert local == {ip_network("10.0.0.0/16"), block}


@pytest.mark.diverges(
    "ministack",
    "stores the ::/0 route without its EgressOnlyInternetGatewayId target; AWS lists the eigw- as the target",
    evidence="https://docs.aws.amazon.com/AmazonVPC/latest/UserGuide/egress-only-internet-gateway.html",
)
def test_egress_only_internet_gateway_takes_the_ipv6_default_route(ec2, vpc):
    gateway = ec2.create_egress_only_internet_gateway(VpcId=vpc["VpcId"])["EgressOnlyInternetGateway"]
    table = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]

    eigw = gateway["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)

    assert eigw.startswith("eigw-")
    assert gateway["Attachments"] == [{"State": "attached", "VpcId": vpc["VpcId"]}]
    default = [r for r in routes_of(ec2, table) if r.get("DestinationIpv6CidrBlock") == "::/0"]
    assert [r["EgressOnlyInternetGatewayId"] for r in default] == [eigw]
