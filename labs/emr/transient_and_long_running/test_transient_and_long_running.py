"""An EMR cluster is a master node that manages it, core nodes that store data (HDFS) and run tasks, and task nodes that
only run tasks, which makes them the ones to buy as Spot. A *transient* cluster is started for its steps and shuts
itself down when the last one completes; a *long-running* cluster stays up, waiting for the next step. No emulator
runs Hadoop or Spark: the steps here are shell commands, and the lab shows the states EMR moves the cluster and its
steps through."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.eventually import waiter_config
from labkit.report import show_table

#: One master, two core nodes on demand, two task nodes on Spot: the note's three roles.
NODES = [
    {
        "Name": "master",
        "InstanceRole": "MASTER",
        "InstanceType": "m5.xlarge",
        "InstanceCount": 1,
        "Market": "ON_DEMAND",
    },
    {"Name": "core", "InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2, "Market": "ON_DEMAND"},
    {"Name": "task", "InstanceRole": "TASK", "InstanceType": "m5.xlarge", "InstanceCount": 2, "Market": "SPOT"},
]


def step(name: str) -> dict[str, Any]:
    """A step that runs one shell command on the master (command-runner.jar runs what it is given)."""
    return {"Name": name, "ActionOnFailure": "TERMINATE_CLUSTER",
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["bash", "-c", f"echo {name}"]}}  # fmt: skip


@pytest.fixture
def start_cluster(emr, unique_name):
    """``start_cluster(keep_alive, steps)``: a Spark cluster with the three node groups; returns its id."""

    def start(keep_alive: bool, steps: list[dict[str, Any]]) -> str:
        return str(
            emr.run_job_flow(
                Name=unique_name("emr"), ReleaseLabel="emr-7.5.0", Applications=[{"Name": "Spark"}],
                Instances={"InstanceGroups": NODES, "KeepJobFlowAliveWhenNoSteps": keep_alive},
                Steps=steps, JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
            )["JobFlowId"]
        )  # fmt: skip

    return start


def step_states(emr, cluster_id: str) -> dict[str, str]:
    return {s["Name"]: s["Status"]["State"] for s in emr.list_steps(ClusterId=cluster_id)["Steps"]}


def cluster_status(emr, cluster_id: str) -> dict[str, Any]:
    return dict(emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"])


RUNS_NOTHING = "never runs a step: the first stays RUNNING, the rest PENDING, and the cluster never finishes"
STEP_STATES = "botocore:emr/2009-03-31#StepState"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    RUNS_NOTHING,
    evidence=f"{STEP_STATES} ; botocore:emr/2009-03-31#JobFlowInstancesConfig",
)
def test_a_transient_cluster_runs_its_steps_then_terminates(emr, start_cluster, backend):
    cluster = start_cluster(keep_alive=False, steps=[step("extract"), step("transform")])

    emr.get_waiter("cluster_terminated").wait(
        ClusterId=cluster, WaiterConfig=waiter_config(backend, aws_seconds=40 * 60)
    )

    assert step_states(emr, cluster) == {"extract": "COMPLETED", "transform": "COMPLETED"}
    assert cluster_status(emr, cluster)["State"] == "TERMINATED"


@pytest.mark.diverges(
    ("moto", "moto-server"), RUNS_NOTHING, evidence="botocore:emr/2009-03-31#ClusterStateChangeReasonCode"
)
@pytest.mark.diverges(
    "ministack",
    "terminates it with an empty reason code",
    evidence="botocore:emr/2009-03-31#ClusterStateChangeReasonCode",
)
def test_a_transient_cluster_says_it_ended_because_all_steps_completed(emr, start_cluster, backend):
    cluster = start_cluster(keep_alive=False, steps=[step("extract")])

    emr.get_waiter("cluster_terminated").wait(
        ClusterId=cluster, WaiterConfig=waiter_config(backend, aws_seconds=40 * 60)
    )

    assert cluster_status(emr, cluster)["StateChangeReason"].get("Code") == "ALL_STEPS_COMPLETED"


@pytest.mark.diverges(("moto", "moto-server"), RUNS_NOTHING, evidence=STEP_STATES)
def test_a_long_running_cluster_waits_for_more_work_after_its_step(emr, start_cluster, backend):
    cluster = start_cluster(keep_alive=True, steps=[])
    emr.get_waiter("cluster_running").wait(ClusterId=cluster, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60))

    step_id = emr.add_job_flow_steps(JobFlowId=cluster, Steps=[step("report")])["StepIds"][0]
    emr.get_waiter("step_complete").wait(
        ClusterId=cluster, StepId=step_id, WaiterConfig=waiter_config(backend, aws_seconds=15 * 60)
    )

    assert step_states(emr, cluster) == {"report": "COMPLETED"}
    assert cluster_status(emr, cluster)["State"] == "WAITING"


def test_master_core_and_task_groups_run_the_instances_asked_for(emr, start_cluster, backend):
    cluster = start_cluster(keep_alive=True, steps=[])

    emr.get_waiter("cluster_running").wait(ClusterId=cluster, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60))

    groups = emr.list_instance_groups(ClusterId=cluster)["InstanceGroups"]
    found = sorted(
        (g["InstanceGroupType"], g["Market"], g["RequestedInstanceCount"], g["RunningInstanceCount"]) for g in groups
    )
    show_table("instance groups", ["role", "market", "requested", "running"], found)
    assert found == [("CORE", "ON_DEMAND", 2, 2), ("MASTER", "ON_DEMAND", 1, 1), ("TASK", "SPOT", 2, 2)]
