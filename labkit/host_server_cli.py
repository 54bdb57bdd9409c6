"""``python -m labkit.<emulator>_host install|start|stop|status``: one command line for every host server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from labkit.host_server import HostServer, HostServerError


def main(server: HostServer, default_port: int, usage: str, argv: Sequence[str] | None = None) -> int:
    """Install, start (in the background), stop or probe ``server``; ``usage`` is printed after a start."""
    parser = argparse.ArgumentParser(
        prog=f"python -m labkit.{server.name.lower()}_host", description=f"{server.name} on this host, no Docker"
    )
    parser.add_argument("command", choices=["install", "start", "stop", "status"])
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            print(f"{server.name} {server.version} installed: {server.install(quiet=False)}")
        elif args.command == "start":
            pid = server.start(args.port).pid
            print(f"{server.name} {server.version} is up on {server.url(args.port)} (pid {pid})")
            print(f"  log: {server.log_file(args.port)}")
            print(usage.format(port=args.port))
        elif args.command == "stop":
            print("stopped" if server.stop(args.port) else f"no {server.name} started here on port {args.port}")
        else:
            up = server.is_up(args.port)
            print(f"{server.name} on 127.0.0.1:{args.port}: {'up' if up else 'not answering'}")
            return 0 if up else 1
    except HostServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
