"""labkit.eventually, the one way a lab waits: a check polled until it holds (one look on an emulator unless told
more), a botocore WaiterConfig sized per backend, and a call retried on AWS while it is refused for a change that
has not reached the service yet. A fake clock stands in for time, so nothing here sleeps."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from stand_ins import ClockedEmulator, RealAws

from labkit import eventually as waits
from labkit.backends import MotoBackend
from labkit.eventually import (
    DELIVERY,
    EMULATOR_INTERVAL,
    MAPPING,
    MESSAGE,
    NETWORK_CHANGE,
    STATUS_LOOK_PAUSE,
    STATUS_LOOKS,
    TRANSITION,
    WAITER_EMULATOR_DELAY,
    eventually,
    retry_while,
    seconds,
    waiter_config,
)

EMULATOR, CLOCKED, AWS = MotoBackend(), ClockedEmulator(), RealAws()


class Clock:
    """time.monotonic and time.sleep for labkit.eventually: sleeping moves the clock, and every pause is kept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(waits.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(waits.time, "sleep", fake.sleep)
    return fake


def answers(*values: Any) -> Any:
    """A check that gives these answers in turn, then the last one again; ``.calls`` counts the looks."""

    def check() -> Any:
        check.calls += 1  # type: ignore[attr-defined]
        return values[min(check.calls, len(values)) - 1]  # type: ignore[attr-defined]

    check.calls = 0  # type: ignore[attr-defined]
    return check


def refusals(code: str, times: int, message: str = "") -> Any:
    """A call refused with ``code`` (and ``message``) ``times`` times, then answering "done"; ``.calls`` keeps its
    keyword arguments."""

    def call(**parameters: Any) -> str:
        call.calls.append(parameters)  # type: ignore[attr-defined]
        if len(call.calls) <= times:  # type: ignore[attr-defined]
            raise ClientError({"Error": {"Code": code, "Message": message}}, "Operation")
        return "done"

    call.calls = []  # type: ignore[attr-defined]
    return call


# --- eventually ----------------------------------------------------------------------------------------------------


def test_an_emulator_is_looked_at_once_unless_told_more(clock: Clock) -> None:
    check = answers(None, "late")

    assert eventually(check, EMULATOR) is None  # the last (only) answer, for the caller's assertion
    assert (check.calls, clock.pauses) == (1, [])


def test_an_emulator_is_polled_every_tenth_of_a_second_at_most_within_its_bound(clock: Clock) -> None:
    check = answers(None)

    assert eventually(check, EMULATOR, emulator_seconds=0.5, interval=10.0) is None
    assert set(clock.pauses) == {EMULATOR_INTERVAL} == {0.1}  # the AWS interval does not apply
    assert check.calls in (6, 7)  # looks at 0, 0.1, ... 0.5 s (the last one or two, as the sums round)
    assert clock.now - 1000.0 == pytest.approx(0.5, abs=0.11)


def test_a_shorter_interval_is_kept_on_an_emulator(clock: Clock) -> None:
    check = answers(None, [], "here")

    assert eventually(check, EMULATOR, emulator_seconds=5.0, interval=0.05) == "here"
    assert clock.pauses == [0.05, 0.05]


# A status wait: moto moves a status on when it is described, so looks bound the wait there; seconds elsewhere.


def test_a_status_moto_never_reaches_is_given_up_after_a_number_of_looks_not_seconds(clock: Clock) -> None:
    check = answers({"Status": "creating"})

    found = eventually(check, EMULATOR, until=lambda r: r["Status"] == "available", **TRANSITION)

    assert found == {"Status": "creating"}
    assert check.calls == STATUS_LOOKS == 20
    assert set(clock.pauses) == {STATUS_LOOK_PAUSE} and clock.now - 1000.0 < 0.5


def test_a_status_moto_reaches_after_some_describes_is_found(clock: Clock) -> None:
    check = answers("creating", "creating", "creating", "available", "late")

    assert eventually(check, EMULATOR, until=lambda s: s == "available", **NETWORK_CHANGE) == "available"
    assert check.calls == 4


def test_a_status_wait_lasts_its_seconds_on_an_emulator_with_a_clock_and_on_aws(clock: Clock) -> None:
    eventually(answers(None), CLOCKED, **TRANSITION)
    assert clock.now - 1000.0 >= TRANSITION["emulator_seconds"] == 2.0

    eventually(answers(None), AWS, **TRANSITION)
    assert clock.now - 1002.0 >= TRANSITION["aws_seconds"]


def test_a_wait_on_the_clock_keeps_its_seconds_on_moto(clock: Clock) -> None:
    check = answers(None)

    eventually(check, EMULATOR, **{**TRANSITION, "status": False})

    assert clock.now - 1000.0 >= TRANSITION["emulator_seconds"]


def test_a_single_look_stays_a_single_look_for_a_status(clock: Clock) -> None:
    check = answers(None)

    assert eventually(check, EMULATOR, status=True) is None
    assert check.calls == 1


def test_aws_is_polled_at_the_interval_until_the_check_holds(clock: Clock) -> None:
    check = answers(0, None, "ready", "late")

    assert eventually(check, AWS, aws_seconds=600.0, interval=10.0) == "ready"
    assert clock.pauses == [10.0, 10.0]


def test_aws_gives_up_with_the_last_answer_when_its_bound_runs_out(clock: Clock) -> None:
    check = answers(None)

    assert eventually(check, AWS, aws_seconds=6.0, interval=2.0) is None
    assert check.calls == 4  # at 0, 2, 4 and 6 s
    assert eventually(answers(None), AWS) is None and clock.now - 1006.0 >= waits.AWS_SECONDS


def test_until_decides_when_the_answer_holds_and_the_last_answer_comes_back_either_way(clock: Clock) -> None:
    statuses = answers({"Status": "CREATING"}, {"Status": "OPERATIONAL"}, {"Status": "late"})
    refused = answers("InvalidArgument")

    found = eventually(statuses, AWS, until=lambda r: r["Status"] != "CREATING")
    assert found == {"Status": "OPERATIONAL"}
    assert eventually(refused, EMULATOR, until=lambda code: code != "InvalidArgument") == "InvalidArgument"
    assert eventually(answers(0, 0, 1), AWS, until=lambda n: n == 0) == 0  # a falsy answer can hold too


def test_named_patience_unpacks_into_the_keywords(clock: Clock) -> None:
    eventually(answers(None), EMULATOR, **MAPPING, interval=0.5)
    assert (
        clock.now - 1000.0 == pytest.approx(MAPPING["emulator_seconds"], abs=0.11)
        and MAPPING["emulator_seconds"] == 20.0
    )

    eventually(answers(None), AWS, **TRANSITION)
    assert set(clock.pauses[-3:]) == {TRANSITION["interval"]} == {10.0}


# --- seconds -------------------------------------------------------------------------------------------------------


def test_a_patience_lasts_its_emulator_bound_on_an_emulator_and_its_aws_bound_on_aws() -> None:
    assert (seconds(MESSAGE, EMULATOR), seconds(MESSAGE, AWS)) == (2.0, 60.0)
    assert (seconds(DELIVERY, EMULATOR), seconds(DELIVERY, AWS)) == (10.0, 180.0)
    assert (seconds(MAPPING, EMULATOR), seconds(MAPPING, AWS)) == (20.0, 300.0)


# --- waiter_config -------------------------------------------------------------------------------------------------


def test_a_waiter_looks_a_few_times_a_second_on_an_emulator_and_every_15_s_on_aws() -> None:
    assert waiter_config(CLOCKED) == {"Delay": WAITER_EMULATOR_DELAY, "MaxAttempts": 12}  # 3 s
    assert waiter_config(AWS) == {"Delay": 15, "MaxAttempts": 40}  # 10 minutes
    assert waiter_config(AWS, aws_seconds=40 * 60) == {"Delay": 15, "MaxAttempts": 160}


def test_a_waiter_on_moto_is_bounded_by_looks_whatever_its_seconds() -> None:
    looks = {"Delay": STATUS_LOOK_PAUSE, "MaxAttempts": STATUS_LOOKS}
    assert waiter_config(EMULATOR) == waiter_config(EMULATOR, emulator_seconds=30) == looks
    assert waiter_config(EMULATOR, **NETWORK_CHANGE) == looks


def test_a_waiter_takes_its_pace_from_the_keywords() -> None:
    assert waiter_config(CLOCKED, aws_seconds=5 * 60, emulator_seconds=30, interval=5) == {
        "Delay": WAITER_EMULATOR_DELAY,
        "MaxAttempts": 120,
    }
    assert waiter_config(AWS, aws_seconds=20 * 60, emulator_seconds=30, interval=20) == {
        "Delay": 20,
        "MaxAttempts": 60,
    }
    assert waiter_config(CLOCKED, **NETWORK_CHANGE) == {"Delay": WAITER_EMULATOR_DELAY, "MaxAttempts": 20}
    assert waiter_config(AWS, **NETWORK_CHANGE) == {"Delay": 1, "MaxAttempts": 300}
    assert waiter_config(AWS, aws_seconds=1, interval=15)["MaxAttempts"] == 1  # at least one look


# --- retry_while ---------------------------------------------------------------------------------------------------


def test_an_emulator_answers_once_even_with_a_refusal_that_would_be_retried_on_aws(clock: Clock) -> None:
    call = refusals("InvalidRoleException", times=1)

    with pytest.raises(ClientError):
        retry_while("InvalidRoleException", call, EMULATOR)
    assert len(call.calls) == 1


def test_aws_retries_every_five_seconds_while_the_call_is_refused_with_one_of_the_codes(clock: Clock) -> None:
    call = refusals("InsufficientDeliveryPolicyException", times=2)

    codes = ("InvalidRoleException", "InsufficientDeliveryPolicyException")
    assert retry_while(codes, call, AWS, ConfigurationRecorder={"name": "r"}) == "done"
    assert call.calls == [{"ConfigurationRecorder": {"name": "r"}}] * 3
    assert clock.pauses == [5.0, 5.0]


def test_another_code_or_a_message_without_the_mention_is_raised_at_once(clock: Clock) -> None:
    other_code = refusals("ValidationException", times=1)
    other_message = refusals("InvalidStructureException", times=1, message="only 1 stage")
    mentioned = refusals("InvalidStructureException", times=1, message="cannot AssumeRole yet")

    with pytest.raises(ClientError, match="ValidationException"):
        retry_while("InvalidRoleException", other_code, AWS)
    with pytest.raises(ClientError):
        retry_while("InvalidStructureException", other_message, AWS, mentions="AssumeRole")
    assert retry_while("InvalidStructureException", mentioned, AWS, mentions="AssumeRole") == "done"
    assert (len(other_code.calls), len(other_message.calls), len(mentioned.calls)) == (1, 1, 2)


def test_aws_gives_up_with_the_last_refusal_when_its_time_runs_out(clock: Clock) -> None:
    call = refusals("InvalidParameterValueException", times=100)

    with pytest.raises(ClientError, match="InvalidParameterValueException"):
        retry_while("InvalidParameterValueException", call, AWS, aws_seconds=60)
    assert len(call.calls) == 13  # at 0, 5, ... 60 s
