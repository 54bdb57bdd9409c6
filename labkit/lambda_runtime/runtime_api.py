"""The Lambda Runtime API, served on loopback for one execution environment.

The runtime inside the environment (``awslambdaric``) long-polls ``GET /2018-06-01/runtime/invocation/next``
for an event, and posts the handler's result to ``/invocation/{id}/response`` or ``/invocation/{id}/error``,
or an init failure to ``/runtime/init/error`` (the documented protocol, "Using the Lambda runtime API for
custom runtimes"). This module only moves events and results; timing, timeouts and the process belong to
``environment.py``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


@dataclass
class Invocation:
    """One event on its way through the runtime, and what came back."""

    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str
    started: float | None = None  # time.monotonic() when the runtime took the event
    ended: float | None = None  # when the result (or error) arrived
    response: bytes | None = None
    error: bytes | None = None
    error_type: str | None = None

    @property
    def settled(self) -> bool:
        return self.ended is not None


@dataclass
class InitError:
    """What the runtime posted to /runtime/init/error: the function failed before its first event."""

    body: bytes
    error_type: str | None
    at: float


@dataclass
class RuntimeState:
    """Everything the runtime has told us, guarded by one condition that wakes whoever waits on a change."""

    changed: threading.Condition = field(default_factory=threading.Condition)
    ready_at: float | None = None  # the first GET /next: init is over
    init_error: InitError | None = None
    invocations: dict[str, Invocation] = field(default_factory=dict)
    on_ready: Callable[[], None] | None = None  # called once, as init ends (before the first event is taken)

    def update(self, change: Any) -> None:
        with self.changed:
            change()
            self.changed.notify_all()


class RuntimeApi:
    """A Runtime API endpoint on ``127.0.0.1:<free port>`` for one environment (one runtime process)."""

    def __init__(self) -> None:
        self.state = RuntimeState()
        self._events: queue.Queue[Invocation | None] = queue.Queue()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="lambda-runtime-api", daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> str:
        """``host:port``: the value of AWS_LAMBDA_RUNTIME_API."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def submit(self, invocation: Invocation) -> None:
        """Queue an event for the runtime's next GET /next."""
        self.state.update(lambda: self.state.invocations.__setitem__(invocation.request_id, invocation))
        self._events.put(invocation)

    def next_event(self) -> Invocation | None:
        """Block until there is an event (None: the environment is shutting down)."""
        invocation = self._events.get()
        if invocation is not None:
            now = time.monotonic()
            self.state.update(lambda: setattr(invocation, "started", now))
        return invocation

    def close(self) -> None:
        self._events.put(None)
        self._server.shutdown()
        self._server.server_close()


def _handler_class(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            """Quiet: the runtime's traffic is not the lab's output."""

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the runtime went away (killed after a timeout)
                self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path != f"{PREFIX}/invocation/next":
                self._send(404, b'{"errorType":"NotFound"}')
                return
            now = time.monotonic()
            if api.state.ready_at is None and api.state.on_ready is not None:
                api.state.on_ready()
            api.state.update(lambda: setattr(api.state, "ready_at", api.state.ready_at or now))
            invocation = api.next_event()
            if invocation is None:
                self._send(410, b'{"errorType":"EnvironmentShutdown"}')
                return
            self._send(
                200,
                invocation.payload,
                {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                    "Lambda-Runtime-Trace-Id": invocation.trace_id,
                    # awslambdaric's native client crashes when these two are missing: send them empty.
                    "Lambda-Runtime-Client-Context": "",
                    "Lambda-Runtime-Cognito-Identity": "",
                },
            )

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self._body()
            now = time.monotonic()
            error_type = self.headers.get(ERROR_TYPE_HEADER)
            if self.path == f"{PREFIX}/init/error":
                error = InitError(body, error_type, now)
                api.state.update(lambda: setattr(api.state, "init_error", error))
                self._send(202, b'{"status":"OK"}')
                return
            parts = self.path.removeprefix(f"{PREFIX}/invocation/").split("/")
            invocation = api.state.invocations.get(parts[0]) if len(parts) == 2 else None
            if invocation is None or parts[1] not in ("response", "error"):
                self._send(404, json.dumps({"errorType": "InvalidRequestID"}).encode())
                return
            if invocation.settled:
                self._send(400, json.dumps({"errorType": "InvalidStateTransition"}).encode())
                return

            def settle() -> None:
                assert invocation is not None
                if parts[1] == "response":
                    invocation.response = body
                else:
                    invocation.error, invocation.error_type = body, error_type
                invocation.ended = now

            api.state.update(settle)
            self._send(202, b'{"status":"OK"}')

    return Handler
