"""Hybrid DNS with Route 53 Resolver endpoints. The VPC's resolver answers only inside the VPC; an inbound endpoint
puts network interfaces in the VPC's subnets that on-premises DNS servers can forward to, and an outbound endpoint
lets a FORWARD rule send queries for the on-premises domain to the on-premises DNS servers, once the rule is
associated with the VPC. No emulator resolves names through these endpoints: the lab shows the configuration AWS
builds (interfaces, states, rules, associations) and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config

from labkit import network
from labkit.errors import ALLOWED, error_code
from labkit.eventually import eventually
from labkit.report import show_table

#: The VPC of 001's "Advanced VPC DNS & DNS Endpoints" (its Route 53 Resolver answers at 10.16.0.2), a subnet in each
#: of two zones, and an on-premises network whose two DNS servers the VPC forwards to, and that forwards to the VPC.
VPC_CIDR = "10.16.0.0/16"
SUBNET_CIDRS = ("10.16.32.0/20", "10.16.96.0/20")
INBOUND_IPS = ("10.16.32.10", "10.16.96.10")
ON_PREMISES_CIDR = "192.168.10.0/24"
ON_PREMISES_DNS = ("192.168.10.10", "192.168.10.11")
ON_PREMISES_DOMAIN = "corp.example.com"

CREATED_AT_ONCE = "answers OPERATIONAL at once; AWS answers CREATING while it sets up the network interfaces"
CREATING = (
    "localstack/localstack:tests/aws/services/route53resolver/test_route53resolver.snapshot.json"
    "#tests/aws/services/route53resolver/test_route53resolver.py::TestRoute53Resolver::"
    "test_create_resolver_endpoint[INBOUND-5]"
)
INBOUND_RULE = (
    "localstack/localstack:tests/aws/services/route53resolver/test_route53resolver.snapshot.json"
    "#tests/aws/services/route53resolver/test_route53resolver.py::TestRoute53Resolver::"
    "test_create_resolver_rule_with_invalid_direction"
)
TWO_IPS_DOC = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-choose-vpc.html"


@pytest.fixture
def aws_side(ec2, unique_name, backend) -> dict[str, Any]:
    """The VPC, a subnet in each of two zones, and a security group open to DNS (TCP and UDP 53) from the
    on-premises network: {"vpc", "subnets", "security_group"}."""
    vpc = network.create_vpc(ec2, VPC_CIDR, backend=backend)["VpcId"]
    zones = network.zones(ec2, 2)
    subnets = [
        network.create_subnet(ec2, vpc, cidr, zone, backend=backend)["SubnetId"]
        for cidr, zone in zip(SUBNET_CIDRS, zones, strict=True)
    ]
    group = ec2.create_security_group(
        GroupName=unique_name("dns"), Description="DNS from the on-premises network", VpcId=vpc
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": protocol, "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": ON_PREMISES_CIDR}]}
            for protocol in ("tcp", "udp")
        ],
    )
    return {"vpc": vpc, "subnets": subnets, "security_group": group}


def create_endpoint(resolver, aws_side, unique_name, direction, ips=None) -> dict[str, Any]:
    """An endpoint with an address in each subnet (``ips`` fixes them; else Resolver picks), as CreateResolverEndpoint
    answered."""
    chosen = ips or (None,) * len(aws_side["subnets"])
    addresses = [
        {"SubnetId": subnet, **({"Ip": ip} if ip else {})}
        for subnet, ip in zip(aws_side["subnets"], chosen, strict=True)
    ]
    return resolver.create_resolver_endpoint(
        CreatorRequestId=unique_name("request"), Name=unique_name(direction.lower()), Direction=direction,
        SecurityGroupIds=[aws_side["security_group"]], IpAddresses=addresses,
    )["ResolverEndpoint"]  # fmt: skip


def operational(resolver, endpoint_id, backend) -> dict[str, Any]:
    """The endpoint once it has left CREATING (a few minutes on AWS)."""
    return eventually(
        lambda: resolver.get_resolver_endpoint(ResolverEndpointId=endpoint_id)["ResolverEndpoint"],
        backend,
        until=lambda found: found["Status"] != "CREATING",
        aws_seconds=15 * 60,
        emulator_seconds=2,
        interval=10,
    )


@pytest.fixture
def inbound(resolver, aws_side, unique_name, backend) -> dict[str, Any]:
    """An OPERATIONAL inbound endpoint at 10.16.32.10 and 10.16.96.10: the addresses on-premises DNS forwards to."""
    created = create_endpoint(resolver, aws_side, unique_name, "INBOUND", INBOUND_IPS)
    return operational(resolver, created["Id"], backend)


@pytest.fixture
def outbound(resolver, aws_side, unique_name, backend) -> dict[str, Any]:
    """An OPERATIONAL outbound endpoint, an address in each subnet chosen by Resolver."""
    created = create_endpoint(resolver, aws_side, unique_name, "OUTBOUND")
    return operational(resolver, created["Id"], backend)


def forward_rule(resolver, endpoint_id, unique_name, **extra) -> dict[str, Any]:
    """A FORWARD rule sending the on-premises domain to the two on-premises DNS servers on port 53."""
    return resolver.create_resolver_rule(
        CreatorRequestId=unique_name("request"), Name=unique_name("corp"), RuleType="FORWARD",
        DomainName=ON_PREMISES_DOMAIN, ResolverEndpointId=endpoint_id,
        TargetIps=[{"Ip": ip, "Port": 53} for ip in ON_PREMISES_DNS], **extra,
    )["ResolverRule"]  # fmt: skip


# --- endpoints --------------------------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"),
    CREATED_AT_ONCE,
    evidence=f"{CREATING} ; botocore:route53resolver/2018-04-01#ResolverEndpoint",
)
def test_a_new_endpoint_is_creating_before_it_is_operational(resolver, aws_side, unique_name, backend):
    created = create_endpoint(resolver, aws_side, unique_name, "INBOUND", INBOUND_IPS)

    assert created["Status"] == "CREATING"
    assert operational(resolver, created["Id"], backend)["Status"] == "OPERATIONAL"


def test_an_inbound_endpoint_is_a_network_interface_in_each_of_its_subnets(ec2, inbound, aws_side):
    interfaces = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "vpc-id", "Values": [aws_side["vpc"]]},
            {"Name": "addresses.private-ip-address", "Values": list(INBOUND_IPS)},
        ]  # fmt: skip
    )["NetworkInterfaces"]

    show_table(
        "the inbound endpoint's network interfaces", ["address", "subnet", "security groups"],
        [[i["PrivateIpAddress"], i["SubnetId"], ",".join(g["GroupId"] for g in i["Groups"])] for i in interfaces],
    )  # fmt: skip
    assert sorted((i["PrivateIpAddress"], i["SubnetId"]) for i in interfaces) == sorted(
        zip(INBOUND_IPS, aws_side["subnets"], strict=True)
    )
    assert [[g["GroupId"] for g in i["Groups"]] for i in interfaces] == [[aws_side["security_group"]]] * 2
    assert inbound["IpAddressCount"] == 2 and inbound["HostVPCId"] == aws_side["vpc"]


def test_an_endpoint_with_a_single_ip_address_is_refused(aws_client, aws_side, unique_name):
    # botocore itself refuses a list shorter than the model's minimum of 2: switch that check off to ask the service.
    unchecked = aws_client("route53resolver", config=Config(parameter_validation=False))

    code = error_code(
        unchecked.create_resolver_endpoint, CreatorRequestId=unique_name("request"), Direction="INBOUND",
        SecurityGroupIds=[aws_side["security_group"]],
        IpAddresses=[{"SubnetId": aws_side["subnets"][0], "Ip": INBOUND_IPS[0]}],
    )  # fmt: skip

    assert code != ALLOWED  # the minimum is documented; the error code is not


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "removes one of the endpoint's two addresses; AWS keeps at least two in every endpoint",
    evidence=f"botocore:route53resolver/2018-04-01#ResolverEndpoint ; {TWO_IPS_DOC}",
)
def test_an_endpoint_cannot_drop_below_two_ip_addresses(resolver, inbound, aws_side):
    code = error_code(
        resolver.disassociate_resolver_endpoint_ip_address, ResolverEndpointId=inbound["Id"],
        IpAddress={"SubnetId": aws_side["subnets"][0], "Ip": INBOUND_IPS[0]},
    )  # fmt: skip

    assert code != ALLOWED  # the rule is documented; the error code is not


# --- rules ------------------------------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates a FORWARD rule on an INBOUND endpoint; AWS answers InvalidRequestException (rules need OUTBOUND ones)",
    evidence=INBOUND_RULE,
)
def test_a_forward_rule_cannot_use_an_inbound_endpoint(resolver, inbound, unique_name):
    assert error_code(forward_rule, resolver, inbound["Id"], unique_name) == "InvalidRequestException"


def test_a_forward_rule_for_the_on_premises_domain_is_accepted_and_stored(resolver, outbound, unique_name):
    created = forward_rule(resolver, outbound["Id"], unique_name)

    rule = resolver.get_resolver_rule(ResolverRuleId=created["Id"])["ResolverRule"]
    assert (rule["RuleType"], rule["DomainName"], rule["ResolverEndpointId"]) == (
        "FORWARD",
        f"{ON_PREMISES_DOMAIN}.",
        outbound["Id"],
    )  # the domain comes back fully qualified, with its final dot
    assert sorted((t["Ip"], t["Port"]) for t in rule["TargetIps"]) == [(ip, 53) for ip in ON_PREMISES_DNS]


def test_a_system_rule_for_a_subdomain_is_accepted_and_stored(resolver, unique_name):
    # Resolver answers aws.corp.example.com itself even where corp.example.com is forwarded on-premises.
    created = resolver.create_resolver_rule(
        CreatorRequestId=unique_name("request"), RuleType="SYSTEM", DomainName=f"aws.{ON_PREMISES_DOMAIN}"
    )["ResolverRule"]

    rule = resolver.get_resolver_rule(ResolverRuleId=created["Id"])["ResolverRule"]
    assert (rule["RuleType"], rule["DomainName"]) == ("SYSTEM", f"aws.{ON_PREMISES_DOMAIN}.")
    assert not rule.get("ResolverEndpointId") and not rule.get("TargetIps")  # no endpoint, nowhere to forward


def test_associating_the_rule_with_the_vpc_is_accepted_and_stored(resolver, outbound, aws_side, unique_name, backend):
    rule = forward_rule(resolver, outbound["Id"], unique_name)

    association = resolver.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=aws_side["vpc"])
    found = eventually(
        lambda: resolver.get_resolver_rule_association(
            ResolverRuleAssociationId=association["ResolverRuleAssociation"]["Id"]
        )["ResolverRuleAssociation"],
        backend,
        until=lambda a: a["Status"] != "CREATING",
        aws_seconds=15 * 60,
        emulator_seconds=2,
        interval=10,
    )
    assert (found["Status"], found["ResolverRuleId"], found["VPCId"]) == ("COMPLETE", rule["Id"], aws_side["vpc"])


def test_a_rule_still_associated_with_a_vpc_cannot_be_deleted(resolver, outbound, aws_side, unique_name):
    rule = forward_rule(resolver, outbound["Id"], unique_name)
    resolver.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=aws_side["vpc"])

    assert error_code(resolver.delete_resolver_rule, ResolverRuleId=rule["Id"]) == "ResourceInUseException"
