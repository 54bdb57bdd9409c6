"""Auto Scaling groups: a launch template, min <= desired <= max, target tracking, step and simple scaling policies,
and the activities a change of capacity leaves behind. AWS launches and terminates instances in the background, so
every count is read once the group has settled (its desired capacity InService, nothing launching or terminating)."""

from __future__ import annotations

import pytest

from labkit.compute import describe_group, states, wait_for_capacity
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

COMMON_ERRORS = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html"
TARGET_TRACKING = "https://docs.amazonaws.cn/autoscaling/ec2/userguide/as-scaling-target-tracking.md"


def sizes(group):
    """(min, desired, max, number of instances)."""
    return group["MinSize"], group["DesiredCapacity"], group["MaxSize"], len(group["Instances"])


def test_a_group_runs_its_desired_capacity_in_service_from_the_launch_template(autoscaling, make_group, template):
    name = make_group(min_size=1, max_size=3, desired=2)

    group = describe_group(autoscaling, name)
    assert sizes(group) == (1, 2, 3, 2)
    assert states(group) == ["InService", "InService"]
    assert {i["LaunchTemplate"]["LaunchTemplateId"] for i in group["Instances"]} == {template}


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates the group with desired 5 above max 3 (and launches 5 instances); AWS: ValidationError",
    evidence=f"botocore:autoscaling/2011-01-01#CreateAutoScalingGroupType ; {COMMON_ERRORS}",
)
def test_desired_capacity_above_max_is_refused_at_creation(make_group):
    assert error_code(make_group, min_size=1, max_size=3, desired=5, wait=False) == "ValidationError"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "sets desired 4 above max 3; AWS: ValidationError",
    evidence=f"botocore:autoscaling/2011-01-01#CreateAutoScalingGroupType ; {COMMON_ERRORS}",
)
def test_set_desired_capacity_above_max_is_refused(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=2)

    assert (
        error_code(autoscaling.set_desired_capacity, AutoScalingGroupName=name, DesiredCapacity=4) == "ValidationError"
    )


def test_set_desired_capacity_within_the_bounds_launches_the_difference(autoscaling, make_group, backend):
    name = make_group(min_size=1, max_size=3, desired=2)

    autoscaling.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=3)

    group = wait_for_capacity(autoscaling, name, backend)
    assert sizes(group) == (1, 3, 3, 3)
    assert states(group) == ["InService"] * 3


@pytest.mark.diverges(
    "ministack",
    "keeps desired 3 (and 3 instances) when max drops to 2; AWS lowers desired to the new max",
    evidence="botocore:autoscaling/2011-01-01#UpdateAutoScalingGroup",
)
def test_lowering_max_below_desired_lowers_desired_to_the_new_max(autoscaling, make_group, backend):
    name = make_group(min_size=1, max_size=3, desired=3)

    autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MaxSize=2)

    assert sizes(wait_for_capacity(autoscaling, name, backend)) == (1, 2, 2, 2)  # one instance terminated


def policies_of(autoscaling, name):
    return {p["PolicyName"]: p for p in autoscaling.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]}


def put_cpu_40(autoscaling, name):
    return autoscaling.put_scaling_policy(
        AutoScalingGroupName=name, PolicyName="cpu-40", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 40.0,
        },
    )  # fmt: skip


def test_a_target_tracking_policy_is_accepted_and_stored(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    put_cpu_40(autoscaling, name)

    policy = policies_of(autoscaling, name)["cpu-40"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    assert tracking["TargetValue"] == 40.0  # the note's "average CPU stays at around 40%"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates no CloudWatch alarms for a target tracking policy (none in the answer); AWS creates and manages them",
    evidence=f"{TARGET_TRACKING} ; botocore:autoscaling/2011-01-01#PolicyARNType",
)
def test_a_target_tracking_policy_creates_the_cloudwatch_alarms_that_drive_it(autoscaling, aws_client, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    created = put_cpu_40(autoscaling, name)

    named = sorted(a["AlarmName"] for a in created.get("Alarms", []))
    found = aws_client("cloudwatch").describe_alarms(AlarmNames=named)["MetricAlarms"] if named else []
    show_table("alarms the policy created", ["alarm", "comparison", "actions"],
               [[a["AlarmName"], a["ComparisonOperator"], len(a["AlarmActions"])] for a in found])  # fmt: skip
    assert named, "PutScalingPolicy names no alarms"
    assert sorted(a["AlarmName"] for a in found) == named  # each one exists in CloudWatch


def test_a_step_scaling_policy_is_accepted_and_stored_with_its_steps(autoscaling, make_group):
    name = make_group(min_size=1, max_size=5, desired=1)
    steps = [
        {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 30.0, "ScalingAdjustment": 1},  # alarm + 0-30
        {"MetricIntervalLowerBound": 30.0, "ScalingAdjustment": 3},  # further past the threshold: a bigger step
    ]

    autoscaling.put_scaling_policy(
        AutoScalingGroupName=name, PolicyName="cpu-steps", PolicyType="StepScaling",
        AdjustmentType="ChangeInCapacity", StepAdjustments=steps,
    )  # fmt: skip

    policy = policies_of(autoscaling, name)["cpu-steps"]
    show_table(
        "step scaling: metric above the alarm threshold by ...", ["from", "to", "add instances"],
        [[s["MetricIntervalLowerBound"], s.get("MetricIntervalUpperBound", "+inf"), s["ScalingAdjustment"]]
         for s in policy["StepAdjustments"]],
    )  # fmt: skip
    assert (policy["PolicyType"], policy["AdjustmentType"]) == ("StepScaling", "ChangeInCapacity")
    assert policy["StepAdjustments"] == steps


@pytest.mark.diverges(
    "ministack", "has no ExecutePolicy (InvalidAction)", evidence="botocore:autoscaling/2011-01-01#ExecutePolicy"
)
def test_executing_a_simple_scaling_policy_adds_its_adjustment(autoscaling, make_group, backend):
    name = make_group(min_size=1, max_size=3, desired=1)
    autoscaling.put_scaling_policy(
        AutoScalingGroupName=name, PolicyName="add-one", PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity", ScalingAdjustment=1,
    )  # fmt: skip

    autoscaling.execute_policy(AutoScalingGroupName=name, PolicyName="add-one", HonorCooldown=False)

    assert sizes(wait_for_capacity(autoscaling, name, backend)) == (1, 2, 3, 2)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "records no scaling activities; AWS records one per instance launched or terminated",
    evidence="https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html",
)
def test_launching_two_instances_is_recorded_as_two_successful_scaling_activities(autoscaling, make_group, backend):
    name = make_group(min_size=1, max_size=3, desired=2)

    def finished():
        found = autoscaling.describe_scaling_activities(AutoScalingGroupName=name)["Activities"]
        return found if found and all(a["StatusCode"] in ("Successful", "Failed", "Cancelled") for a in found) else None

    activities = eventually(finished, backend, **TRANSITION) or []
    assert [a["StatusCode"] for a in activities] == ["Successful", "Successful"]
