"""moto's server, as a thread of this process on a loopback port: what the moto-server backend and the Lambda
fixtures talk HTTP to.

It is moto's own WSGI app and request handler on werkzeug's threaded server (what ``ThreadedMotoServer`` runs),
with four differences, none visible to a client:

- a port that cannot be taken fails at once, with the fix, instead of werkzeug's exit in a thread;
- the app remembers which of moto's services answers each host: moto works it out on every request by listing
  its package folder twice and trying its URL patterns (GetItem: 3.98 ms a call before, 3.31 ms after);
- no log line for each request unless asked (``labs serve`` asks): in a test run each line became a log record
  that pytest captured (0.25 s of CPU in a profiled ``labs/dynamodb``); errors are still logged;
- a stop takes milliseconds: werkzeug's loop looks for a shutdown every 0.5 s unless told otherwise, and each
  moto-server run and Lambda test session paid that once at its end.
"""

from __future__ import annotations

import threading
from typing import Any

from labkit.backends import BackendError

#: How often the server loop looks for a stop request (socketserver's default: 0.5 s).
POLL_INTERVAL = 0.02


def _routing_app() -> Any:
    """moto's dispatcher, with each host's service looked up once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class RoutesRemembered(DomainDispatcherApplication):
        """Which moto service answers a host does not change while the server runs: look it up once."""

        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._service_for_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            # get_application calls this under self.lock
            if host not in self._service_for_host:
                self._service_for_host[host] = super().get_backend_for_host(host)
            return self._service_for_host[host]

    return RoutesRemembered()


def _handler(log_requests: bool) -> Any:
    """moto's request handler, or the same without a log line for each request."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    if log_requests:
        return MotoRequestHandler

    class Unlogged(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Nothing: werkzeug would log every request (errors go through ``log_error``, still logged)."""

    return Unlogged


class MotoThreadServer:
    """moto's server on 127.0.0.1:``port`` (0: a free one), in a daemon thread."""

    def __init__(self, port: int, *, log_requests: bool = False) -> None:
        self.port = port
        self.log_requests = log_requests
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Listen and serve; returns the endpoint URL. Raises BackendError if the port cannot be had."""
        from werkzeug.serving import make_server

        try:
            self._server = make_server(
                "127.0.0.1", self.port, _routing_app(), threaded=True, request_handler=_handler(self.log_requests)
            )
        except SystemExit:  # werkzeug prints why it could not bind, then exits
            raise BackendError(
                f"moto server could not listen on 127.0.0.1:{self.port}: Address already in use (or not "
                "permitted); pick another port, or 0 for a free one"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name="moto-server", daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None
