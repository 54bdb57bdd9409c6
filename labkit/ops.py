"""Helpers for the operations labs (CloudFormation stacks, CloudTrail trails, Athena queries): the waits AWS
needs and the small conversions every such lab repeats.

CloudFormation, Athena and CloudTrail all work in the background: a stack is CREATE_IN_PROGRESS before it is
CREATE_COMPLETE, a query is QUEUED and RUNNING before it SUCCEEDED. A lab waits for the end state the way a
program on AWS must, even on an emulator that gets there at once.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

#: Seconds between two looks at a stack or a query; AWS stacks take tens of seconds, emulators milliseconds.
POLL = 2.0
#: How long a stack may take to settle on AWS (nested stacks and rollbacks are slow).
STACK_TIMEOUT = 1800.0
#: How long an Athena query may take on AWS (queued behind others, then run).
QUERY_TIMEOUT = 600.0
#: Athena's final query states (botocore: QueryExecutionState).
QUERY_FINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


def stack_parameters(**values: str) -> list[dict[str, str]]:
    """``stack_parameters(Env="prod")`` -> ``[{"ParameterKey": "Env", "ParameterValue": "prod"}]``."""
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def describe_stack(cloudformation: Any, stack: str) -> dict[str, Any]:
    """The stack's description (pass the stack id to see a deleted stack too)."""
    return dict(cloudformation.describe_stacks(StackName=stack)["Stacks"][0])


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    """The stack's outputs as ``{OutputKey: OutputValue}``."""
    return {o["OutputKey"]: o["OutputValue"] for o in describe_stack(cloudformation, stack).get("Outputs", [])}


def stack_status(cloudformation: Any, stack: str) -> str:
    """The stack's current status (``CREATE_COMPLETE``, ``ROLLBACK_COMPLETE``...)."""
    return str(describe_stack(cloudformation, stack)["StackStatus"])


def settled_status(cloudformation: Any, stack: str, *, timeout: float = STACK_TIMEOUT) -> str:
    """The stack's status once no operation is running on it (no ``*_IN_PROGRESS``), whatever that end state is.

    The SDK's waiters stop with an error on an end state they do not expect; a lab that wants to see a failed
    create (``ROLLBACK_COMPLETE``, ``CREATE_FAILED``) waits with this instead. ``stack`` may be the stack id,
    which still describes a deleted stack (``DELETE_COMPLETE``).
    """
    deadline = time.monotonic() + timeout
    while True:
        status = stack_status(cloudformation, stack)
        if not status.endswith("_IN_PROGRESS") or time.monotonic() >= deadline:
            return status
        time.sleep(POLL)


def physical_ids(cloudformation: Any, stack: str) -> dict[str, str]:
    """``{LogicalResourceId: PhysicalResourceId}`` of the stack's resources that have a physical id."""
    summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries if r.get("PhysicalResourceId")}


def resource_statuses(cloudformation: Any, stack: str) -> dict[str, str]:
    """``{LogicalResourceId: ResourceStatus}`` of the stack's resources, as CloudFormation lists them."""
    summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["ResourceStatus"] for r in summaries if r.get("LogicalResourceId")}


def exists(call: Any, **params: Any) -> bool:
    """Whether ``call(**params)`` finds its resource: False when it fails with a not-found error code."""
    try:
        call(**params)
    except ClientError as exc:
        code = str(exc.response["Error"]["Code"])
        if any(word in code for word in ("NotFound", "NoSuch", "NonExistent")) or code == "404":
            return False
        raise
    return True


def wait_for_query(athena: Any, query_id: str, *, timeout: float = QUERY_TIMEOUT) -> list[str]:
    """Every state an Athena query was seen in, in order, until a final one (SUCCEEDED, FAILED, CANCELLED).

    Each look is one ``GetQueryExecution``: a query that is already done on the first look shows only its end
    state, which is what a fast emulator does.
    """
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        state = str(athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"])
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in QUERY_FINAL or time.monotonic() >= deadline:
            return seen
        time.sleep(0.2)


def hive_prefix(keys: list[str], values: list[str]) -> str:
    """``year=1991/month=1/day=1/``: the Hive-style S3 prefix of one partition (keys and values in order)."""
    return "".join(f"{key}={value}/" for key, value in zip(keys, values, strict=True))


def partition_input(table_location: str, keys: list[str], values: list[str], storage: dict[str, Any]) -> dict[str, Any]:
    """A Glue ``PartitionInput``: the values, and the table's storage descriptor pointing at the partition's prefix."""
    location = f"{table_location.rstrip('/')}/{hive_prefix(keys, values)}"
    return {"Values": list(values), "StorageDescriptor": {**storage, "Location": location}}
