"""labkit.ops: the waits and conversions the operations labs share (stacks, queries, Glue partitions)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit import ops


class FakeCloudFormation:
    """Answers DescribeStacks with the next status of a script (the last one repeats)."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = list(statuses)
        self.calls = 0

    def describe_stacks(self, StackName: str) -> dict[str, Any]:  # noqa: N803 - boto3's parameter name
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        return {
            "Stacks": [
                {"StackName": StackName, "StackStatus": status, "Outputs": [{"OutputKey": "A", "OutputValue": "1"}]}
            ]
        }


class FakeAthena:
    def __init__(self, *states: str) -> None:
        self.states = list(states)
        self.calls = 0

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:  # noqa: N803
        state = self.states[min(self.calls, len(self.states) - 1)]
        self.calls += 1
        return {"QueryExecution": {"QueryExecutionId": QueryExecutionId, "Status": {"State": state}}}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(ops.time, "sleep", lambda seconds: None)


def test_stack_parameters_become_key_value_pairs_in_order():
    assert ops.stack_parameters(Env="prod", Tier="gold") == [
        {"ParameterKey": "Env", "ParameterValue": "prod"},
        {"ParameterKey": "Tier", "ParameterValue": "gold"},
    ]


def test_settled_status_waits_past_every_in_progress_status():
    cloudformation = FakeCloudFormation("CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE")

    assert ops.settled_status(cloudformation, "s") == "ROLLBACK_COMPLETE"
    assert cloudformation.calls == 3


def test_settled_status_gives_up_at_the_timeout_with_the_status_it_last_saw():
    assert ops.settled_status(FakeCloudFormation("CREATE_IN_PROGRESS"), "s", timeout=0) == "CREATE_IN_PROGRESS"


def test_stack_outputs_are_a_dictionary():
    assert ops.stack_outputs(FakeCloudFormation("CREATE_COMPLETE"), "s") == {"A": "1"}


def test_wait_for_query_records_each_state_once_in_the_order_seen():
    athena = FakeAthena("QUEUED", "QUEUED", "RUNNING", "RUNNING", "SUCCEEDED")

    assert ops.wait_for_query(athena, "q") == ["QUEUED", "RUNNING", "SUCCEEDED"]


def test_wait_for_query_stops_at_a_failure():
    assert ops.wait_for_query(FakeAthena("RUNNING", "FAILED", "SUCCEEDED"), "q") == ["RUNNING", "FAILED"]


def test_hive_prefix_and_partition_input_point_at_the_partitions_folder():
    keys, values = ["year", "month"], ["1991", "1"]
    storage = {"Columns": [{"Name": "carrier", "Type": "string"}]}

    assert ops.hive_prefix(keys, values) == "year=1991/month=1/"
    assert ops.partition_input("s3://b/flights", keys, values, storage) == {
        "Values": ["1991", "1"],
        "StorageDescriptor": {"Columns": storage["Columns"], "Location": "s3://b/flights/year=1991/month=1/"},
    }


def test_hive_prefix_refuses_keys_and_values_of_different_lengths():
    with pytest.raises(ValueError):
        ops.hive_prefix(["year", "month"], ["1991"])


def not_found(**_: Any) -> None:
    raise ClientError({"Error": {"Code": "ParameterNotFound", "Message": ""}}, "GetParameter")


def denied(**_: Any) -> None:
    raise ClientError({"Error": {"Code": "AccessDenied", "Message": ""}}, "GetParameter")


def test_exists_is_false_for_a_not_found_error_and_true_for_an_answer():
    assert ops.exists(not_found, Name="x") is False
    assert ops.exists(lambda **_: {"Parameter": {}}, Name="x") is True


def test_exists_does_not_hide_other_errors():
    with pytest.raises(ClientError):
        ops.exists(denied, Name="x")
