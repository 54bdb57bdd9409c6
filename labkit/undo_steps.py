"""What every undo step shares: quiet sub-steps, and waits sized to where the client points.

Undo runs only where state is kept between tests: host LocalStack, or real AWS. On AWS a deletion finishes in
the background, seconds to minutes later, so a step waits for it with AWS-sized patience. An emulator on loopback
finishes at once or never: there a wait is a few quick looks, or a run stalls for minutes on something that will
never happen (a state LocalStack does not report).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError, WaiterError

from labkit.eventually import WAITER_EMULATOR_DELAY

log = logging.getLogger(__name__)

Undo = Callable[[Any, dict[str, Any], dict[str, Any]], None]

#: How long a clean-up waits on an emulator, which finishes a deletion at once or never.
EMULATOR_SECONDS = 2.0


def quietly(call: Callable[..., Any], **kwargs: Any) -> None:
    """Run one sub-step; a resource already gone (or an emulator's refusal) never stops the rest."""
    try:
        call(**kwargs)
    except (ClientError, WaiterError) as exc:
        log.info("clean-up step skipped: %s", exc)


def on_emulator(client: Any) -> bool:
    """True when the client talks to an emulator on loopback (not to AWS)."""
    host = (urlsplit(client.meta.endpoint_url).hostname or "").lower()
    if host in ("localhost", "localhost.localstack.cloud") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cleanup_waiter_config(client: Any, aws_minutes: float = 10) -> dict[str, float]:
    """A botocore ``WaiterConfig`` for a clean-up wait: 2 s of quick looks on an emulator, 5 s polls on AWS."""
    if on_emulator(client):
        return {"Delay": WAITER_EMULATOR_DELAY, "MaxAttempts": math.ceil(EMULATOR_SECONDS / WAITER_EMULATOR_DELAY)}
    return {"Delay": 5, "MaxAttempts": max(1, int(aws_minutes * 12))}


def wait_quietly(client: Any, waiter: str, /, *, aws_minutes: float = 10, **params: Any) -> None:
    """Wait with the client's botocore waiter ``waiter``, sized by :func:`cleanup_waiter_config`; a wait that
    fails or runs out never stops the clean-up (the next step says what is left)."""
    quietly(client.get_waiter(waiter).wait, WaiterConfig=cleanup_waiter_config(client, aws_minutes), **params)


def poll_until(done: Callable[[], bool], client: Any, aws_minutes: float = 10) -> bool:
    """Poll ``done()`` the way :func:`cleanup_waiter_config` waits (for calls that have no waiter); True once it is."""
    config = cleanup_waiter_config(client, aws_minutes)
    for attempt in range(int(config["MaxAttempts"])):
        if done():
            return True
        if attempt + 1 < config["MaxAttempts"]:
            time.sleep(config["Delay"])
    return False
