"""The safety guard: with an emulator backend, nothing the suite does can reach real AWS.

Three layers, each enough on its own for the common case:
1. the environment: fake credentials, no profile, no config or credentials file, no instance metadata;
2. botocore's HTTP sender refuses a request to any host but loopback or the emulator's, before it is sent
   (it runs only when nothing answered in process first: moto's in-process stubber answers in ``before-send``);
3. a socket guard that refuses to resolve or connect to anything but loopback, for code that bypasses botocore.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest
from botocore.httpsession import URLLib3Session

from labkit.backends import FAKE_CREDENTIALS, Backend

#: Variables that could steer an SDK towards a real account; removed while the guard is on.
REMOVED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
)


class RealAwsRefused(RuntimeError):
    """A request was about to leave for a host that is not the selected emulator.

    A RuntimeError rather than an OSError on purpose: HTTP libraries retry OSErrors, this must stop at once.
    """


def _loopback_name(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in {"localhost", "localhost.localdomain", ""} or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class Guard:
    """Installs and removes the three layers for one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.allowed = {(host.lower(), port) for host, port in backend.allowed_hosts()}
        self._saved_env: dict[str, str | None] = {}
        self._saved_functions: dict[str, Any] = {}
        self._installed = False

    # --- layer 1: the environment -------------------------------------------------------------------------
    def _set_env(self, name: str, value: str | None) -> None:
        self._saved_env.setdefault(name, os.environ.get(name))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _neutralise_environment(self) -> None:
        for name in REMOVED_VARIABLES:
            self._set_env(name, None)
        for name, value in FAKE_CREDENTIALS.items():
            self._set_env(name, value)
        nowhere = os.path.join(os.devnull, "labs-no-aws-config")
        self._set_env("AWS_CONFIG_FILE", nowhere)
        self._set_env("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        self._set_env("AWS_EC2_METADATA_DISABLED", "true")
        for name, value in self.backend.environment().items():
            self._set_env(name, value)

    # --- layer 2: botocore ----------------------------------------------------------------------------------
    def check_request(self, request: AWSPreparedRequest) -> None:
        """Refuse a botocore request unless it is for the emulator."""
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if _loopback_name(host) or (host, port) in self.allowed:
            return
        raise RealAwsRefused(
            f"labs safety guard: refused {request.method} {parts.scheme}://{parts.netloc} "
            f"on the {self.backend.name} backend; only {self._describe_allowed()} may be reached. "
            "Take clients from the aws_client fixture, never build your own."
        )

    def _describe_allowed(self) -> str:
        where = ["moto in this process" if self.backend.name == "moto" else "", "loopback addresses"]
        where += [f"{host}:{port}" for host, port in sorted(self.allowed)]
        return ", ".join(w for w in where if w)

    # --- layer 3: sockets (and the botocore sender of layer 2) ------------------------------------------
    def _host_allowed(self, host: str) -> bool:
        return _loopback_name(host) or any(host.lower() == allowed for allowed, _ in self.allowed)

    def _refuse_host(self, host: str, what: str) -> RealAwsRefused:
        return RealAwsRefused(
            f"labs safety guard: refused to {what} {host!r} on the {self.backend.name} backend; "
            "with an emulator backend only loopback addresses may be reached."
        )

    def _wrap_getaddrinfo(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if self._installed and host is not None:
                name = host.decode() if isinstance(host, bytes) else str(host)
                if not self._host_allowed(name):
                    raise self._refuse_host(name, "resolve")
            return original(host, *args, **kwargs)

        return getaddrinfo

    def _wrap_connect(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def connect(sock: socket.socket, address: Any) -> Any:
            if self._installed and sock.family in (socket.AF_INET, socket.AF_INET6):
                host = str(address[0])
                if not self._host_allowed(host):
                    raise self._refuse_host(host, "connect to")
            return original(sock, address)

        return connect

    def _wrap_send(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def send(session: URLLib3Session, request: AWSPreparedRequest) -> Any:
            if self._installed:
                self.check_request(request)
            return original(session, request)

        return send

    def _patch(self) -> None:
        self._saved_functions = {
            "send": URLLib3Session.send,
            "getaddrinfo": socket.getaddrinfo,
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
        }
        URLLib3Session.send = self._wrap_send(URLLib3Session.send)
        socket.getaddrinfo = self._wrap_getaddrinfo(socket.getaddrinfo)
        socket.socket.connect = self._wrap_connect(socket.socket.connect)  # type: ignore[method-assign]
        socket.socket.connect_ex = self._wrap_connect(socket.socket.connect_ex)  # type: ignore[method-assign]

    def _restore(self) -> None:
        if self._saved_functions:
            URLLib3Session.send = self._saved_functions["send"]
            socket.getaddrinfo = self._saved_functions["getaddrinfo"]
            socket.socket.connect = self._saved_functions["connect"]  # type: ignore[method-assign]
            socket.socket.connect_ex = self._saved_functions["connect_ex"]  # type: ignore[method-assign]
            self._saved_functions = {}

    # --- life cycle -----------------------------------------------------------------------------------------
    def install(self) -> None:
        """Turn every layer on. On the aws backend only the environment's endpoint override is removed."""
        if self._installed:
            return
        if not self.backend.is_emulator:
            self._set_env("AWS_ENDPOINT_URL", None)
            return
        self._neutralise_environment()
        self._patch()
        self._installed = True

    def refresh(self) -> None:
        """Pick up what the backend learnt on start (a server's port): allowed hosts and environment lines."""
        self.allowed |= {(host.lower(), port) for host, port in self.backend.allowed_hosts()}
        if self._installed:
            for name, value in self.backend.environment().items():
                self._set_env(name, value)

    def allow(self, hosts: Iterable[tuple[str, int]]) -> None:
        """Also let requests reach these (host, port) pairs, e.g. a second local server the harness started."""
        self.allowed |= {(host.lower(), port) for host, port in hosts}

    def uninstall(self) -> None:
        """Put the process back as it was (used by in-process pytest runs of the suite's own tests)."""
        self._installed = False
        self._restore()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
