"""Standby (EnterStandby, ExitStandby): an instance steps out of service and stays in the group; with the desired
capacity decremented nothing replaces it, without it the group launches a replacement; back in service, desired
goes up again. Scheduled actions (PutScheduledUpdateGroupAction): a recurring one is stored with its cron and time
zone, one in the past is refused, and on AWS a one-time action sets the capacity when its time comes."""

from __future__ import annotations

import datetime

import pytest

from labkit.compute import describe_group, states, wait_for_capacity
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

SCHEDULE_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/schedule_time.html"
COMMON_ERRORS = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html"
NO_STANDBY = ("ministack", "has no EnterStandby (InvalidAction)")
EVERY = ("moto", "moto-server", "ministack")


def no_standby(evidence: str = "botocore:autoscaling/2011-01-01#EnterStandby"):
    return pytest.mark.diverges(NO_STANDBY[0], NO_STANDBY[1], evidence=evidence)


def instances(group):
    rows = [[i["InstanceId"], i["LifecycleState"]] for i in group["Instances"]]
    show_table(f"desired {group['DesiredCapacity']}", ["instance", "state"], rows)
    return {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]}


def in_standby(autoscaling, name, instance, backend):
    """The group once ``instance`` is in Standby (AWS passes through EnteringStandby first)."""
    return eventually(
        lambda: (g := describe_group(autoscaling, name)) and instances(g).get(instance) == "Standby" and g,
        backend,
        **TRANSITION,
    ) or describe_group(autoscaling, name)


@pytest.fixture
def two(autoscaling, make_group, backend):
    """A group (min 1, max 3) running 2 instances: (name, [instance ids])."""
    name = make_group(min_size=1, max_size=3, desired=2)
    return name, sorted(instances(describe_group(autoscaling, name)))


# --- standby ------------------------------------------------------------------------------------------------------


@no_standby()
def test_standby_with_decrement_lowers_the_desired_capacity(autoscaling, two, backend):
    name, (first, second) = two

    autoscaling.enter_standby(AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=True)

    group = in_standby(autoscaling, name, first, backend)
    assert group["DesiredCapacity"] == 1
    assert instances(group) == {first: "Standby", second: "InService"}  # still in the group, out of service


@no_standby()
def test_standby_without_decrement_launches_a_replacement(autoscaling, two, backend):
    name, (first, second) = two

    autoscaling.enter_standby(AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=False)

    in_standby(autoscaling, name, first, backend)
    group = wait_for_capacity(autoscaling, name, backend)  # 2 in service again, the standby one aside
    assert group["DesiredCapacity"] == 2
    assert states(group) == ["InService", "InService", "Standby"]
    assert instances(group)[first] == "Standby"


@no_standby(evidence="botocore:autoscaling/2011-01-01#ExitStandby")
def test_exit_standby_puts_the_instance_back_and_raises_the_desired_capacity(autoscaling, two, backend):
    name, (first, second) = two
    autoscaling.enter_standby(AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=True)
    in_standby(autoscaling, name, first, backend)

    autoscaling.exit_standby(AutoScalingGroupName=name, InstanceIds=[first])

    group = wait_for_capacity(autoscaling, name, backend)
    assert group["DesiredCapacity"] == 2
    assert instances(group) == {first: "InService", second: "InService"}  # the same two instances


@pytest.mark.diverges(
    ("moto", "moto-server"), "lets desired capacity fall below the minimum (1 < 2); AWS: ValidationError",
    evidence=f"botocore:autoscaling/2011-01-01#EnterStandby ; {COMMON_ERRORS}",
)  # fmt: skip
@no_standby()
def test_standby_cannot_take_desired_capacity_below_the_minimum(autoscaling, make_group, backend):
    name = make_group(min_size=2, max_size=3, desired=2)
    first = sorted(instances(describe_group(autoscaling, name)))[0]

    code = error_code(
        autoscaling.enter_standby, AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
    )

    assert code == "ValidationError"


# --- scheduled actions ----------------------------------------------------------------------------------------------


def test_a_recurring_scheduled_action_is_accepted_and_stored(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    autoscaling.put_scheduled_update_group_action(
        AutoScalingGroupName=name, ScheduledActionName="office-hours", Recurrence="0 9 * * 1-5",
        TimeZone="Europe/London", MinSize=1, MaxSize=3, DesiredCapacity=2,
    )  # fmt: skip

    [action] = autoscaling.describe_scheduled_actions(AutoScalingGroupName=name)["ScheduledUpdateGroupActions"]
    assert (action["ScheduledActionName"], action["Recurrence"], action["TimeZone"]) == (
        "office-hours", "0 9 * * 1-5", "Europe/London",
    )  # fmt: skip
    assert (action["MinSize"], action["MaxSize"], action["DesiredCapacity"]) == (1, 3, 2)


@pytest.mark.diverges(
    EVERY, "accepts a one-time action scheduled in the past; AWS refuses it (ValidationError)",
    evidence=f"botocore:autoscaling/2011-01-01#PutScheduledUpdateGroupAction ; {COMMON_ERRORS}",
)  # fmt: skip
def test_an_action_scheduled_in_the_past_is_refused(autoscaling, make_group):
    name = make_group(min_size=1, max_size=3, desired=1)

    code = error_code(
        autoscaling.put_scheduled_update_group_action, AutoScalingGroupName=name, ScheduledActionName="too-late",
        StartTime=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), DesiredCapacity=2,
    )  # fmt: skip

    assert code == "ValidationError"


@pytest.mark.diverges(
    EVERY, "stores scheduled actions but never runs them; AWS runs each at its time", evidence=SCHEDULE_DOC
)
def test_a_one_time_scheduled_action_sets_the_capacity_when_its_time_comes(autoscaling, make_group, backend):
    name = make_group(min_size=1, max_size=3, desired=1)
    lead = datetime.timedelta(seconds=1 if backend.is_emulator else 60)

    autoscaling.put_scheduled_update_group_action(
        AutoScalingGroupName=name, ScheduledActionName="scale-out-soon",
        StartTime=datetime.datetime.now(datetime.UTC) + lead, DesiredCapacity=2,
    )  # fmt: skip

    # a wait on the clock, not on a status: the action's time must come, on moto too
    ran = eventually(
        lambda: describe_group(autoscaling, name)["DesiredCapacity"] == 2, backend, **{**TRANSITION, "status": False}
    )
    assert ran, "the scheduled action did not change the desired capacity"
    assert states(wait_for_capacity(autoscaling, name, backend)) == ["InService", "InService"]
