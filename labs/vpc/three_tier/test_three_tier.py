"""A three-tier VPC in two zones: public subnets route 0.0.0.0/0 to an internet gateway and give instances public
addresses, the app tier routes 0.0.0.0/0 to a NAT gateway in a public subnet, the data tier has no way out.
What makes a subnet public is its route table; what an instance gets is what DescribeInstances reports."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import NETWORK_CHANGE, eventually, waiter_config
from labkit.network import (
    amazon_linux_image,
    create_subnet,
    create_vpc,
    describe_instance,
    disassociate_route_tables,
    launch,
    main_route_table,
    routes,
    zones,
)
from labkit.report import show_table

ALL_EMULATORS = ("moto", "moto-server", "ministack", "localstack")
#: Two subnets per tier, one in each of the region's first two zones.
TIERS = {"public": ["10.0.0.0/24", "10.0.1.0/24"], "app": ["10.0.10.0/24", "10.0.11.0/24"],
         "data": ["10.0.20.0/24", "10.0.21.0/24"]}  # fmt: skip
ROUTE_STATE = "botocore:ec2/2016-11-15#Route"
NAT_DOC = "botocore:ec2/2016-11-15#CreateNatGateway"


def default_route(ec2, table_id):
    """The 0.0.0.0/0 route of a table, or None."""
    found = [r for r in routes(ec2, table_id) if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return found[0] if found else None


def new_nat_gateway(ec2, subnet_id):
    """A public NAT gateway with a fresh Elastic IP: (the CreateNatGateway answer, the address)."""
    address = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=address["AllocationId"])["NatGateway"]
    return nat, address


@pytest.fixture
def network(ec2, backend):
    """The VPC, six subnets (two per tier), an internet gateway, and the public tier's route table: 0.0.0.0/0 to
    the gateway, associated with both public subnets, which also map public IPs on launch."""
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    chosen = zones(ec2, 2)
    subnets = {tier: [create_subnet(ec2, vpc, cidr, zone, backend=backend)
                      for cidr, zone in zip(cidrs, chosen, strict=True)]
               for tier, cidrs in TIERS.items()}  # fmt: skip
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    public = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    for subnet in subnets["public"]:
        ec2.associate_route_table(RouteTableId=public, SubnetId=subnet["SubnetId"])
        ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    yield {"vpc": vpc, "subnets": subnets, "gateway": gateway, "tables": {"public": public}}
    if backend.track_resources:  # before the harness empties the VPC (see disassociate_route_tables)
        disassociate_route_tables(ec2, vpc)


@pytest.fixture
def layout(ec2, network, backend):
    """The network, plus a NAT gateway in the first public subnet (waited for until available), the app tier's
    table (0.0.0.0/0 to the NAT gateway) and the data tier's table (the local route only)."""
    nat, address = new_nat_gateway(ec2, network["subnets"]["public"][0]["SubnetId"])
    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=[nat["NatGatewayId"]], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    app = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=app, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat["NatGatewayId"])
    data = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    for tier, table in (("app", app), ("data", data)):
        for subnet in network["subnets"][tier]:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet["SubnetId"])
    return {**network, "nat": nat["NatGatewayId"], "address": address, "tables": {**network["tables"], "app": app,
            "data": data}}  # fmt: skip


def test_a_new_subnet_does_not_give_instances_public_ips(ec2, backend):
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]

    subnet = create_subnet(ec2, vpc, "10.0.0.0/24", zones(ec2, 1)[0], backend=backend)

    assert subnet["MapPublicIpOnLaunch"] is False


def test_a_subnet_without_its_own_route_table_uses_the_main_one_implicitly(ec2, backend):
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.0.0.0/24", zones(ec2, 1)[0], backend=backend)["SubnetId"]

    explicit = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    main = main_route_table(ec2, vpc)

    assert explicit["RouteTables"] == []  # no table names the subnet
    assert [(a["Main"], a.get("SubnetId")) for a in main["Associations"]] == [(True, None)]  # the main one covers it


def test_the_default_route_of_each_tiers_subnets_is_stored_igw_nat_or_none(ec2, layout):
    found = {}
    for tier, subnets in layout["subnets"].items():
        for subnet in subnets:
            table = ec2.describe_route_tables(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}]
            )["RouteTables"][0]["RouteTableId"]
            route = default_route(ec2, table) or {}
            found[subnet["CidrBlock"]] = (tier, route.get("GatewayId") or route.get("NatGatewayId"))

    show_table("0.0.0.0/0 of each subnet's table", ["subnet", "tier", "target"],
               [[cidr, tier, target or "(none: local only)"] for cidr, (tier, target) in found.items()])  # fmt: skip
    assert found == {
        "10.0.0.0/24": ("public", layout["gateway"]), "10.0.1.0/24": ("public", layout["gateway"]),
        "10.0.10.0/24": ("app", layout["nat"]), "10.0.11.0/24": ("app", layout["nat"]),
        "10.0.20.0/24": ("data", None), "10.0.21.0/24": ("data", None),
    }  # fmt: skip


def test_an_instance_in_a_public_subnet_gets_a_public_ip(ec2, network, backend):
    instance = launch(ec2, network["subnets"]["public"][0]["SubnetId"], backend=backend)

    assert "PublicIpAddress" in instance
    assert not ip_address(instance["PublicIpAddress"]).is_private


@pytest.mark.diverges(
    "ministack",
    "gives every instance a public IP, whatever its subnet's MapPublicIpOnLaunch; AWS gives none unless the subnet "
    "maps them or the launch asks for one",
    evidence="botocore:ec2/2016-11-15#Subnet ; botocore:ec2/2016-11-15#InstanceNetworkInterfaceSpecification",
)
@pytest.mark.parametrize("tier", ["app", "data"])
def test_an_instance_in_a_private_tier_gets_no_public_ip(ec2, network, tier, backend):
    instance = launch(ec2, network["subnets"][tier][0]["SubnetId"], backend=backend)

    assert "PublicIpAddress" not in instance
    assert "PrivateIpAddress" in instance


def test_asking_for_a_public_ip_at_launch_overrides_the_subnets_default(ec2, network, backend):
    app_subnet = network["subnets"]["app"][0]["SubnetId"]  # MapPublicIpOnLaunch is false here
    started = ec2.run_instances(
        MinCount=1, MaxCount=1, ImageId=amazon_linux_image(ec2), InstanceType="t3.micro",
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": app_subnet, "AssociatePublicIpAddress": True}],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    ec2.get_waiter("instance_running").wait(
        InstanceIds=[started], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )

    instance = describe_instance(ec2, started)

    assert "PublicIpAddress" in instance


@pytest.mark.diverges(
    "ministack",
    "gives an instance a private IP outside its subnet's range; AWS takes it from the subnet's range",
    evidence="botocore:ec2/2016-11-15#RunInstancesRequest",
)
def test_an_instance_takes_its_private_ip_from_its_subnet(ec2, network, backend):
    subnet = network["subnets"]["app"][1]

    instance = launch(ec2, subnet["SubnetId"], backend=backend)

    assert ip_address(instance["PrivateIpAddress"]) in ip_network(subnet["CidrBlock"])


@pytest.mark.diverges(
    ALL_EMULATORS,
    "accept a second AssociateRouteTable for a subnet that already has a table; AWS allows one table per subnet "
    "and moves it only with ReplaceRouteTableAssociation",
    evidence="https://docs.amazonaws.cn/vpc/latest/userguide/subnet-route-tables.md ; unverified: the code "
    "Resource.AlreadyAssociated is what AssociateRouteTable answers in Terraform users' reports "
    "(hashicorp/terraform-provider-aws#38960), not in AWS's pages; a run on AWS would settle it",
)
def test_a_subnet_uses_one_route_table_at_a_time(ec2, network):
    subnet = network["subnets"]["public"][1]["SubnetId"]  # associated with the public table by the fixture
    other = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]

    with pytest.raises(ClientError) as raised:
        ec2.associate_route_table(RouteTableId=other, SubnetId=subnet)

    assert raised.value.response["Error"]["Code"] == "Resource.AlreadyAssociated"


@pytest.mark.diverges(
    ALL_EMULATORS,
    "create the NAT gateway already available; AWS answers CreateNatGateway with pending and makes it available "
    "later (the nat_gateway_available waiter waits for that)",
    evidence="botocore:ec2/2016-11-15#NatGateway",
)
def test_a_nat_gateway_is_pending_then_available(ec2, network, backend):
    nat, _ = new_nat_gateway(ec2, network["subnets"]["public"][0]["SubnetId"])

    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=[nat["NatGatewayId"]], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )
    later = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]

    assert [nat["State"], later["State"]] == ["pending", "available"]


@pytest.mark.diverges(
    "ministack",
    "lists no addresses for the NAT gateway; AWS lists the Elastic IP it was given as its public IP",
    evidence="botocore:ec2/2016-11-15#NatGatewayAddress",
)
def test_a_nat_gateway_goes_out_through_its_elastic_ip(ec2, layout):
    nat = ec2.describe_nat_gateways(NatGatewayIds=[layout["nat"]])["NatGateways"][0]

    addresses = [(a.get("AllocationId"), a.get("PublicIp")) for a in nat["NatGatewayAddresses"]]
    assert addresses == [(layout["address"]["AllocationId"], layout["address"]["PublicIp"])]


@pytest.mark.diverges(
    ALL_EMULATORS,
    "moto and LocalStack give the NAT gateway a private IP outside its subnet, MiniStack none; AWS creates its "
    "network interface in the subnet with an address from the subnet's range",
    evidence=NAT_DOC,
)
def test_a_nat_gateway_takes_its_private_ip_from_its_public_subnet(ec2, layout):
    subnet = layout["subnets"]["public"][0]
    nat = ec2.describe_nat_gateways(NatGatewayIds=[layout["nat"]])["NatGateways"][0]

    private = [ip_address(a["PrivateIp"]) for a in nat["NatGatewayAddresses"] if "PrivateIp" in a]
    assert nat["SubnetId"] == subnet["SubnetId"]
    assert len(private) == 1
    assert private[0] in ip_network(subnet["CidrBlock"])


@pytest.mark.diverges(
    ALL_EMULATORS,
    "make a public NAT gateway available in a VPC with no internet gateway; AWS fails it with FailureCode "
    "Gateway.NotAttached",
    evidence="botocore:ec2/2016-11-15#NatGateway",
)
def test_a_public_nat_gateway_fails_in_a_vpc_without_an_internet_gateway(ec2, backend):
    vpc = create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.0.0.0/24", zones(ec2, 1)[0], backend=backend)["SubnetId"]
    nat, _ = new_nat_gateway(ec2, subnet)

    def settled():
        found = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]
        return found if found["State"] != "pending" else None

    found = eventually(settled, backend, aws_seconds=600, interval=10) or {}
    assert (found.get("State"), found.get("FailureCode")) == ("failed", "Gateway.NotAttached")


@pytest.mark.diverges(
    "ministack",
    "deletes an internet gateway that is still attached; AWS refuses until it is detached (DependencyViolation)",
    evidence="botocore:ec2/2016-11-15#DeleteInternetGateway ; "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
)
def test_an_attached_internet_gateway_cannot_be_deleted(ec2, network):
    with pytest.raises(ClientError) as raised:
        ec2.delete_internet_gateway(InternetGatewayId=network["gateway"])

    assert raised.value.response["Error"]["Code"] == "DependencyViolation"


@pytest.mark.diverges(
    ALL_EMULATORS,
    "keep the route active after its internet gateway is detached; AWS marks a route whose gateway is not "
    "attached to the VPC blackhole",
    evidence=ROUTE_STATE,
)
def test_detaching_the_internet_gateway_leaves_the_public_route_as_a_blackhole(ec2, network, backend):
    ec2.detach_internet_gateway(InternetGatewayId=network["gateway"], VpcId=network["vpc"])

    route = eventually(
        lambda: (r := default_route(ec2, network["tables"]["public"])) and r["State"] == "blackhole" and r,
        backend, aws_seconds=300, interval=5,
    ) or default_route(ec2, network["tables"]["public"])  # fmt: skip
    assert (route["GatewayId"], route["State"]) == (network["gateway"], "blackhole")


@pytest.mark.diverges(
    ALL_EMULATORS,
    "keep the route to a deleted NAT gateway active; AWS marks a route whose target is gone blackhole",
    evidence=ROUTE_STATE,
)
def test_deleting_the_nat_gateway_leaves_the_app_route_as_a_blackhole(ec2, layout, backend):
    ec2.delete_nat_gateway(NatGatewayId=layout["nat"])
    ec2.get_waiter("nat_gateway_deleted").wait(
        NatGatewayIds=[layout["nat"]], WaiterConfig=waiter_config(backend, **NETWORK_CHANGE)
    )

    route = eventually(
        lambda: (r := default_route(ec2, layout["tables"]["app"])) and r["State"] == "blackhole" and r,
        backend, aws_seconds=300, interval=5,
    ) or default_route(ec2, layout["tables"]["app"])  # fmt: skip
    assert (route["NatGatewayId"], route["State"]) == (layout["nat"], "blackhole")
