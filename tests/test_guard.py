"""The safety guard: with an emulator backend, a request for real AWS is refused before it leaves."""

from __future__ import annotations

import os
import socket

import boto3
import pytest
import requests
from botocore.httpsession import URLLib3Session

from labkit.backends import MotoBackend, MotoServerBackend
from labkit.guard import Guard, RealAwsRefused


@pytest.fixture
def wire(monkeypatch):
    """Spies standing in for the network under the guard: they record anything that would have left."""
    attempts: list[str] = []

    def fake_send(session, request):
        attempts.append(f"send {request.url}")
        raise AssertionError("would have sent")

    def fake_connect(sock, address):
        attempts.append(f"connect {address}")
        raise AssertionError("would have connected")

    def fake_getaddrinfo(host, *args, **kwargs):
        attempts.append(f"resolve {host}")
        return []

    monkeypatch.setattr(URLLib3Session, "send", fake_send)
    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return attempts


@pytest.fixture
def guard_on_moto_server(wire):
    """A guard for a moto server on 127.0.0.1:5999, installed over the spies."""
    guard = Guard(MotoServerBackend(endpoint_url="http://127.0.0.1:5999"))
    guard.install()
    yield guard
    guard.uninstall()


def test_a_client_aimed_at_real_aws_is_refused_before_anything_is_sent(guard_on_moto_server, wire):
    real = "https://dynamodb.us-east-1.amazonaws.com"
    client = boto3.Session().client("dynamodb", region_name="us-east-1", endpoint_url=real)
    with pytest.raises(RealAwsRefused, match=r"refused POST https://dynamodb\.us-east-1\.amazonaws\.com"):
        client.list_tables()
    assert wire == []


def test_a_client_built_without_an_endpoint_is_sent_to_the_emulator(guard_on_moto_server, wire):
    client = boto3.Session().client("dynamodb", region_name="us-east-1")
    with pytest.raises(AssertionError, match="would have sent"):
        client.list_tables()
    assert wire == ["send http://127.0.0.1:5999/"]  # through AWS_ENDPOINT_URL, the SDK's own mechanism


def test_a_client_for_the_emulator_is_let_through(guard_on_moto_server, wire):
    client = boto3.Session().client("sqs", region_name="us-east-1", endpoint_url="http://127.0.0.1:5999")
    with pytest.raises(AssertionError, match="would have sent"):
        client.list_queues()
    assert wire == ["send http://127.0.0.1:5999/"]


def test_plain_http_to_a_real_host_is_refused_before_dns(guard_on_moto_server, wire):
    with pytest.raises(RealAwsRefused, match="refused to resolve 's3.amazonaws.com'"):
        requests.get("https://s3.amazonaws.com/some-bucket/key", timeout=1)
    assert wire == []


def test_a_raw_socket_to_a_public_address_is_refused(guard_on_moto_server, wire):
    with socket.socket() as sock, pytest.raises(RealAwsRefused, match="refused to connect to '52.94.0.10'"):
        sock.connect(("52.94.0.10", 443))
    assert wire == []


def test_loopback_stays_reachable(guard_on_moto_server, wire):
    with socket.socket() as sock, pytest.raises(AssertionError):
        sock.connect(("127.0.0.1", 5999))
    assert wire == ["connect ('127.0.0.1', 5999)"]


def test_the_environment_holds_fake_credentials_and_no_profile(monkeypatch, wire):
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    guard = Guard(MotoBackend())
    guard.install()
    try:
        assert "AWS_PROFILE" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_CONFIG_FILE"].startswith(os.devnull)
        assert os.environ["AWS_SHARED_CREDENTIALS_FILE"].startswith(os.devnull)
        assert boto3.Session().get_credentials().access_key == "testing"
    finally:
        guard.uninstall()
    assert os.environ["AWS_PROFILE"] == "production"  # put back as it was
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"


def test_the_suites_own_guard_is_on_in_this_session(backend):
    """Not a unit test: the guard that protects every lab is installed here too."""
    with pytest.raises(RealAwsRefused):
        socket.getaddrinfo("sts.amazonaws.com", 443)
    if backend.is_emulator and backend.endpoint_url:  # in-process moto would answer in process instead
        client = boto3.Session().client("sts", region_name="us-east-1", endpoint_url="https://sts.amazonaws.com")
        with pytest.raises(RealAwsRefused):
            client.get_caller_identity()
