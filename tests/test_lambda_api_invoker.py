"""ApiInvoker: the Lambda-API execution path reads the REPORT line from Invoke's log tail (AWS, LocalStack with
Docker) and copes with a tail that has none (MiniStack)."""

from __future__ import annotations

import base64
import io
import json

from labkit.lambda_runtime import ApiInvoker, LambdaFunction, Report

REPORT = Report("0f1e-req", 2.03, 143, 128, 40, init_duration_ms=140.6)


class StubLambda:
    """Answers Invoke as the service would, with the log tail given."""

    def __init__(self, tail: str, error: str | None = None) -> None:
        self.tail, self.error, self.calls = tail, error, []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        answer = {
            "StatusCode": 200,
            "Payload": io.BytesIO(json.dumps({"ok": True}).encode()),
            "LogResult": base64.b64encode(self.tail.encode()).decode(),
            "ResponseMetadata": {"RequestId": "api-request-id"},
        }
        if self.error:
            answer["FunctionError"] = self.error
        return answer


def invoke(tail, qualifier=None, error=None):
    client = StubLambda(tail, error)
    function = LambdaFunction(client, "fn", "arn:aws:lambda:us-east-1:123456789012:function:fn", ApiInvoker())
    return client, function.invoke({"a": 1}, qualifier=qualifier)


def test_it_invokes_with_the_log_tail_and_the_qualifier():
    client, _ = invoke("", qualifier="prod")

    assert client.calls == [{"FunctionName": "fn", "Payload": b'{"a": 1}', "LogType": "Tail", "Qualifier": "prod"}]


def test_the_report_comes_from_the_log_tail_aws_returns():
    tail = f"START RequestId: 0f1e-req Version: $LATEST\nhi\nEND RequestId: 0f1e-req\n{REPORT.line()}\n"
    _, result = invoke(tail)

    assert result.report == REPORT
    assert result.request_id == "0f1e-req"
    assert result.output == "hi"
    assert result.json() == {"ok": True}


def test_init_report_lines_in_the_tail_are_read():
    tail = (
        "INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n"
        "INIT_REPORT Init Duration: 4.87 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError\n"
        "START RequestId: r Version: $LATEST\nEND RequestId: r\n"
        "REPORT RequestId: r\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\t"
        "Status: error\tError Type: Runtime.ExitError\n"
    )
    _, result = invoke(tail, error="Unhandled")

    assert [(r.phase, r.status, r.error_type) for r in result.init_reports] == [
        ("init", "error", "Runtime.ExitError"),
        ("invoke", "error", "Runtime.ExitError"),
    ]
    assert (result.report.status, result.report.error_type) == ("error", "Runtime.ExitError")


def test_a_tail_without_report_gives_no_report_and_all_of_it_is_output():
    _, result = invoke("Hello from sample_file.txt\n")

    assert result.report is None
    assert result.request_id == "api-request-id"
    assert result.output == "Hello from sample_file.txt"
