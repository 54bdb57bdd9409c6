"""CloudWatch metrics: a datapoint's dimensions are part of the metric's identity; statistics summarise the
datapoints of a period; StorageResolution decides whether seconds survive; alarms have three states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from labkit.eventually import eventually
from labkit.report import show_table

LATENCIES = [10.0, 20.0, 30.0, 40.0]  # ms, four requests in one minute
STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
LIST_METRICS_DELAY = 900.0  # s: "it can take up to fifteen minutes for the metric to appear in ListMetrics"

PUT_METRIC_DATA = "botocore:cloudwatch/2010-08-01#PutMetricData"
RECORDED = "localstack/localstack:tests/aws/services/cloudwatch/test_cloudwatch.snapshot.json"


@pytest.fixture
def cloudwatch(aws_client):
    return aws_client("cloudwatch")


@pytest.fixture
def namespace(unique_name):
    """A namespace of this test's own: metrics cannot be deleted, and other runs share the account."""
    return f"Labs/Checkout/{unique_name('run')}"


@pytest.fixture
def minute():
    """The start of a whole minute a few minutes ago: every datapoint of a test falls inside it."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)


def dims(**pairs):
    return [{"Name": name, "Value": value} for name, value in pairs.items()]


def put_latencies(cloudwatch, namespace, start, service, values, step=5):
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": "Latency", "Dimensions": dims(Service=service),
             "Timestamp": start + timedelta(seconds=step * i), "Value": value, "Unit": "Milliseconds"}
            for i, value in enumerate(values)
        ],
    )  # fmt: skip


def read_statistics(cloudwatch, namespace, minute, dimensions, period=60, metric="Latency"):
    """The datapoints of one minute, oldest first, as they are now."""
    response = cloudwatch.get_metric_statistics(
        Namespace=namespace, MetricName=metric, Dimensions=dimensions, Statistics=STATISTICS,
        StartTime=minute, EndTime=minute + timedelta(minutes=1), Period=period,
    )  # fmt: skip
    return sorted(response["Datapoints"], key=lambda point: point["Timestamp"])


def statistics(cloudwatch, backend, namespace, minute, dimensions, period=60, metric="Latency"):
    """The datapoints of one minute; on AWS, waited for (ingestion takes seconds to minutes)."""
    return eventually(lambda: read_statistics(cloudwatch, namespace, minute, dimensions, period, metric), backend)


def listed(cloudwatch, backend, namespace, metric):
    return eventually(
        lambda: cloudwatch.list_metrics(Namespace=namespace, MetricName=metric)["Metrics"],
        backend,
        aws_seconds=LIST_METRICS_DELAY,
        interval=15,
    )


# --- statistics and dimensions --------------------------------------------------------------------------------


def test_statistics_summarise_the_datapoints_of_one_period(cloudwatch, backend, namespace, minute):
    put_latencies(cloudwatch, namespace, minute, "api", LATENCIES)

    (point,) = statistics(cloudwatch, backend, namespace, minute, dims(Service="api"))
    show_table("Latency, Service=api, one 60 s period", STATISTICS, [[point[s] for s in STATISTICS]])

    assert {s: point[s] for s in STATISTICS} == {
        "SampleCount": 4.0, "Average": 25.0, "Sum": 100.0, "Minimum": 10.0, "Maximum": 40.0
    }  # fmt: skip
    assert point["Unit"] == "Milliseconds"


def test_each_dimension_value_is_a_separate_metric(cloudwatch, backend, namespace, minute):
    put_latencies(cloudwatch, namespace, minute, "api", LATENCIES)
    put_latencies(cloudwatch, namespace, minute, "web", [999.0])

    (api,) = statistics(cloudwatch, backend, namespace, minute, dims(Service="api"))
    (web,) = statistics(cloudwatch, backend, namespace, minute, dims(Service="web"))

    assert (api["SampleCount"], api["Maximum"]) == (4.0, 40.0)  # web's 999 is not in it
    assert (web["SampleCount"], web["Maximum"]) == (1.0, 999.0)


def test_list_metrics_shows_one_metric_per_dimension_value(cloudwatch, backend, namespace, minute):
    put_latencies(cloudwatch, namespace, minute, "api", LATENCIES)
    put_latencies(cloudwatch, namespace, minute, "web", [999.0])

    metrics = eventually(
        lambda: (
            found
            if len(found := cloudwatch.list_metrics(Namespace=namespace, MetricName="Latency")["Metrics"]) == 2
            else []
        ),
        backend,
        aws_seconds=LIST_METRICS_DELAY,
        interval=15,
    )

    assert sorted(m["Dimensions"][0]["Value"] for m in metrics) == ["api", "web"]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "sums every dimension's datapoints (5 samples); on AWS a query without dimensions names another metric",
    evidence="botocore:cloudwatch/2010-08-01#Dimension",
)
def test_custom_metrics_are_not_aggregated_across_dimensions(cloudwatch, backend, namespace, minute):
    """A query names a metric by its full identity. Without dimensions it asks for a metric that was never sent."""
    put_latencies(cloudwatch, namespace, minute, "api", LATENCIES)
    put_latencies(cloudwatch, namespace, minute, "web", [999.0])
    statistics(cloudwatch, backend, namespace, minute, dims(Service="web"))  # on AWS: wait until ingested

    assert read_statistics(cloudwatch, namespace, minute, []) == []


def test_a_metric_takes_30_dimensions_not_the_notes_10(cloudwatch, backend, namespace):
    thirty = [{"Name": f"D{i:02d}", "Value": "x"} for i in range(30)]
    cloudwatch.put_metric_data(
        Namespace=namespace, MetricData=[{"MetricName": "Wide", "Dimensions": thirty, "Value": 1.0}]
    )

    (metric,) = listed(cloudwatch, backend, namespace, "Wide")
    assert len(metric["Dimensions"]) == 30


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "accepts 31 dimensions; AWS refuses more than 30 with InvalidParameterValue",
    evidence=f"{PUT_METRIC_DATA} ; botocore:cloudwatch/2010-08-01#Dimensions ; "
    "botocore:cloudwatch/2010-08-01#InvalidParameterValueException",
)
def test_a_31st_dimension_is_refused(cloudwatch, namespace):
    many = [{"Name": f"D{i:02d}", "Value": "x"} for i in range(31)]
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_data(
            Namespace=namespace, MetricData=[{"MetricName": "Wide", "Dimensions": many, "Value": 1.0}]
        )

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


# --- resolution -----------------------------------------------------------------------------------------------


def put_seconds(cloudwatch, namespace, minute, metric, **resolution):
    """Five datapoints one second apart (values 0, 10, 20, 30, 40), at the start of ``minute``."""
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": metric, "Timestamp": minute + timedelta(seconds=s), "Value": float(s * 10), **resolution}
            for s in range(5)
        ],
    )


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "ignores StorageResolution and returns per-second datapoints for a standard-resolution metric too; AWS keeps "
    "one-minute granularity unless StorageResolution is 1",
    evidence="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html ; "
    "botocore:cloudwatch/2010-08-01#GetMetricStatistics ; "
    "unverified: the exact reply to Period=1 on a standard-resolution metric (one datapoint or none for the "
    "minute, never five); a run on AWS settles it",
)
def test_only_storage_resolution_1_keeps_a_datapoint_per_second(cloudwatch, backend, namespace, minute):
    put_seconds(cloudwatch, namespace, minute, "QueueDepthFine", StorageResolution=1)
    put_seconds(cloudwatch, namespace, minute, "QueueDepthStandard")  # StorageResolution 60, the default

    fine = statistics(cloudwatch, backend, namespace, minute, [], period=1, metric="QueueDepthFine")
    standard = statistics(cloudwatch, backend, namespace, minute, [], period=1, metric="QueueDepthStandard")
    show_table("five datapoints one second apart, read with Period=1", ["metric", "datapoints"],
               [["StorageResolution=1", len(fine)], ["standard", len(standard)]])  # fmt: skip

    assert [(p["Timestamp"] - minute).seconds for p in fine] == [0, 1, 2, 3, 4]
    assert [p["Sum"] for p in fine] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert len(standard) <= 1  # one-minute granularity: the seconds are not kept apart


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "accepts StorageResolution 5; AWS takes only 1 or 60",
    evidence="botocore:cloudwatch/2010-08-01#MetricDatum ; "
    "unverified: the error code (InvalidParameterValue is PutMetricData's documented error for a bad value)",
)
def test_storage_resolution_is_1_or_60_seconds(cloudwatch, namespace):
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_data(
            Namespace=namespace, MetricData=[{"MetricName": "Odd", "Value": 1.0, "StorageResolution": 5}]
        )

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(
    "period",
    [10, pytest.param(20, marks=pytest.mark.diverges(
        "localstack", "refuses 20 s (ValidationError: 'Period must be 10, 30 or a multiple of 60'); AWS takes it",
        evidence="botocore:cloudwatch/2010-08-01#PutMetricAlarmInput")), 30],
)  # fmt: skip
def test_a_high_resolution_alarm_takes_a_10_20_or_30_second_period(cloudwatch, namespace, unique_name, period):
    name = unique_name("fast")
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace=namespace, MetricName="QueueDepth", Statistic="Maximum", Period=period,
        EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip

    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["Period"] == period


# --- alarms ---------------------------------------------------------------------------------------------------


def create_alarm(cloudwatch, namespace, name, **extra):
    """Average latency of Service=api above 25 ms over one minute."""
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace=namespace, MetricName="Latency", Dimensions=dims(Service="api"),
        Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=25.0,
        ComparisonOperator="GreaterThanThreshold", **extra,
    )  # fmt: skip
    return name


@pytest.fixture
def alarm(cloudwatch, namespace, unique_name):
    return create_alarm(cloudwatch, namespace, unique_name("slow-api"))


@pytest.fixture
def drill_alarm(cloudwatch, namespace, unique_name):
    """The same alarm, keeping its state while no data arrives (TreatMissingData=ignore), as a drill needs:
    otherwise AWS re-evaluates it within seconds and takes it back to INSUFFICIENT_DATA."""
    return create_alarm(cloudwatch, namespace, unique_name("drill"), TreatMissingData="ignore")


def describe(cloudwatch, name):
    return cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a new alarm starts in OK; AWS starts it in INSUFFICIENT_DATA",
    evidence=f"botocore:cloudwatch/2010-08-01#PutMetricAlarm ; {RECORDED}#test_put_metric_alarm",
)
def test_a_new_alarm_starts_in_insufficient_data(cloudwatch, alarm):
    assert describe(cloudwatch, alarm)["StateValue"] == "INSUFFICIENT_DATA"


def test_set_alarm_state_moves_the_alarm_and_records_the_reason(cloudwatch, drill_alarm):
    cloudwatch.set_alarm_state(AlarmName=drill_alarm, StateValue="ALARM", StateReason="drill: paging test")

    described = describe(cloudwatch, drill_alarm)
    assert (described["StateValue"], described["StateReason"]) == ("ALARM", "drill: paging test")
    found = cloudwatch.describe_alarms(AlarmNamePrefix=drill_alarm, StateValue="ALARM")["MetricAlarms"]
    assert [a["AlarmName"] for a in found] == [drill_alarm]


def test_set_alarm_state_on_a_missing_alarm_is_resource_not_found(cloudwatch, unique_name):
    with pytest.raises(ClientError) as raised:
        cloudwatch.set_alarm_state(AlarmName=unique_name("none"), StateValue="OK", StateReason="x")

    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "DescribeAlarmHistory is not implemented; AWS keeps a StateUpdate item per change",
    evidence=f"botocore:cloudwatch/2010-08-01#DescribeAlarmHistory ; {RECORDED}#test_put_metric_alarm",
)
@pytest.mark.diverges(
    "ministack",
    "adds a StateUpdate 'from INSUFFICIENT_DATA to INSUFFICIENT_DATA' when the alarm is created; AWS records only "
    "real changes",
    evidence=f"{RECORDED}#test_put_metric_alarm",
)
def test_each_state_change_is_kept_in_the_alarm_history(cloudwatch, backend, drill_alarm):
    cloudwatch.set_alarm_state(AlarmName=drill_alarm, StateValue="ALARM", StateReason="drill")

    history = eventually(
        lambda: cloudwatch.describe_alarm_history(AlarmName=drill_alarm, HistoryItemType="StateUpdate")[
            "AlarmHistoryItems"
        ],
        backend,
    )
    assert [item["HistorySummary"] for item in history] == ["Alarm updated from INSUFFICIENT_DATA to ALARM"]


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "never evaluates alarms against data; AWS does, every period",
    evidence=f"botocore:cloudwatch/2010-08-01#PutMetricAlarm ; {RECORDED}#test_put_metric_alarm",
)
@pytest.mark.diverges(
    "localstack",
    "evaluates alarms on a schedule of one period (60 s), as AWS does, after the single look the lab takes on an "
    "emulator; MiniStack evaluates on each PutMetricData",
    evidence=f"{RECORDED}#test_put_metric_alarm",
)
def test_an_alarm_goes_to_alarm_when_the_data_breaches_its_threshold(cloudwatch, backend, namespace, alarm):
    put_latencies(cloudwatch, namespace, datetime.now(UTC), "api", [50.0, 60.0], step=0)  # average 55 > 25

    # AWS evaluates once a period, so within a minute or two; an emulator either already has or never will.
    state = eventually(
        lambda: describe(cloudwatch, alarm)["StateValue"] == "ALARM", backend, aws_seconds=300, interval=10
    )
    assert state is True
