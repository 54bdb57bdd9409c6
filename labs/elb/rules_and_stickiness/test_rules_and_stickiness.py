"""Listener rules (path, host header, query string), their priority order and the default rule; target-group
stickiness attributes. The emulators store rules and attributes but route no traffic: which rule a request
would hit is worked out by ``alb_routing`` from the rules exactly as ``describe_rules`` returns them."""

from __future__ import annotations

import pytest
from alb_routing import Request, choose_rule
from botocore.exceptions import ClientError

from labkit.report import show_table

SEVEN_DAYS = 7 * 24 * 3600  # 604800 s, the longest lb_cookie duration


@pytest.fixture
def elbv2(aws_client):
    return aws_client("elbv2")


@pytest.fixture
def network(aws_client):
    """A VPC with subnets in two availability zones (an ALB needs at least two)."""
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


@pytest.fixture
def alb(elbv2, network, unique_name):
    """An ALB with an HTTP :80 listener whose default action forwards to the "web" target group, plus an
    "api" and a "beta" target group for the rules to forward to. Returns (listener ARN, {name: TG ARN})."""
    vpc, subnets = network
    balancer = elbv2.create_load_balancer(Name=unique_name("alb")[:32], Subnets=subnets, Type="application")
    groups = {
        name: elbv2.create_target_group(Name=unique_name(name)[:32], Protocol="HTTP", Port=80, VpcId=vpc)[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for name in ("web", "api", "beta")
    }
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["web"]}],
    )["Listeners"][0]["ListenerArn"]  # fmt: skip
    return listener, groups


def forward_to(group_arn):
    return [{"Type": "forward", "TargetGroupArn": group_arn}]


PATH_API = {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}
HOST_API = {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}}
QUERY_BETA = {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "version", "Value": "beta"}]}}


@pytest.fixture
def routed(elbv2, alb):
    """The note's three kinds of rule: query string (priority 5), path (10), host header (20)."""
    listener, groups = alb
    elbv2.create_rule(ListenerArn=listener, Priority=5, Conditions=[QUERY_BETA], Actions=forward_to(groups["beta"]))
    elbv2.create_rule(ListenerArn=listener, Priority=10, Conditions=[PATH_API], Actions=forward_to(groups["api"]))
    elbv2.create_rule(ListenerArn=listener, Priority=20, Conditions=[HOST_API], Actions=forward_to(groups["api"]))
    return listener, groups


def target_of(rule, groups):
    names = {arn: name for name, arn in groups.items()}
    return names[rule["Actions"][0]["TargetGroupArn"]]


def test_rules_match_on_path_host_header_and_query_string(elbv2, routed):
    listener, groups = routed

    rules = {r["Priority"]: r for r in elbv2.describe_rules(ListenerArn=listener)["Rules"]}

    assert sorted(rules) == ["10", "20", "5", "default"]
    assert rules["5"]["Conditions"] == [QUERY_BETA]
    assert rules["10"]["Conditions"] == [PATH_API]
    assert rules["20"]["Conditions"] == [HOST_API]
    assert [target_of(rules[p], groups) for p in ("5", "10", "20")] == ["beta", "api", "api"]


def test_the_default_rule_has_no_conditions_and_forwards_to_the_default_target_group(elbv2, routed):
    listener, groups = routed

    default = [r for r in elbv2.describe_rules(ListenerArn=listener)["Rules"] if r["IsDefault"]]

    assert len(default) == 1
    assert default[0]["Priority"] == "default"
    assert default[0]["Conditions"] == []
    assert target_of(default[0], groups) == "web"


def test_rules_are_evaluated_lowest_priority_first_and_the_default_catches_the_rest(elbv2, routed):
    listener, groups = routed
    rules = elbv2.describe_rules(ListenerArn=listener)["Rules"]
    requests = {
        "www.example.com/": Request("www.example.com", "/"),
        "www.example.com/api/orders": Request("www.example.com", "/api/orders"),
        "API.example.com/": Request("API.example.com", "/"),
        "www.example.com/api/orders?version=beta": Request("www.example.com", "/api/orders", {"version": "beta"}),
    }

    chosen = {name: choose_rule(rules, request) for name, request in requests.items()}
    show_table(
        "which rule handles each request", ["request", "rule priority", "target group"],
        [[name, rule["Priority"], target_of(rule, groups)] for name, rule in chosen.items()],
    )  # fmt: skip

    assert {name: (rule["Priority"], target_of(rule, groups)) for name, rule in chosen.items()} == {
        "www.example.com/": ("default", "web"),
        "www.example.com/api/orders": ("10", "api"),
        "API.example.com/": ("20", "api"),  # host names compare case-insensitively
        "www.example.com/api/orders?version=beta": ("5", "beta"),  # 5 and 10 both match: 5 is tried first
    }


def test_changing_a_priority_changes_which_rule_wins(elbv2, routed):
    listener, groups = routed
    rules = {r["Priority"]: r for r in elbv2.describe_rules(ListenerArn=listener)["Rules"]}
    beta_request = Request("www.example.com", "/api/orders", {"version": "beta"})

    elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": rules["5"]["RuleArn"], "Priority": 50}])

    after = elbv2.describe_rules(ListenerArn=listener)["Rules"]
    assert sorted(r["Priority"] for r in after) == ["10", "20", "50", "default"]
    assert target_of(choose_rule(after, beta_request), groups) == "api"  # the path rule (10) now comes first


def test_a_priority_is_used_once_per_listener(elbv2, routed):
    listener, groups = routed

    with pytest.raises(ClientError) as raised:
        elbv2.create_rule(ListenerArn=listener, Priority=10, Conditions=[HOST_API], Actions=forward_to(groups["web"]))

    assert raised.value.response["Error"]["Code"] == "PriorityInUse"


@pytest.mark.diverges(("moto", "moto-server"), "accepts priority 50001; AWS allows 1-50000 (ValidationError)")
def test_a_priority_above_50000_is_rejected(elbv2, routed):
    listener, groups = routed

    with pytest.raises(ClientError) as raised:
        elbv2.create_rule(
            ListenerArn=listener, Priority=50001, Conditions=[HOST_API], Actions=forward_to(groups["web"])
        )

    assert raised.value.response["Error"]["Code"] == "ValidationError"


def attributes(elbv2, group_arn):
    return {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)["Attributes"]
    }


def test_stickiness_is_off_by_default_on_a_new_target_group(elbv2, alb):
    _, groups = alb

    assert attributes(elbv2, groups["web"])["stickiness.enabled"] == "false"


def test_lb_cookie_stickiness_and_its_duration_round_trip(elbv2, alb):
    _, groups = alb

    elbv2.modify_target_group_attributes(
        TargetGroupArn=groups["web"],
        Attributes=[
            {"Key": "stickiness.enabled", "Value": "true"},
            {"Key": "stickiness.type", "Value": "lb_cookie"},
            {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "86400"},
        ],
    )

    stored = attributes(elbv2, groups["web"])
    assert stored["stickiness.enabled"] == "true"
    assert stored["stickiness.type"] == "lb_cookie"  # the ALB issues the AWSALB cookie
    assert stored["stickiness.lb_cookie.duration_seconds"] == "86400"
    assert attributes(elbv2, groups["api"])["stickiness.enabled"] == "false"  # per target group, not per ALB


@pytest.mark.diverges(
    ("moto", "moto-server"), "accepts an lb_cookie duration of 604801 s; AWS allows 1 s to 7 days (604800 s)"
)
def test_lb_cookie_duration_longer_than_seven_days_is_rejected(elbv2, alb):
    _, groups = alb

    with pytest.raises(ClientError) as raised:
        elbv2.modify_target_group_attributes(
            TargetGroupArn=groups["web"],
            Attributes=[
                {"Key": "stickiness.enabled", "Value": "true"},
                {"Key": "stickiness.lb_cookie.duration_seconds", "Value": str(SEVEN_DAYS + 1)},
            ],
        )

    # The range is documented; the error code is not, and AWS has answered both of these for bad attributes.
    assert raised.value.response["Error"]["Code"] in {"ValidationError", "InvalidConfigurationRequest"}
