"""moto's server as a thread of this process: routes each host once, resets in process, frees its port on stop."""

from __future__ import annotations

import collections
import logging
import socket
import uuid

import boto3
import pytest

from labkit.backends import BackendError
from labkit.moto_thread_server import MotoThreadServer

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def client(service: str, endpoint_url: str):
    return boto3.client(service, endpoint_url=endpoint_url, region_name="us-east-1", **CREDENTIALS)


def test_each_host_is_routed_to_its_service_once_and_still_answered(monkeypatch):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    looked_up: collections.Counter[str | None] = collections.Counter()
    look_up = DomainDispatcherApplication.get_backend_for_host

    def counted(self, host):
        looked_up[host] += 1
        return look_up(self, host)

    monkeypatch.setattr(DomainDispatcherApplication, "get_backend_for_host", counted)
    server = MotoThreadServer(0)
    url = server.start()
    try:
        sqs, sts = client("sqs", url), client("sts", url)
        prefix = f"routed-{uuid.uuid4().hex[:8]}"  # moto's state is the process's: other tests' queues may be there
        for name in ("a", "b", "c"):
            sqs.create_queue(QueueName=f"{prefix}-{name}")
        account = sts.get_caller_identity()["Account"]
        queues = sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]
    finally:
        server.stop()

    assert account == "123456789012"
    assert sorted(q.rsplit("-", 1)[1] for q in queues) == ["a", "b", "c"]
    assert looked_up and max(looked_up.values()) == 1  # 6 requests, each host looked up once


def test_stop_frees_the_port_and_ends_the_thread():
    server = MotoThreadServer(0)
    port = int(server.start().rsplit(":", 1)[1])
    thread = server._thread

    server.stop()

    assert thread is not None and not thread.is_alive()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_taken_port_is_named_with_the_fix():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BackendError, match=rf"127\.0\.0\.1:{port}: Address already in use.*or 0 for a free one"):
            MotoThreadServer(port).start()


def test_a_reset_clears_what_the_server_holds(moto_server, server_client):
    moto_server.reset()
    sqs = server_client("sqs")
    sqs.create_queue(QueueName="left-over")

    moto_server.reset()

    assert sqs.list_queues().get("QueueUrls", []) == []


@pytest.mark.parametrize("log_requests", [False, True])
def test_a_request_is_logged_only_when_asked(caplog, log_requests):
    server = MotoThreadServer(0, log_requests=log_requests)
    url = server.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            client("sts", url).get_caller_identity()
    finally:
        server.stop()

    logged = [r.getMessage() for r in caplog.records if r.name == "werkzeug" and "POST / HTTP/1.1" in r.getMessage()]
    assert len(logged) == (1 if log_requests else 0)
