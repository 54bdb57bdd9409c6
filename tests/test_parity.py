"""The parity matrix is built from the test runs' own outcomes: pass, diverges with reasons, skips with reasons."""

from __future__ import annotations

from labkit import parity
from labkit.catalog import find_lab, survey

OUTCOMES = {
    "moto": [
        {"nodeid": "labs/sqs/dlq/test_dlq.py::test_moves", "outcome": "passed", "reason": ""},
        {"nodeid": "labs/sqs/dlq/test_dlq.py::test_redrive", "outcome": "xfailed",
         "reason": "moto diverges: start_message_move_task is not implemented"},
        {"nodeid": "tests/test_guard.py::test_x", "outcome": "passed", "reason": ""},
    ],
    "localstack": [
        {"nodeid": "labs/sqs/dlq/test_dlq.py::test_moves", "outcome": "passed", "reason": ""},
        {"nodeid": "labs/sqs/dlq/test_dlq.py::test_redrive", "outcome": "passed", "reason": ""},
        {"nodeid": "labs/dynamodb/ttl/test_ttl.py::test_a", "outcome": "skipped",
         "reason": "this lab uses dynamodb: host-mode LocalStack has no DynamoDB"},
    ],
}  # fmt: skip


def test_each_lab_gets_a_cell_per_backend_with_counts():
    matrix = parity.build(OUTCOMES)

    assert set(matrix) == {"sqs/dlq", "dynamodb/ttl"}  # tests/ are not labs
    assert matrix["sqs/dlq"]["moto"].summary() == "pass 1, diverges 1"
    assert matrix["sqs/dlq"]["localstack"].summary() == "pass 2"
    assert matrix["dynamodb/ttl"]["localstack"].summary() == "skipped 1"


def test_the_page_shows_not_run_and_every_reason():
    page = parity.render(parity.build(OUTCOMES), OUTCOMES)

    assert "| [dynamodb/ttl](../labs/dynamodb/ttl/README.md) | not run | skipped 1 |" in page
    assert "| sqs/dlq | moto | diverges | moto diverges: start_message_move_task is not implemented |  |" in page
    assert (
        "| dynamodb/ttl | localstack | skipped | this lab uses dynamodb: host-mode LocalStack has no DynamoDB |  |"
        in page
    )
    assert "| all labs | pass 1, diverges 1 | pass 2, skipped 1 |" in page


def test_a_divergence_shows_its_evidence_beside_its_reason():
    outcomes = {"moto": [
        {"nodeid": "labs/sqs/dlq/test_dlq.py::test_redrive", "outcome": "xfailed", "reason": "moto diverges: x",
         "evidence": "botocore:sqs/2012-11-05#StartMessageMoveTask"},
    ]}  # fmt: skip
    page = parity.render(parity.build(outcomes), outcomes)
    assert "| sqs/dlq | moto | diverges | moto diverges: x | botocore:sqs/2012-11-05#StartMessageMoveTask |" in page


def test_a_failure_or_a_fixed_divergence_stands_out():
    outcomes = {"moto": [
        {"nodeid": "labs/s3/x/test_x.py::test_a", "outcome": "failed", "reason": "AssertionError"},
        {"nodeid": "labs/s3/x/test_x.py::test_b", "outcome": "xpassed", "reason": "moto diverges: ..."},
    ]}  # fmt: skip
    assert parity.build(outcomes)["s3/x"]["moto"].summary() == "FAIL 2"


def test_a_real_run_writes_outcomes_the_matrix_reads(tmp_path):
    code = parity.run_backend("moto", tmp_path, [find_lab("dynamodb/query_vs_scan", survey()[0])])

    assert code == 0
    cell = parity.build(parity.load(tmp_path))["dynamodb/query_vs_scan"]["moto"]
    assert cell.counts["passed"] >= 9 and cell.counts["failed"] == 0
