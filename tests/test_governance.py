"""labkit.governance: skips for services a backend answers without serving, the Region's one AWS Config recorder
held by one test at a time on shared backends, and the Config undo in the right order (its retries on AWS are
labkit.eventually.retry_while's: tests/test_eventually.py)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from labkit import governance
from labkit.backends import LocalStackBackend, MiniStackBackend, MotoBackend


@dataclass
class Aws:
    """Just enough of a backend that is not an emulator and is never reset."""

    is_emulator: bool = False
    name: str = "aws"
    endpoint_url: str | None = None
    region: str = "us-east-1"
    track_resources: bool = True

    def lacks_service(self, service: str) -> str | None:
        return None


def refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "Operation")


def test_ram_and_service_quotas_are_services_ministack_and_localstack_do_not_serve():
    assert "does not implement ram" in (MiniStackBackend().lacks_service("ram") or "")
    assert "license plan" in (
        LocalStackBackend(endpoint_url="http://127.0.0.1:1").lacks_service("service-quotas") or ""
    )
    assert MotoBackend().lacks_service("ram") is None


def test_the_recorder_slot_is_held_by_one_test_at_a_time_on_a_backend_never_reset(tmp_path, monkeypatch):
    monkeypatch.setattr(governance.tempfile, "gettempdir", lambda: str(tmp_path))
    order: list[str] = []

    def second():
        with governance.recorder_slot(Aws()):
            order.append("second")

    with governance.recorder_slot(Aws()):
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.3)  # the second holder is blocked meanwhile
        order.append("first")
    waiting.join(timeout=5)

    assert order == ["first", "second"]


def test_the_recorder_slot_holds_nothing_where_every_test_has_its_own_backend():
    with governance.recorder_slot(MotoBackend()), governance.recorder_slot(MotoBackend()):
        pass  # nested: no lock taken, so no deadlock


def test_the_bucket_policy_lets_config_check_list_and_write_under_awslogs():
    statements = json.loads(governance.config_bucket_policy("history", "123456789012"))["Statement"]

    assert [s["Action"] for s in statements] == ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"]
    assert {s["Principal"]["Service"] for s in statements} == {"config.amazonaws.com"}
    assert statements[2]["Resource"] == "arn:aws:s3:::history/AWSLogs/123456789012/Config/*"
    assert statements[2]["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


class FakeConfig:
    """Records the Config calls made, failing those named in ``fail`` with the given code."""

    def __init__(self, fail: dict[str, str] | None = None) -> None:
        self.calls: list[str] = []
        self.fail = fail or {}

    def __getattr__(self, operation: str):
        def call(**parameters):
            self.calls.append(f"{operation}:{next(iter(parameters.values()))}")
            if operation in self.fail:
                raise refusal(self.fail[operation])

        return call


def test_config_is_taken_down_recorder_stopped_then_channel_then_recorder():
    config = FakeConfig()

    governance.remove_config(config, ["rec"], ["chan"])

    assert config.calls == [
        "stop_configuration_recorder:rec",
        "delete_delivery_channel:chan",
        "delete_configuration_recorder:rec",
    ]


def test_removing_config_that_is_already_gone_or_unsupported_is_not_an_error():
    gone = FakeConfig({"stop_configuration_recorder": "NoSuchConfigurationRecorderException"})
    governance.remove_config(gone, ["rec"], [])
    lacking = FakeConfig({"delete_delivery_channel": "InvalidAction"})
    governance.remove_config(lacking, [], ["chan"])

    with pytest.raises(ClientError, match="LastDeliveryChannelDeleteFailed"):
        governance.remove_config(
            FakeConfig({"delete_delivery_channel": "LastDeliveryChannelDeleteFailedException"}), [], ["c"]
        )
