"""Function A builds its S3 client in the handler, Function B at module level: five invocations each in one
execution environment show init running once, B's client created once, A's five times."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from labkit.report import show, show_table

HERE = Path(__file__).parent
LOGGING = "https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html"
INIT_BILLING = "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase"
TAIL = "botocore:lambda/2015-03-31#InvocationResponse"
NO_REPORT = "its Invoke log tail holds only the function's output, no REPORT line"
SAMPLE = "Hello from sample_file.txt\nRead by a Lambda function from S3.\n"
INVOCATIONS = 5


@pytest.fixture
def bucket(aws_client, unique_name):
    """The bucket holding sample_file.txt, as in the note."""
    name = unique_name("content")
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="sample_file.txt", Body=SAMPLE.encode())
    return name


@pytest.fixture
def run_five(lambda_function, bucket, grant):
    """Deploy function_a or function_b and invoke it five times; returns the five results."""
    grant(["s3:GetObject"], [f"arn:aws:s3:::{bucket}/*"])  # the function reads the file, as its role must allow

    def run(module):
        function = lambda_function(
            HERE / f"{module}.py", handler=f"{module}.lambda_handler", environment={"BUCKET": bucket}
        )
        results = [function.invoke({}) for _ in range(INVOCATIONS)]
        assert [r.function_error for r in results] == [None] * INVOCATIONS, results[0].logs
        return results

    return run


def test_function_b_creates_its_client_once_and_function_a_on_every_invocation(run_five):
    a = [r.json()["clients_created"] for r in run_five("function_a")]
    b = [r.json()["clients_created"] for r in run_five("function_b")]

    assert a == [1, 2, 3, 4, 5]
    assert b == [1, 1, 1, 1, 1]


def test_init_code_runs_once_for_five_invocations_in_one_environment(run_five):
    bodies = [r.json() for r in run_five("function_b")]

    assert [b["inits"] for b in bodies] == [1] * INVOCATIONS
    assert len({b["environment"] for b in bodies}) == 1


def test_every_invocation_prints_the_downloaded_file(run_five):
    results = run_five("function_a")

    assert [r.output.strip() for r in results] == [SAMPLE.strip()] * INVOCATIONS


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LOGGING} ; {TAIL}")
def test_report_shows_init_duration_on_the_first_invocation_only(run_five):
    reports = [r.report for r in run_five("function_b")]

    assert [r.init_duration_ms is not None for r in reports] == [True, False, False, False, False]
    assert {r.memory_size_mb for r in reports} == {128}
    assert all(r.max_memory_used_mb > 0 for r in reports)


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LOGGING} ; {TAIL}")
def test_warm_invocations_are_billed_their_duration_rounded_up_to_the_millisecond(run_five):
    warm = [r.report for r in run_five("function_b")[1:]]

    assert [r.billed_duration_ms for r in warm] == [math.ceil(r.duration_ms) for r in warm]


@pytest.mark.diverges("ministack", NO_REPORT, evidence=f"{LOGGING} ; {INIT_BILLING} ; {TAIL}")
def test_a_cold_start_is_billed_its_init_duration_too(run_five):
    a, b = run_five("function_a"), run_five("function_b")
    show_table(
        "five invocations in one environment (ms): where creating the client costs",
        ["function", "Init Duration", "first Duration", "first Billed", "warm Duration (median of 4)"],
        [row("A: client in handler", a), row("B: client at module level", b)],
    )
    for name, results in (("A", a), ("B", b)):
        for result in results:
            show(f"{name} {result.report.line()}")

    for first in (a[0].report, b[0].report):
        assert first.billed_duration_ms == math.ceil(round(first.duration_ms + first.init_duration_ms, 2))


def row(name, results):
    first, warm = results[0].report, [r.report.duration_ms for r in results[1:]]
    return [
        name,
        f"{first.init_duration_ms:.0f}",
        f"{first.duration_ms:.1f}",
        f"{first.billed_duration_ms}",
        f"{statistics.median(warm):.1f}",
    ]
