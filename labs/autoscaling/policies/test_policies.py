"""Auto Scaling groups: a launch template, min <= desired <= max, target tracking, step and simple scaling
policies, and the activities a change of capacity leaves behind."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.report import show_table

AMI = "ami-12c6146b"  # an image id moto knows


@pytest.fixture
def autoscaling(aws_client):
    return aws_client("autoscaling")


@pytest.fixture
def launch_template(aws_client, unique_name):
    ec2 = aws_client("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName=unique_name("web"), LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"}
    )
    return template["LaunchTemplate"]["LaunchTemplateId"]


@pytest.fixture
def subnet(aws_client):
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]


@pytest.fixture
def make_group(autoscaling, launch_template, subnet, unique_name):
    def make(min_size: int, max_size: int, desired: int) -> str:
        name = unique_name("asg")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateId": launch_template, "Version": "$Latest"},
            MinSize=min_size, MaxSize=max_size, DesiredCapacity=desired, VPCZoneIdentifier=subnet,
        )  # fmt: skip
        return name

    return make


def describe(autoscaling, name):
    return autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def sizes(autoscaling, name):
    group = describe(autoscaling, name)
    return group["MinSize"], group["DesiredCapacity"], group["MaxSize"], len(group["Instances"])


def test_group_launches_desired_instances_from_the_launch_template(autoscaling, make_group, launch_template):
    name = make_group(min_size=1, max_size=3, desired=2)

    group = describe(autoscaling, name)
    assert sizes(autoscaling, name) == (1, 2, 3, 2)  # min, desired, max, instances
    assert {i["LifecycleState"] for i in group["Instances"]} == {"InService"}
    assert {i["LaunchTemplate"]["LaunchTemplateId"] for i in group["Instances"]} == {launch_template}


@pytest.mark.diverges(
    ("moto", "moto-server"), "creates the group with desired 5 above max 3 (and 5 instances); AWS: ValidationError"
)
def test_desired_capacity_above_max_is_rejected_at_creation(make_group):
    with pytest.raises(ClientError) as raised:
        make_group(min_size=1, max_size=3, desired=5)

    assert raised.value.response["Error"]["Code"] == "ValidationError"


@pytest.mark.diverges(("moto", "moto-server"), "sets desired 4 above max 3; AWS: ValidationError")
def test_set_desired_capacity_above_max_is_rejected(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=2)

    with pytest.raises(ClientError) as raised:
        autoscaling.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=4)

    assert raised.value.response["Error"]["Code"] == "ValidationError"


def test_set_desired_capacity_within_the_bounds_changes_the_instance_count(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=2)

    autoscaling.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=3)

    assert sizes(autoscaling, name) == (1, 3, 3, 3)


def test_lowering_max_below_desired_lowers_desired_to_the_new_max(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=3)

    autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MaxSize=2)

    assert sizes(autoscaling, name) == (1, 2, 2, 2)


def policies_of(autoscaling, name):
    return {p["PolicyName"]: p for p in autoscaling.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]}


def put_cpu_40(autoscaling, name):
    return autoscaling.put_scaling_policy(
        AutoScalingGroupName=name, PolicyName="cpu-40", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 40.0,
        },
    )  # fmt: skip


def test_target_tracking_policy_round_trips(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    put_cpu_40(autoscaling, name)

    policy = policies_of(autoscaling, name)["cpu-40"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    assert tracking["TargetValue"] == 40.0  # the note's "average CPU stays at around 40%"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "creates no CloudWatch alarms for a target tracking policy; AWS creates a high and a low one",
)
def test_target_tracking_policy_creates_its_own_high_and_low_alarms(autoscaling, aws_client, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    put_cpu_40(autoscaling, name)

    alarms = aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=f"TargetTracking-{name}-")["MetricAlarms"]
    names = [a["AlarmName"] for a in alarms]  # TargetTracking-<group>-AlarmHigh-<uuid>, ...-AlarmLow-<uuid>
    assert len(names) == 2
    assert sorted(kind for kind in ("AlarmHigh", "AlarmLow") for n in names if f"-{kind}-" in n) == [
        "AlarmHigh",
        "AlarmLow",
    ]


def test_step_scaling_policy_round_trips_its_steps(autoscaling, make_group):
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


def test_executing_a_simple_scaling_policy_adds_its_adjustment(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)
    autoscaling.put_scaling_policy(
        AutoScalingGroupName=name, PolicyName="add-one", PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity", ScalingAdjustment=1,
    )  # fmt: skip

    autoscaling.execute_policy(AutoScalingGroupName=name, PolicyName="add-one", HonorCooldown=False)

    assert sizes(autoscaling, name) == (1, 2, 3, 2)


@pytest.mark.diverges(
    ("moto", "moto-server"), "records no scaling activities; AWS lists one per instance launched or terminated"
)
def test_a_change_of_capacity_is_recorded_as_scaling_activities(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=2)

    activities = autoscaling.describe_scaling_activities(AutoScalingGroupName=name)["Activities"]

    assert len(activities) == 2
    assert all(a["Description"].startswith("Launching a new EC2 instance") for a in activities)
