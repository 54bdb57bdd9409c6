"""A lifecycle hook on EC2_INSTANCE_LAUNCHING: a new instance stops in ``Pending:Wait`` instead of going into
service, until CompleteLifecycleAction says CONTINUE (the instance goes on to ``InService``) or ABANDON (it is
terminated), or until the heartbeat timeout applies the hook's default result. The emulators store the hook but
put every new instance straight into service."""

from __future__ import annotations

import pytest

from labkit.compute import describe_group, states, wait_for_capacity
from labkit.errors import error_code
from labkit.eventually import TRANSITION, eventually
from labkit.report import show_table

HOOKS_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html"
COMPLETE_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/completing-lifecycle-hooks.html"
COMMON_ERRORS = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html"
NO_WAIT = "puts a new instance straight into service, ignoring the launch hook; AWS holds it in Pending:Wait"
EVERY = ("moto", "moto-server", "ministack")
LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"


def hooks_of(autoscaling, name):
    return {
        h["LifecycleHookName"]: h
        for h in autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=name)["LifecycleHooks"]
    }


@pytest.fixture
def hooked_group(autoscaling, make_group):
    """An empty group (min 0, max 1) with a launch hook that waits up to 5 minutes and then abandons."""
    name = make_group(min_size=0, max_size=1, desired=0)
    autoscaling.put_lifecycle_hook(
        AutoScalingGroupName=name, LifecycleHookName="warm-up", LifecycleTransition=LAUNCHING,
        HeartbeatTimeout=300, DefaultResult="ABANDON",
    )  # fmt: skip
    return name


def waiting_instance(autoscaling, name, backend):
    """Scale the group to 1 and return the id of the instance once it waits in Pending:Wait (None if it never does)."""
    autoscaling.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)

    def waiting():
        group = describe_group(autoscaling, name)
        show_table(
            "instances", ["instance", "state"], [[i["InstanceId"], i["LifecycleState"]] for i in group["Instances"]]
        )
        held = [i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == "Pending:Wait"]
        return held[0] if held else None

    return eventually(waiting, backend, **TRANSITION)


def test_a_launch_hook_is_accepted_and_stored(autoscaling, hooked_group):
    hook = hooks_of(autoscaling, hooked_group)["warm-up"]

    assert (hook["LifecycleTransition"], hook["HeartbeatTimeout"], hook["DefaultResult"]) == (LAUNCHING, 300, "ABANDON")


def test_a_hook_waits_an_hour_and_then_abandons_unless_told_otherwise(autoscaling, make_group):
    name = make_group(min_size=0, max_size=1, desired=0)

    autoscaling.put_lifecycle_hook(AutoScalingGroupName=name, LifecycleHookName="plain", LifecycleTransition=LAUNCHING)

    hook = hooks_of(autoscaling, name)["plain"]
    assert (hook["HeartbeatTimeout"], hook["DefaultResult"]) == (3600, "ABANDON")


@pytest.mark.diverges(
    EVERY, "accepts a heartbeat timeout of 29 s; AWS allows 30-7200 s (ValidationError)",
    evidence=f"botocore:autoscaling/2011-01-01#PutLifecycleHookType ; {COMMON_ERRORS}",
)  # fmt: skip
def test_a_heartbeat_timeout_below_30_seconds_is_refused(autoscaling, make_group):
    name = make_group(min_size=0, max_size=1, desired=0)

    code = error_code(
        autoscaling.put_lifecycle_hook, AutoScalingGroupName=name, LifecycleHookName="hasty",
        LifecycleTransition=LAUNCHING, HeartbeatTimeout=29,
    )  # fmt: skip

    assert code == "ValidationError"


@pytest.mark.diverges(EVERY, NO_WAIT, evidence=f"{HOOKS_DOC} ; botocore:autoscaling/2011-01-01#LifecycleState")
def test_a_launching_instance_waits_in_pending_wait(autoscaling, hooked_group, backend):
    assert waiting_instance(autoscaling, hooked_group, backend) is not None
    assert states(describe_group(autoscaling, hooked_group)) == ["Pending:Wait"]


@pytest.mark.diverges(
    EVERY, NO_WAIT, evidence=f"{COMPLETE_DOC} ; botocore:autoscaling/2011-01-01#CompleteLifecycleAction"
)
def test_continue_lets_the_waiting_instance_go_into_service(autoscaling, hooked_group, backend):
    instance = waiting_instance(autoscaling, hooked_group, backend)
    assert instance is not None, "no instance waited in Pending:Wait"

    autoscaling.complete_lifecycle_action(
        AutoScalingGroupName=hooked_group, LifecycleHookName="warm-up", InstanceId=instance,
        LifecycleActionResult="CONTINUE",
    )  # fmt: skip

    group = wait_for_capacity(autoscaling, hooked_group, backend)
    assert [(i["InstanceId"], i["LifecycleState"]) for i in group["Instances"]] == [(instance, "InService")]


@pytest.mark.diverges(EVERY, NO_WAIT, evidence=f"{COMPLETE_DOC} ; {HOOKS_DOC}")
def test_abandon_terminates_the_waiting_instance(autoscaling, hooked_group, backend):
    instance = waiting_instance(autoscaling, hooked_group, backend)
    assert instance is not None, "no instance waited in Pending:Wait"

    autoscaling.complete_lifecycle_action(
        AutoScalingGroupName=hooked_group, LifecycleHookName="warm-up", InstanceId=instance,
        LifecycleActionResult="ABANDON",
    )  # fmt: skip

    def gone_or_going():
        found = {i["InstanceId"]: i["LifecycleState"] for i in describe_group(autoscaling, hooked_group)["Instances"]}
        return found.get(instance, "gone") if not found.get(instance, "gone").startswith("Pending") else None

    # the group then launches a replacement, which waits in its turn
    assert eventually(gone_or_going, backend, **TRANSITION) in (
        "Terminating",
        "Terminating:Wait",
        "Terminating:Proceed",
        "Terminated",
        "gone",
    )
