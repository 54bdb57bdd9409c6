"""labkit.messaging waits the way AWS needs (patiently, following iterators, until counters settle) and looks
only once on an emulator, so the labs stay fast there and honest on AWS (its waits are labkit.eventually's)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from stand_ins import ClockedEmulator, RealAws

from labkit import eventually, messaging


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(messaging.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(eventually.time, "sleep", lambda seconds: None)


class FakeSqs:
    """Answers GetQueueAttributes from a list of (visible, in flight) pairs, the last one repeating."""

    def __init__(self, answers: list[tuple[int, int]]) -> None:
        self.answers, self.calls = answers, 0

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:  # noqa: N803
        visible, in_flight = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        values = {messaging.VISIBLE: str(visible), messaging.IN_FLIGHT: str(in_flight)}
        return {"Attributes": {name: values[name] for name in AttributeNames}}


class FakeKinesis:
    """Serves GetRecords pages in order, each pointing to the next; AWS may answer empty pages first."""

    def __init__(self, pages: list[list[bytes]]) -> None:
        self.pages, self.calls = pages, 0

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        page = int(ShardIterator)
        self.calls += 1
        more = page + 1 < len(self.pages)
        return {
            "Records": [{"Data": d} for d in self.pages[page]],
            "NextShardIterator": str(page + 1) if more else None,
        }


def test_settled_counts_looks_once_on_an_emulator():
    sqs = FakeSqs([(1, 0), (0, 0)])

    assert messaging.settled_counts(sqs, "q", (0, 0), ClockedEmulator()) == (1, 0)  # what it saw, for the assertion
    assert sqs.calls == 1


def test_settled_counts_reads_again_on_aws_until_the_counters_settle():
    sqs = FakeSqs([(1, 0), (1, 0), (0, 0)])

    assert messaging.settled_counts(sqs, "q", (0, 0), RealAws()) == (0, 0)
    assert sqs.calls == 3


def test_read_records_follows_next_shard_iterator_past_empty_pages():
    kinesis = FakeKinesis([[], [], [b"a"], [b"b", b"c"], [b"d"]])

    records = messaging.read_records(kinesis, "0", 3)

    assert [r["Data"] for r in records] == [b"a", b"b", b"c"]
    assert kinesis.calls == 4  # stopped once it had three: it did not read the last page


def test_read_records_stops_at_a_closed_shards_end():
    kinesis = FakeKinesis([[b"a"], []])

    assert [r["Data"] for r in messaging.read_records(kinesis, "0", 5)] == [b"a"]
    assert kinesis.calls == 2


class QueueOf:
    """ReceiveMessage from a list of bodies: each call takes up to MaxNumberOfMessages; every WaitTimeSeconds kept."""

    def __init__(self, *bodies: str) -> None:
        self.bodies, self.waits = list(bodies), []

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int = 1, WaitTimeSeconds: int = 0) -> Any:  # noqa: N803
        self.waits.append(WaitTimeSeconds)
        taken, self.bodies = self.bodies[:MaxNumberOfMessages], self.bodies[MaxNumberOfMessages:]
        return {"Messages": [{"Body": body} for body in taken]} if taken else {}


class DeliversInTheCall(ClockedEmulator):
    delivers_in_the_call: ClassVar[bool] = True


@pytest.mark.parametrize("backend", [ClockedEmulator(), DeliversInTheCall()], ids=["in the background", "in the call"])
def test_receive_expected_finds_a_stray_message_after_the_expected_ones(backend):
    queue = QueueOf("wanted", "stray")

    received = messaging.receive_expected(queue, "url", 1, backend, grace=0.5)

    assert [m["Body"] for m in received] == ["wanted", "stray"]


def test_receive_expected_does_not_wait_for_strays_where_delivery_happens_in_the_call():
    queue = QueueOf("wanted")

    assert [m["Body"] for m in messaging.receive_expected(queue, "url", 1, DeliversInTheCall())] == ["wanted"]
    assert queue.waits[-1] == 0 and len(queue.waits) == 2  # the expected one, then one look with no wait


@pytest.mark.parametrize("backend", [ClockedEmulator(), DeliversInTheCall()], ids=["in the background", "in the call"])
def test_nothing_more_returns_every_stray(backend):
    queue = QueueOf("stray 1", "stray 2")

    assert [m["Body"] for m in messaging.nothing_more(queue, "url", backend, grace=0.05)] == ["stray 1", "stray 2"]


def test_nothing_more_long_polls_where_messages_arrive_in_the_background(monkeypatch):
    clock = iter(range(1_000))  # each look at the clock, a second later
    monkeypatch.setattr(messaging.time, "monotonic", lambda: next(clock))
    queue = QueueOf()

    assert messaging.nothing_more(queue, "url", ClockedEmulator(), grace=3.0) == []
    assert queue.waits == [1, 1]  # long polls of a second, until the grace is over


def test_nothing_more_looks_once_without_waiting_where_queues_change_in_the_call():
    queue = QueueOf()

    assert messaging.nothing_more(queue, "url", DeliversInTheCall()) == []
    assert queue.waits == [0]


def test_receive_until_long_polls_to_the_end_without_a_loop_of_short_polls(monkeypatch):
    clock = iter(x * 0.4 for x in range(1_000))  # each look at the clock, 0.4 s later
    monkeypatch.setattr(messaging.time, "monotonic", lambda: next(clock))
    queue = QueueOf()

    assert messaging.receive_until(queue, "url", 1, within=2.0) == []
    assert queue.waits == [1, 1, 1, 1]  # at 0.4, 0.8, 1.2 and 1.6 s: every one a long poll
