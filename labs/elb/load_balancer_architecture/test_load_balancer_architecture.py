"""How a load balancer sits in a VPC: an Application Load Balancer needs subnets in at least two Availability Zones (a
Network Load Balancer can live in one), gets one DNS name, is internet-facing unless told to be internal, starts
``provisioning`` and becomes ``active``, and balances across zones (always for an ALB, off by default for an NLB)."""

from __future__ import annotations

import re

import pytest

from labkit import network
from labkit.compute import refused
from labkit.errors import error_code
from labkit.load_balancing import attributes, create_load_balancer, target_group_attributes
from labkit.report import show_table

ALB_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"
CROSS_ZONE_OFF_DOC = "https://docs.amazonaws.cn/en_us/elasticloadbalancing/latest/application/disable-cross-zone.html"
NLB_CROSS_ZONE_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html"
SUBNETS = "botocore:elbv2/2015-12-01#CreateLoadBalancerInput"
EXAMPLES = "botocore:elbv2/2015-12-01#CreateLoadBalancer"  # its examples: the DNS names and the first state
CROSS_ZONE = "load_balancing.cross_zone.enabled"


@pytest.fixture
def name(unique_name):
    """A load balancer name: at most 32 characters, letters, digits and hyphens."""
    return unique_name("lb")[:32]


def show_balancer(balancer):
    show_table(
        "the load balancer", ["name", "scheme", "state", "zones", "DNS name"],
        [[balancer["LoadBalancerName"], balancer.get("Scheme"), balancer["State"]["Code"],
          " ".join(sorted(z["ZoneName"] for z in balancer["AvailabilityZones"])), balancer["DNSName"]]],
    )  # fmt: skip


# --- zones and subnets ------------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates an Application Load Balancer in a single subnet; AWS requires subnets in at least two Availability Zones",
    evidence=f"{SUBNETS} ; {ALB_DOC}",
)
def test_an_application_load_balancer_in_one_zone_is_refused(elbv2, net, name):
    code = error_code(elbv2.create_load_balancer, Name=name, Subnets=net["subnets"][:1],
                      SecurityGroups=[net["security_group"]])  # fmt: skip

    assert refused(code)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates an Application Load Balancer in two subnets of the same zone; AWS takes one subnet per zone and needs "
    "two zones",
    evidence=SUBNETS,
)
def test_two_subnets_in_the_same_zone_do_not_make_two_zones(elbv2, ec2, net, name, backend):
    same_zone = network.create_subnet(ec2, net["vpc"], "10.0.3.0/24", net["zones"][0], backend=backend)["SubnetId"]

    code = error_code(elbv2.create_load_balancer, Name=name, Subnets=[net["subnets"][0], same_zone],
                      SecurityGroups=[net["security_group"]])  # fmt: skip

    assert refused(code)


@pytest.mark.diverges(
    "ministack",
    "reports every subnet in the region's zone 'a'; AWS reports each subnet's own zone",
    evidence="botocore:elbv2/2015-12-01#AvailabilityZone",
)
def test_an_application_load_balancer_lists_each_zone_with_the_subnet_it_was_given(elbv2, net, name, backend):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, SecurityGroups=[net["security_group"]])
    show_balancer(balancer["active"])

    zones = {z["ZoneName"]: z["SubnetId"] for z in balancer["active"]["AvailabilityZones"]}
    assert zones == dict(zip(net["zones"], net["subnets"], strict=True))


def test_a_network_load_balancer_can_live_in_a_single_zone(elbv2, net, name, backend):
    balancer = create_load_balancer(elbv2, name, net["subnets"][:1], backend, Type="network")["active"]
    show_balancer(balancer)

    assert balancer["Type"] == "network"
    assert [z["SubnetId"] for z in balancer["AvailabilityZones"]] == net["subnets"][:1]


# --- its state --------------------------------------------------------------------------------------------------


@pytest.mark.diverges(
    "ministack", "answers CreateLoadBalancer with the state active; AWS answers provisioning and activates it later",
    evidence=f"{EXAMPLES} ; {ALB_DOC}",
)  # fmt: skip
def test_a_new_load_balancer_is_provisioning_then_active(elbv2, net, name, backend):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, SecurityGroups=[net["security_group"]])

    states = (balancer["created"]["State"]["Code"], balancer["active"]["State"]["Code"])
    show_table("state", ["CreateLoadBalancer", "after the load_balancer_available waiter"], [states])
    assert states == ("provisioning", "active")


# --- its name and scheme ------------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"), "reports no scheme for a load balancer created without one; AWS reports internet-facing",
    evidence=SUBNETS,
)  # fmt: skip
def test_a_load_balancer_is_internet_facing_and_ipv4_unless_told_otherwise(elbv2, net, name, backend):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, SecurityGroups=[net["security_group"]])

    active = balancer["active"]
    assert (active["Type"], active.get("Scheme"), active["IpAddressType"]) == ("application", "internet-facing", "ipv4")


@pytest.mark.diverges(
    "ministack",
    "ends the DNS name with random letters and digits; AWS ends an Application Load Balancer's with a decimal number",
    evidence=EXAMPLES,
)  # fmt: skip
def test_an_internet_facing_load_balancer_is_named_after_itself_in_the_region(elbv2, net, name, backend, aws_region):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, SecurityGroups=[net["security_group"]])
    show_balancer(balancer["active"])

    pattern = rf"{re.escape(name)}-[0-9]+\.{re.escape(aws_region)}\.elb\.amazonaws\.com"
    assert re.fullmatch(pattern, balancer["active"]["DNSName"]), balancer["active"]["DNSName"]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "names an internal load balancer like an internet-facing one; AWS prefixes its DNS name with 'internal-'",
    evidence=EXAMPLES,
)
def test_an_internal_load_balancer_has_an_internal_dns_name(elbv2, net, name, backend, aws_region):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, Scheme="internal",
                                    SecurityGroups=[net["security_group"]])["active"]  # fmt: skip
    show_balancer(balancer)

    assert balancer["Scheme"] == "internal"
    pattern = rf"internal-{re.escape(name)}-[0-9]+\.{re.escape(aws_region)}\.elb\.amazonaws\.com"
    assert re.fullmatch(pattern, balancer["DNSName"]), balancer["DNSName"]


# --- cross-zone load balancing ------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"), "reports cross-zone load balancing off for an ALB; AWS has it on, always",
    evidence=f"botocore:elbv2/2015-12-01#LoadBalancerAttribute ; {CROSS_ZONE_OFF_DOC}",
)  # fmt: skip
@pytest.mark.diverges(
    "ministack", "lists no load_balancing.cross_zone.enabled attribute; AWS lists it, true for an ALB",
    evidence="botocore:elbv2/2015-12-01#LoadBalancerAttribute",
)  # fmt: skip
def test_cross_zone_load_balancing_is_on_for_an_application_load_balancer(elbv2, alb):
    assert attributes(elbv2, alb["LoadBalancerArn"]).get(CROSS_ZONE) == "true"


@pytest.mark.diverges(
    "ministack", "lists no load_balancing.cross_zone.enabled attribute; AWS lists it, false for a new NLB",
    evidence=f"botocore:elbv2/2015-12-01#LoadBalancerAttribute ; {NLB_CROSS_ZONE_DOC}",
)  # fmt: skip
def test_cross_zone_load_balancing_is_off_by_default_for_a_network_load_balancer(elbv2, net, name, backend):
    balancer = create_load_balancer(elbv2, name, net["subnets"], backend, Type="network")["active"]

    assert attributes(elbv2, balancer["LoadBalancerArn"]).get(CROSS_ZONE) == "false"


def test_turning_cross_zone_on_for_a_network_load_balancer_is_accepted_and_stored(elbv2, net, name, backend):
    arn = create_load_balancer(elbv2, name, net["subnets"], backend, Type="network")["active"]["LoadBalancerArn"]

    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": CROSS_ZONE, "Value": "true"}])

    assert attributes(elbv2, arn)[CROSS_ZONE] == "true"


@pytest.mark.diverges(
    "ministack", "lists no load_balancing.cross_zone.enabled target group attribute; AWS lists it",
    evidence=f"botocore:elbv2/2015-12-01#TargetGroupAttribute ; {CROSS_ZONE_OFF_DOC}",
)  # fmt: skip
def test_a_target_group_follows_its_load_balancers_cross_zone_setting_by_default(elbv2, net, unique_name):
    group = elbv2.create_target_group(Name=unique_name("tg")[:32], Protocol="HTTP", Port=80, VpcId=net["vpc"])

    found = target_group_attributes(elbv2, group["TargetGroups"][0]["TargetGroupArn"])
    # the one place an ALB's cross-zone balancing can be turned off: per target group, "false"
    assert found.get(CROSS_ZONE) == "use_load_balancer_configuration"
