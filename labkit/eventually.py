"""Waiting for what AWS does in the background, the same way in every lab.

On AWS a change takes effect later: a log event is searchable after seconds, a database is ``available`` after
minutes, a new role is usable by another service after a few seconds. An emulator applies a change at once, or a
moment later, or never. So a lab states two bounds for each wait, one for AWS and one for an emulator, and the
wait ends as soon as the thing is there: only a failing run pays for the patience. Three jobs, one module:

- :func:`eventually`: a check polled until it holds (or another condition, ``until``); the last result either way,
  so the caller's assertion says what was found. One look on an emulator unless ``emulator_seconds`` says more.
- :func:`waiter_config`: the ``WaiterConfig`` for a botocore waiter, with the same bounds.
- :func:`retry_while`: a call AWS refuses for a few seconds after a change it depends on (a new IAM role, a bucket
  policy), retried on AWS only; an emulator answers once.

The bounds are ``aws_seconds``, ``emulator_seconds`` and ``interval`` (seconds between looks on AWS; an emulator
is looked at more often, it answers in milliseconds). A wait for a resource's status (``status=True``, the named
:data:`TRANSITION` and :data:`NETWORK_CHANGE`, every waiter) is bounded by looks instead of seconds on moto, whose
statuses move on when they are described, not as time passes: a status moto never reaches fails in a fraction of a
second there, not after the emulator's seconds. Bounds that several labs share have names: a
:class:`Patience` holds the two limits (:data:`MESSAGE`, :data:`DELIVERY`, :data:`MAPPING`), a :class:`Pace` the
interval too (:data:`TRANSITION`, :data:`NETWORK_CHANGE`). They unpack into the keywords:
``eventually(check, backend, **MAPPING, interval=0.5)``, ``waiter_config(backend, **NETWORK_CHANGE)``; and
:func:`seconds` says how long one lasts on a backend, for a helper that takes a plain ``within``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

from botocore.exceptions import ClientError

from labkit.backends import Backend

T = TypeVar("T")

#: How long :func:`eventually` polls on AWS unless told otherwise.
AWS_SECONDS = 120.0
#: Seconds between two looks on AWS unless told otherwise.
INTERVAL = 2.0
#: The longest pause between two looks on an emulator (it answers in milliseconds, so looking often costs nothing).
EMULATOR_INTERVAL = 0.1
#: How many looks a status wait takes at most on a backend whose statuses move on when described (moto: its slowest
#: default transition takes 4 describes a step), and the pause between two of them: a millisecond, since the count
#: of describes moves such a status on, not the clock (at 10 ms, the waits for a status moto never reaches idled
#: 2.8 s of a serial ``pytest labs``, with the same outcomes).
STATUS_LOOKS = 20
STATUS_LOOK_PAUSE = 0.001
#: Seconds between two looks of a waiter on an emulator (botocore sleeps this long between attempts).
WAITER_EMULATOR_DELAY = 0.25


class Patience(TypedDict):
    """How long a wait lasts on AWS and on an emulator: keywords of :func:`eventually` and :func:`waiter_config`."""

    aws_seconds: float
    emulator_seconds: float


class Pace(Patience):
    """A :class:`Patience`, how often to look on AWS (``interval``), and whether it is a wait for a status."""

    interval: float
    status: bool


#: A message or record another service puts into a queue or a stream (SNS, S3, EventBridge, a redrive, Kinesis):
#: 2 s on an emulator, a minute on AWS.
MESSAGE: Patience = {"aws_seconds": 60.0, "emulator_seconds": 2.0}
#: What a Lambda trigger or destination delivers (an event, a record): 10 s on an emulator (its function runs
#: first), 3 minutes on AWS.
DELIVERY: Patience = {"aws_seconds": 180.0, "emulator_seconds": 10.0}
#: What an event source mapping delivers: it must start polling first (on AWS up to minutes after it is Enabled).
MAPPING: Patience = {"aws_seconds": 300.0, "emulator_seconds": 20.0}
#: A resource's state change (``modifying`` to ``available``, ``Pending`` to ``InService``): 2 s on an emulator,
#: 10 minutes on AWS, looked at every 10 s there.
TRANSITION: Pace = {"aws_seconds": 600.0, "emulator_seconds": 2.0, "interval": 10.0, "status": True}
#: A waiter on an EC2, VPC or Route 53 change (a VPC, subnet, instance, volume, snapshot, interface or NAT gateway
#: reaching its state; a record change INSYNC): a look every second, for up to 5 minutes on AWS and 5 s on an
#: emulator (which reports a transition on the first or second look, or never: then the test fails in seconds).
NETWORK_CHANGE: Pace = {"aws_seconds": 300.0, "emulator_seconds": 5.0, "interval": 1.0, "status": True}


def seconds(patience: Patience, backend: Backend) -> float:
    """How long a wait with this patience lasts on ``backend``."""
    return patience["emulator_seconds"] if backend.is_emulator else patience["aws_seconds"]


def eventually(
    check: Callable[[], T],
    backend: Backend,
    *,
    until: Callable[[T], object] | None = None,
    aws_seconds: float = AWS_SECONDS,
    emulator_seconds: float = 0.0,
    interval: float = INTERVAL,
    status: bool = False,
) -> T:
    """``check()``'s first result that holds (is truthy, or satisfies ``until``), polled until this backend's time
    runs out: ``aws_seconds`` on AWS, a look every ``interval`` seconds; ``emulator_seconds`` on an emulator (0: a
    single look), a look at least every :data:`EMULATOR_INTERVAL` seconds; with ``status`` (the check reads a
    resource's status), :data:`STATUS_LOOKS` looks on a backend whose statuses move on when described. Then the
    last result, holding or not, so the caller's assertion says what was found."""
    holds = until or bool
    if status and backend.status_moves_on_look and emulator_seconds > 0:
        for _ in range(STATUS_LOOKS - 1):
            result = check()
            if holds(result):
                return result
            time.sleep(STATUS_LOOK_PAUSE)
        return check()
    if backend.is_emulator:
        limit, pause = emulator_seconds, min(interval, EMULATOR_INTERVAL)
    else:
        limit, pause = aws_seconds, interval
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if holds(result) or time.monotonic() >= deadline:
            return result
        time.sleep(pause)


def waiter_config(
    backend: Backend,
    *,
    aws_seconds: float = 600.0,
    emulator_seconds: float = 3.0,
    interval: float = 15.0,
    status: bool = True,
) -> dict[str, float]:
    """A botocore ``WaiterConfig``: on AWS a look every ``interval`` seconds for up to ``aws_seconds`` (10 minutes
    unless told otherwise); on an emulator a look every :data:`WAITER_EMULATOR_DELAY` seconds for up to
    ``emulator_seconds``; on a backend whose statuses move on when described (a waiter waits for a status),
    :data:`STATUS_LOOKS` looks. (``status`` is accepted so that a :class:`Pace` unpacks here.)"""
    if backend.status_moves_on_look and status:
        return {"Delay": STATUS_LOOK_PAUSE, "MaxAttempts": STATUS_LOOKS}
    if backend.is_emulator:
        return {
            "Delay": WAITER_EMULATOR_DELAY,
            "MaxAttempts": max(1, math.ceil(emulator_seconds / WAITER_EMULATOR_DELAY)),
        }
    return {"Delay": interval, "MaxAttempts": max(1, math.ceil(aws_seconds / interval))}


def retry_while(
    codes: str | tuple[str, ...],
    call: Callable[..., T],
    backend: Backend,
    /,
    *,
    mentions: str | None = None,
    aws_seconds: float = 60.0,
    interval: float = 5.0,
    **parameters: Any,
) -> T:
    """``call(**parameters)``; on AWS retried every ``interval`` seconds for up to ``aws_seconds`` while it fails
    with one of ``codes`` (and, when given, a message that ``mentions`` that text): AWS's answer for a while after a
    change the call depends on (a new role another service must assume, a bucket policy). Once on an emulator,
    which applies a change at once; any other error, or the last refusal, is raised."""
    wanted = (codes,) if isinstance(codes, str) else codes
    deadline = time.monotonic() + (0.0 if backend.is_emulator else aws_seconds)
    while True:
        try:
            return call(**parameters)
        except ClientError as exc:
            error = exc.response["Error"]
            if (
                error.get("Code") not in wanted
                or (mentions is not None and mentions not in error.get("Message", ""))
                or time.monotonic() >= deadline
            ):
                raise
        time.sleep(interval)
