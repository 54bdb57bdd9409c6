"""The ministack backend: started by the harness, reset between tests, and clear when it cannot be used."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from labkit.backends import MINISTACK_ENDPOINT_VARIABLE, BackendError, make_backend


def test_it_starts_on_a_free_port_resets_and_stops():
    backend = make_backend("ministack")
    backend.start()
    try:
        assert backend.endpoint_url and backend.endpoint_url.startswith("http://127.0.0.1:")
        assert backend.lacks("lambda-execution") is None and backend.lacks("dynamodb") is None
        requests.put(f"{backend.endpoint_url}/labs-reset-check", timeout=5)  # an S3 bucket, path style
        assert "labs-reset-check" in requests.get(backend.endpoint_url, timeout=5).text
        backend.reset()
        assert "labs-reset-check" not in requests.get(backend.endpoint_url, timeout=5).text
    finally:
        url = backend.endpoint_url
        backend.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_ministack/health", timeout=2)


def test_a_taken_port_fails_at_once_naming_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(BackendError, match=rf"127\.0\.0\.1:{port} is already in use.*pick another port"):
            make_backend("ministack", port=port).start()
    assert time.monotonic() - started < 5


def test_a_named_ministack_that_is_not_running_fails_within_seconds_saying_what_to_do(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(MINISTACK_ENDPOINT_VARIABLE, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"MiniStack is not answering.*python -m labkit.ministack_host start"):
        make_backend("ministack").start()
    assert time.monotonic() - started < 5
