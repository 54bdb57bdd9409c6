"""CloudWatch metrics: a datapoint's dimensions are part of the metric's identity; statistics summarise the
datapoints of a period; high-resolution metrics keep one-second datapoints; alarms have three states."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError, WaiterError

from labkit.report import show_table

NAMESPACE = "Labs/Checkout"
LATENCIES = [10.0, 20.0, 30.0, 40.0]  # ms, four requests in one minute
STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]


@pytest.fixture
def cloudwatch(aws_client):
    return aws_client("cloudwatch")


@pytest.fixture
def minute():
    """The start of a whole minute a few minutes ago: every datapoint of a test falls inside it."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)


def dims(**pairs):
    return [{"Name": name, "Value": value} for name, value in pairs.items()]


def put_latencies(cloudwatch, minute, service, values, **extra):
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "Latency", "Dimensions": dims(Service=service),
             "Timestamp": minute + timedelta(seconds=5 * i), "Value": value, "Unit": "Milliseconds", **extra}
            for i, value in enumerate(values)
        ],
    )  # fmt: skip


def statistics(cloudwatch, minute, dimensions, period=60, metric="Latency"):
    response = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE, MetricName=metric, Dimensions=dimensions, Statistics=STATISTICS,
        StartTime=minute, EndTime=minute + timedelta(minutes=1), Period=period,
    )  # fmt: skip
    return sorted(response["Datapoints"], key=lambda point: point["Timestamp"])


# --- statistics and dimensions --------------------------------------------------------------------------------


def test_statistics_summarise_the_datapoints_of_one_period(cloudwatch, minute):
    put_latencies(cloudwatch, minute, "api", LATENCIES)

    (point,) = statistics(cloudwatch, minute, dims(Service="api"))
    show_table("Latency, Service=api, one 60 s period", STATISTICS, [[point[s] for s in STATISTICS]])

    assert {s: point[s] for s in STATISTICS} == {
        "SampleCount": 4.0, "Average": 25.0, "Sum": 100.0, "Minimum": 10.0, "Maximum": 40.0
    }  # fmt: skip
    assert point["Unit"] == "Milliseconds"


def test_each_dimension_value_is_a_separate_metric(cloudwatch, minute):
    put_latencies(cloudwatch, minute, "api", LATENCIES)
    put_latencies(cloudwatch, minute, "web", [999.0])

    metrics = cloudwatch.list_metrics(Namespace=NAMESPACE, MetricName="Latency")["Metrics"]
    (api,) = statistics(cloudwatch, minute, dims(Service="api"))
    (web,) = statistics(cloudwatch, minute, dims(Service="web"))

    assert sorted(m["Dimensions"][0]["Value"] for m in metrics) == ["api", "web"]
    assert (api["SampleCount"], api["Maximum"]) == (4.0, 40.0)  # web's 999 is not in it
    assert (web["SampleCount"], web["Maximum"]) == (1.0, 999.0)


@pytest.mark.diverges(("moto", "moto-server"), "sums every dimension's datapoints (5 samples); AWS returns none")
def test_custom_metrics_are_not_aggregated_across_dimensions(cloudwatch, minute):
    """A query names a metric by its full identity. Without dimensions it asks for a metric that was never sent."""
    put_latencies(cloudwatch, minute, "api", LATENCIES)
    put_latencies(cloudwatch, minute, "web", [999.0])

    assert statistics(cloudwatch, minute, []) == []


def test_a_metric_takes_30_dimensions_not_the_notes_10(cloudwatch):
    thirty = [{"Name": f"D{i:02d}", "Value": "x"} for i in range(30)]
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE, MetricData=[{"MetricName": "Wide", "Dimensions": thirty, "Value": 1.0}]
    )

    (metric,) = cloudwatch.list_metrics(Namespace=NAMESPACE, MetricName="Wide")["Metrics"]
    assert len(metric["Dimensions"]) == 30


@pytest.mark.diverges(("moto", "moto-server"), "accepts 31 dimensions; AWS allows at most 30")
def test_a_31st_dimension_is_refused(cloudwatch):
    many = [{"Name": f"D{i:02d}", "Value": "x"} for i in range(31)]
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_data(
            Namespace=NAMESPACE, MetricData=[{"MetricName": "Wide", "Dimensions": many, "Value": 1.0}]
        )

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


# --- resolution -----------------------------------------------------------------------------------------------


def test_a_high_resolution_metric_keeps_a_datapoint_per_second(cloudwatch, minute):
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "QueueDepth", "Timestamp": minute + timedelta(seconds=s), "Value": float(s * 10),
             "StorageResolution": 1}
            for s in range(5)
        ],
    )  # fmt: skip

    points = statistics(cloudwatch, minute, [], period=1, metric="QueueDepth")

    assert [(p["Timestamp"] - minute).seconds for p in points] == [0, 1, 2, 3, 4]
    assert [p["Sum"] for p in points] == [0.0, 10.0, 20.0, 30.0, 40.0]


@pytest.mark.diverges(("moto", "moto-server"), "accepts StorageResolution 5; AWS takes only 1 or 60")
def test_storage_resolution_is_1_or_60_seconds(cloudwatch):
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_data(
            Namespace=NAMESPACE, MetricData=[{"MetricName": "Odd", "Value": 1.0, "StorageResolution": 5}]
        )

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize("period", [10, 20, 30])
def test_a_high_resolution_alarm_takes_a_10_20_or_30_second_period(cloudwatch, unique_name, period):
    name = unique_name("fast")
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace=NAMESPACE, MetricName="QueueDepth", Statistic="Maximum", Period=period,
        EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip

    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["Period"] == period


# --- alarms ---------------------------------------------------------------------------------------------------


@pytest.fixture
def alarm(cloudwatch, unique_name):
    """Average latency of Service=api above 25 ms over one minute."""
    name = unique_name("slow-api")
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace=NAMESPACE, MetricName="Latency", Dimensions=dims(Service="api"),
        Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=25.0,
        ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    return name


def describe(cloudwatch, name):
    return cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


@pytest.mark.diverges(("moto", "moto-server"), "a new alarm starts in OK; AWS starts it in INSUFFICIENT_DATA")
def test_a_new_alarm_starts_in_insufficient_data(cloudwatch, alarm):
    assert describe(cloudwatch, alarm)["StateValue"] == "INSUFFICIENT_DATA"


def test_set_alarm_state_moves_the_alarm_and_records_the_reason(cloudwatch, alarm):
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="drill: paging test")

    described = describe(cloudwatch, alarm)
    assert (described["StateValue"], described["StateReason"]) == ("ALARM", "drill: paging test")
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms(StateValue="ALARM")["MetricAlarms"]] == [alarm]


def test_set_alarm_state_on_a_missing_alarm_is_resource_not_found(cloudwatch, unique_name):
    with pytest.raises(ClientError) as raised:
        cloudwatch.set_alarm_state(AlarmName=unique_name("none"), StateValue="OK", StateReason="x")

    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.diverges(("moto", "moto-server"), "DescribeAlarmHistory is not implemented")
def test_each_state_change_is_kept_in_the_alarm_history(cloudwatch, alarm):
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="drill")

    history = cloudwatch.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert any("to ALARM" in item["HistorySummary"] for item in history)


@pytest.mark.diverges(("moto", "moto-server"), "never evaluates alarms against data; AWS does, every period")
def test_an_alarm_goes_to_alarm_when_the_data_breaches_its_threshold(cloudwatch, backend, alarm):
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    put_latencies(cloudwatch, now, "api", [50.0, 60.0])  # average 55 > 25

    # AWS evaluates within a minute or two; an emulator either already has or never will.
    attempts = 1 if backend.is_emulator else 40
    with contextlib.suppress(WaiterError):
        cloudwatch.get_waiter("alarm_exists").wait(
            AlarmNames=[alarm], StateValue="ALARM", WaiterConfig={"Delay": 5, "MaxAttempts": attempts}
        )
    assert describe(cloudwatch, alarm)["StateValue"] == "ALARM"
