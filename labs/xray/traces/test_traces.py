"""X-Ray: services send segments (with subsegments inside them); segments sharing a trace id form a trace.
Annotations are indexed, so trace summaries carry them and filter expressions can search them; metadata
rides along in the segment document and is never indexed."""

from __future__ import annotations

import json
import os
import time

import pytest

from labkit.eventually import eventually
from labkit.report import show_table


def trace_id(at):
    """``1-<8 hex digits of epoch seconds>-<24 hex digits>``, the X-Ray trace id format."""
    return f"1-{int(at):08x}-{os.urandom(12).hex()}"


def segment_id():
    return os.urandom(8).hex()


@pytest.fixture
def xray(aws_client):
    return aws_client("xray")


@pytest.fixture
def traces(xray):
    """Two checkout requests. Gold: 0.5 s, calls DynamoDB (a subsegment) and the payments service (its own
    segment, same trace). Silver: 0.8 s and a fault (HTTP 500)."""
    now = time.time()
    gold, silver, root = trace_id(now), trace_id(now), segment_id()
    segments = [
        {
            "name": "checkout", "id": root, "trace_id": gold, "start_time": now - 1.0, "end_time": now - 0.5,
            "http": {"request": {"method": "POST", "url": "https://shop.example/checkout"},
                     "response": {"status": 200}},
            "annotations": {"customer_tier": "gold", "order_total": 120},
            "metadata": {"debug": {"cart_items": [101, 102, 103]}},
            "subsegments": [
                {"name": "DynamoDB", "id": segment_id(), "start_time": now - 0.9, "end_time": now - 0.8,
                 "namespace": "aws"}
            ],
        },
        {"name": "payments", "id": segment_id(), "trace_id": gold, "parent_id": root,
         "start_time": now - 0.8, "end_time": now - 0.6},
        {
            "name": "checkout", "id": segment_id(), "trace_id": silver, "start_time": now - 1.0, "end_time": now - 0.2,
            "fault": True, "http": {"response": {"status": 500}}, "annotations": {"customer_tier": "silver"},
        },
    ]  # fmt: skip
    response = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(s) for s in segments])
    assert response["UnprocessedTraceSegments"] == []
    return {"gold": gold, "silver": silver, "window": (now - 60, now + 60)}


def documents(xray, backend, trace, count):
    """The segment documents of one trace, by segment name, once all ``count`` are indexed (AWS indexes
    segments asynchronously, within seconds)."""

    def read():
        found = xray.batch_get_traces(TraceIds=[trace])["Traces"]
        segments = found[0]["Segments"] if found else []
        return {json.loads(s["Document"])["name"]: json.loads(s["Document"]) for s in segments}

    def complete():
        found = read()
        return found if len(found) == count else {}

    return eventually(complete, backend) or read()


def summaries(xray, backend, traces, expression=None, expect=("gold", "silver")):
    """Our traces' summaries by name ("gold", "silver"), across every page, once the ones ``expect`` names
    are all there (other traces may live in the account: filtered out by id)."""
    start, end = traces["window"]
    extra = {"FilterExpression": expression} if expression else {}
    names = {traces["gold"]: "gold", traces["silver"]: "silver"}

    def read():
        pages = xray.get_paginator("get_trace_summaries").paginate(StartTime=start, EndTime=end, **extra)
        return {names[s["Id"]]: s for page in pages for s in page["TraceSummaries"] if s["Id"] in names}

    def complete():
        found = read()
        return found if sorted(found) == sorted(expect) else {}

    return eventually(complete, backend) or read()


def test_segments_with_one_trace_id_form_one_trace(xray, backend, traces):
    segments = documents(xray, backend, traces["gold"], 2)

    assert sorted(segments) == ["checkout", "payments"]
    assert segments["payments"]["parent_id"] == segments["checkout"]["id"]  # payments was called by checkout


def test_a_subsegment_travels_inside_its_segment(xray, backend, traces):
    checkout = documents(xray, backend, traces["gold"], 2)["checkout"]

    assert [(s["name"], s["namespace"]) for s in checkout["subsegments"]] == [("DynamoDB", "aws")]


def test_annotations_and_metadata_are_both_kept_in_the_segment_document(xray, backend, traces):
    checkout = documents(xray, backend, traces["gold"], 2)["checkout"]

    assert checkout["annotations"] == {"customer_tier": "gold", "order_total": 120}
    assert checkout["metadata"] == {"debug": {"cart_items": [101, 102, 103]}}


def test_a_summary_says_which_trace_had_a_fault(xray, backend, traces):
    found = summaries(xray, backend, traces)
    rows = [[k, v.get("HasFault"), v.get("ResponseTime"), v.get("Duration")] for k, v in sorted(found.items())]
    show_table("trace summaries", ["trace", "HasFault", "ResponseTime", "Duration"], rows)

    assert (found["gold"]["HasFault"], found["silver"]["HasFault"]) == (False, True)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "returns summaries without annotations; AWS indexes them",
    evidence="botocore:xray/2016-04-12#TraceSummary ; botocore:xray/2016-04-12#GetTraceSummaries",
)
def test_summaries_carry_the_annotations_but_not_the_metadata(xray, backend, traces):
    gold = summaries(xray, backend, traces)["gold"]

    assert sorted(gold["Annotations"]) == ["customer_tier", "order_total"]
    assert gold["Annotations"]["customer_tier"][0]["AnnotationValue"] == {"StringValue": "gold"}
    assert "debug" not in json.dumps(gold, default=str)  # metadata is not indexed


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "reports ResponseTime 1.0 whatever the segments say; AWS: the root segment's duration",
    evidence="botocore:xray/2016-04-12#TraceSummary",
)
def test_summary_times_come_from_the_segments(xray, backend, traces):
    found = summaries(xray, backend, traces)

    assert found["gold"]["ResponseTime"] == pytest.approx(0.5, abs=0.01)  # the root segment: 1.0 s ago to 0.5 s ago
    assert found["silver"]["ResponseTime"] == pytest.approx(0.8, abs=0.01)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "answers every filter expression with InternalFailure (not implemented)",
    evidence="https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html ; "
    "botocore:xray/2016-04-12#GetTraceSummaries",
)
@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('annotation.customer_tier = "gold"', ["gold"]),
        ("annotation.order_total > 100", ["gold"]),
        ("fault", ["silver"]),
        ('service("payments")', ["gold"]),
    ],
)
def test_a_filter_expression_finds_only_the_matching_traces(xray, backend, traces, expression, expected):
    assert sorted(summaries(xray, backend, traces, expression, expect=expected)) == expected


def test_a_segment_without_an_end_time_comes_back_unprocessed(xray):
    now = time.time()
    broken = {"name": "checkout", "id": segment_id(), "trace_id": trace_id(now), "start_time": now}

    response = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(broken)])

    assert [item["Id"] for item in response["UnprocessedTraceSegments"]] == [broken["id"]]
