"""A target group's health check (protocol, port, path, interval, timeout, thresholds, matcher) and what the
load balancer reports for each target: ``unused`` when no load balancer sends it traffic, ``initial`` while the
first checks run, ``unhealthy`` when nothing answers them, ``draining`` for the deregistration delay after it is
deregistered. The emulators store the settings but probe nothing: they report every target ``healthy``."""

from __future__ import annotations

import pytest
from botocore.config import Config

from labkit import network
from labkit.compute import refused
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

HEALTH_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"
DRAIN_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html"
COMMON_ERRORS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html"
STATES = "botocore:elbv2/2015-12-01#TargetHealth"
EVERY = ("moto", "moto-server", "ministack")
PROBES_NOTHING = "reports every registered target healthy: it runs no health checks"

#: Quick checks, so a verdict comes within seconds on AWS: every 5 s, 2 s to answer, 2 in a row decide.
QUICK = {"HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 2, "HealthyThresholdCount": 2,
         "UnhealthyThresholdCount": 2}  # fmt: skip


@pytest.fixture
def new_group(elbv2, net, unique_name):
    """``new_group(**health_check)``: an HTTP :80 target group in the VPC; returns it as CreateTargetGroup did."""

    def make(**health_check):
        return elbv2.create_target_group(
            Name=unique_name("tg")[:32], Protocol="HTTP", Port=80, VpcId=net["vpc"], **health_check
        )["TargetGroups"][0]

    return make


def attributes(elbv2, group_arn):
    found = elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


# --- the health check's settings ----------------------------------------------------------------------------------


def test_a_new_http_target_group_has_the_documented_health_check_defaults(new_group):
    group = new_group()

    keys = ("HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckIntervalSeconds",
            "HealthyThresholdCount", "UnhealthyThresholdCount")  # fmt: skip
    settings = {k: group[k] for k in keys}
    assert settings == {
        "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/",
        "HealthCheckIntervalSeconds": 30, "HealthyThresholdCount": 5, "UnhealthyThresholdCount": 2,
    }  # fmt: skip
    assert (group["HealthCheckEnabled"], group["Matcher"]) == (True, {"HttpCode": "200"})


def test_custom_health_check_settings_are_accepted_and_stored(elbv2, new_group):
    created = new_group(HealthCheckPath="/health", Matcher={"HttpCode": "200-299"}, **QUICK)

    group = elbv2.describe_target_groups(TargetGroupArns=[created["TargetGroupArn"]])["TargetGroups"][0]
    assert (group["HealthCheckPath"], group["Matcher"]["HttpCode"]) == ("/health", "200-299")
    assert {k: group[k] for k in QUICK} == QUICK


@pytest.fixture
def unvalidated_elbv2(aws_client):
    """An ELBv2 client that sends out-of-range values to the service (botocore checks the model's ranges itself)."""
    return aws_client("elbv2", config=Config(parameter_validation=False))


def accepts(*backends):
    """The emulators that create the target group anyway."""
    return pytest.mark.diverges(
        backends, "creates the target group with the out-of-range value; AWS refuses it (ValidationError)",
        evidence=f"botocore:elbv2/2015-12-01#CreateTargetGroupInput ; {COMMON_ERRORS}",
    )  # fmt: skip


OUT_OF_RANGE = [
    pytest.param({"HealthCheckIntervalSeconds": 4}, id="interval-4s", marks=accepts("ministack")),
    pytest.param({"HealthCheckIntervalSeconds": 301}, id="interval-301s", marks=accepts(*EVERY)),
    pytest.param({"HealthCheckTimeoutSeconds": 1}, id="timeout-1s", marks=accepts(*EVERY)),
    pytest.param({"HealthyThresholdCount": 11}, id="healthy-11", marks=accepts(*EVERY)),
    pytest.param({"UnhealthyThresholdCount": 1}, id="unhealthy-1", marks=accepts(*EVERY)),
]  # fmt: skip


@pytest.mark.parametrize("setting", OUT_OF_RANGE)
def test_health_check_settings_outside_their_ranges_are_refused(unvalidated_elbv2, net, unique_name, setting):
    # interval 5-300 s, timeout 2-120 s, thresholds 2-10
    code = error_code(
        unvalidated_elbv2.create_target_group, Name=unique_name("tg")[:32], Protocol="HTTP", Port=80,
        VpcId=net["vpc"], **setting,
    )  # fmt: skip

    assert code == "ValidationError"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "accepts matcher 500 for an HTTP target group; AWS allows 200-499 for an Application Load Balancer's",
    evidence="botocore:elbv2/2015-12-01#Matcher",
)
def test_a_success_code_outside_200_to_499_is_refused(new_group):
    # The range is documented, the error code is not: the refusal is the assertion.
    assert refused(error_code(new_group, Matcher={"HttpCode": "500"}))


# --- the deregistration delay ---------------------------------------------------------------------------------------


def test_a_new_target_group_has_a_300_second_deregistration_delay(elbv2, new_group):
    group = new_group()

    assert attributes(elbv2, group["TargetGroupArn"])["deregistration_delay.timeout_seconds"] == "300"


@pytest.mark.diverges(
    "ministack", "accepts a deregistration delay of 3601 s; AWS allows 0-3600 s",
    evidence=f"{DRAIN_DOC} ; botocore:elbv2/2015-12-01#TargetGroupAttribute",
)  # fmt: skip
def test_a_deregistration_delay_above_3600_seconds_is_refused(elbv2, new_group):
    group = new_group()["TargetGroupArn"]

    too_long = [{"Key": "deregistration_delay.timeout_seconds", "Value": "3601"}]
    assert refused(error_code(elbv2.modify_target_group_attributes, TargetGroupArn=group, Attributes=too_long))
    assert attributes(elbv2, group)["deregistration_delay.timeout_seconds"] == "300"


# --- what the load balancer reports for a target ---------------------------------------------------------------


@pytest.fixture
def instance(ec2, net, backend):
    """A running Amazon Linux instance in the first public subnet, with port 80 open to the load balancer and
    nothing listening on it (no web server is installed)."""
    return network.launch(ec2, net["subnets"][0], SecurityGroupIds=[net["security_group"]], backend=backend)[
        "InstanceId"
    ]


@pytest.fixture
def served_group(elbv2, alb, new_group):
    """A target group with quick health checks on /health, which the ALB's HTTP :80 listener forwards to."""
    group = new_group(HealthCheckPath="/health", **QUICK)["TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": group}])  # fmt: skip
    return group


def health_of(elbv2, group, instance_id):
    found = elbv2.describe_target_health(TargetGroupArn=group, Targets=[{"Id": instance_id}])
    descriptions = found["TargetHealthDescriptions"]
    health = descriptions[0]["TargetHealth"] if descriptions else {"State": "(not listed)"}
    show_table(
        "target health", ["target", "state", "reason"], [[instance_id, health["State"], health.get("Reason", "")]]
    )
    return health


@pytest.mark.diverges(EVERY, PROBES_NOTHING, evidence=STATES)
def test_a_target_in_a_group_no_load_balancer_uses_is_unused(elbv2, new_group, instance):
    group = new_group()["TargetGroupArn"]

    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": instance}])

    health = health_of(elbv2, group, instance)
    assert (health["State"], health.get("Reason")) == ("unused", "Target.NotInUse")


@pytest.mark.diverges(EVERY, PROBES_NOTHING, evidence=f"{HEALTH_DOC} ; {STATES}")
def test_a_newly_registered_target_starts_initial(elbv2, served_group, instance):
    elbv2.register_targets(TargetGroupArn=served_group, Targets=[{"Id": instance}])

    assert health_of(elbv2, served_group, instance)["State"] == "initial"  # registering, or first checks running


@pytest.mark.diverges(EVERY, PROBES_NOTHING, evidence=f"{HEALTH_DOC} ; {STATES}")
def test_a_target_that_cannot_answer_its_health_checks_becomes_unhealthy(elbv2, served_group, instance, backend):
    elbv2.register_targets(TargetGroupArn=served_group, Targets=[{"Id": instance}])

    def decided():
        health = health_of(elbv2, served_group, instance)
        return health if health["State"] != "initial" else None

    health = eventually(decided, backend, **TRANSITION) or health_of(elbv2, served_group, instance)
    # nothing listens on port 80: the connection is refused, which the load balancer calls a failed health check
    assert (health["State"], health.get("Reason")) == ("unhealthy", "Target.FailedHealthChecks")


@pytest.mark.diverges(
    ("moto", "moto-server"), "reports a deregistered target as unused at once; AWS drains it first",
    evidence=f"{DRAIN_DOC} ; {STATES}",
)  # fmt: skip
@pytest.mark.diverges("ministack", "forgets a deregistered target at once; AWS drains it first", evidence=DRAIN_DOC)
def test_a_deregistered_target_is_draining_at_first(elbv2, served_group, instance):
    elbv2.register_targets(TargetGroupArn=served_group, Targets=[{"Id": instance}])

    elbv2.deregister_targets(TargetGroupArn=served_group, Targets=[{"Id": instance}])

    health = health_of(elbv2, served_group, instance)
    assert (health["State"], health.get("Reason")) == ("draining", "Target.DeregistrationInProgress")
