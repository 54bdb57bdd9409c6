"""Loaded by ``site`` at start-up of every function process: a socket guard that refuses any address but
loopback, so code in the function cannot reach real AWS even if it builds its own endpoint or credentials.

It runs before awslambdaric imports the handler. The parent process has its own guard (labkit.guard); this one
travels with the child because a guard in the parent does not cover another process.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


class SandboxRefused(RuntimeError):
    """The function tried to reach something other than loopback (a RuntimeError: HTTP clients do not retry it)."""


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, host: str) -> SandboxRefused:
    return SandboxRefused(
        f"labs lambda sandbox: refused to {what} {host!r}; a function here may reach only the emulator on loopback"
    )


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not _loopback(name):
            raise _refuse("resolve", name)
    return _getaddrinfo(host, *args, **kwargs)


def _guarded_connect(sock: socket.socket, address: Any) -> Any:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(str(address[0])):
        raise _refuse("connect to", str(address[0]))
    return _connect(sock, address)


def _guarded_connect_ex(sock: socket.socket, address: Any) -> Any:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(str(address[0])):
        raise _refuse("connect to", str(address[0]))
    return _connect_ex(sock, address)


socket.getaddrinfo = _guarded_getaddrinfo
socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
