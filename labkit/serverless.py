"""Lambda as the glue of serverless AWS: what the serverless labs share.

- Waits that poll on every backend, emulators included. An event source mapping starts polling, a retried
  event comes back and a trigger delivers in the background everywhere: within seconds on an emulator,
  within minutes on AWS (a failed asynchronous event is retried 1 and then 2 minutes later). So a wait has two
  bounds, one per kind of backend (a ``labkit.eventually.Patience``: ``DELIVERY``, ``MAPPING``), and ends as soon
  as the thing arrives.
- ``Inbox``: an SQS queue a function reports what it received to (or a destination, or a dead-letter queue),
  read by the test: the messages are received, deleted and returned, so a test counts exactly what came.
- ``grant``: the execution role's permissions a function needs on AWS (emulators do not check them).
- ``create_mapping``: CreateEventSourceMapping (retried on AWS while the role's new permission has not reached
  Lambda: ``labkit.eventually.retry_while``), then wait until the mapping is Enabled.
- ``invoke_url``: the URL of a deployed REST API stage, on AWS and on an emulator.

These are pytest fixtures too (``inbox``, ``grant``); a lab's conftest.py imports the ones it uses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from labkit.backends import Backend
from labkit.eventually import DELIVERY, MAPPING, Patience, eventually, retry_while, seconds
from labkit.messaging import queue_arn


@dataclass
class Inbox:
    """An SQS queue something writes to and the test reads: ``take(n)`` waits for n messages, deletes them and
    returns their JSON bodies; ``take_all()`` returns whatever is there now."""

    sqs: Any
    url: str
    arn: str
    backend: Backend

    def messages(self, count: int, patience: Patience = DELIVERY) -> list[dict[str, Any]]:
        """Up to ``count`` whole messages (with attributes and message attributes), deleted as they arrive;
        fewer when the patience runs out first."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + seconds(patience, self.backend)
        while len(found) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            found += self._receive(min(10, count - len(found)), wait=max(0, min(5, int(remaining))))
        return found

    def take(self, count: int, patience: Patience = DELIVERY) -> list[Any]:
        """The JSON bodies of up to ``count`` messages, in arrival order (see ``messages``)."""
        return [json.loads(message["Body"]) for message in self.messages(count, patience)]

    def take_until(self, done: Callable[[list[Any]], bool], patience: Patience = DELIVERY) -> list[Any]:
        """JSON bodies, received (and deleted) one at a time until ``done(bodies so far)`` or the patience runs out;
        what arrives later stays in the queue."""
        found: list[Any] = []
        deadline = time.monotonic() + seconds(patience, self.backend)
        while not done(found):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            found += [json.loads(m["Body"]) for m in self._receive(1, wait=max(0, min(5, int(remaining))))]
        return found

    def take_all(self) -> list[Any]:
        """The JSON bodies of every message waiting now: receives until a one-second long poll finds nothing
        (long polling asks every SQS server, so an empty answer means an empty queue)."""
        found: list[dict[str, Any]] = []
        while batch := self._receive(10, wait=1):
            found += batch
        return [json.loads(message["Body"]) for message in found]

    def _receive(self, count: int, *, wait: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        batch: list[dict[str, Any]] = response.get("Messages", [])
        for message in batch:
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return batch


def new_inbox(sqs: Any, name: str, backend: Backend, **attributes: str) -> Inbox:
    """Create the queue ``name`` (with SQS ``attributes``) and return it as an Inbox."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return Inbox(sqs, url, queue_arn(sqs, url), backend)


def grant_statements(iam: Any, role_arn: str, name: str, statements: Iterable[tuple[list[str], list[str]]]) -> None:
    """Add an inline policy ``name`` to the role: each (actions, resources) pair becomes one Allow statement."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": resources} for actions, resources in statements
        ],
    }
    iam.put_role_policy(RoleName=role_arn.rsplit("/", 1)[-1], PolicyName=name, PolicyDocument=json.dumps(document))


#: What AWS answers while a role's new permission has not reached Lambda, which checks it when a mapping or a
#: destination is configured (for SQS: ReceiveMessage, SendMessage; for a stream: GetRecords): seconds, retried.
ROLE_NOT_READY = "InvalidParameterValueException"


def create_mapping(lam: Any, backend: Backend, **parameters: Any) -> dict[str, Any]:
    """CreateEventSourceMapping (retried on AWS for up to a minute while the role's new permission has not reached
    Lambda), then wait until its State is Enabled (polled every 0.5 s for :data:`MAPPING`); returns the create
    call's answer."""
    created: dict[str, Any] = retry_while(ROLE_NOT_READY, lam.create_event_source_mapping, backend, **parameters)
    enabled = eventually(
        lambda: lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled",
        backend,
        **MAPPING,
        interval=0.5,
    )
    assert enabled, f"event source mapping {created['UUID']} is not Enabled"
    return created


def invoke_url(backend: Backend, api_id: str, stage: str, path: str) -> str:
    """Where a deployed REST API stage answers: ``https://{api_id}.execute-api.{region}.amazonaws.com/{stage}{path}``
    on AWS; on an emulator with an endpoint, LocalStack's path form, which MiniStack serves too:
    ``{endpoint}/restapis/{api_id}/{stage}/_user_request_{path}``."""
    if backend.endpoint_url:
        return f"{backend.endpoint_url}/restapis/{api_id}/{stage}/_user_request_{path}"
    return f"https://{api_id}.execute-api.{backend.region}.amazonaws.com/{stage}{path}"


# --- fixtures (a lab's conftest.py imports those it uses) --------------------------------------------------------


@pytest.fixture
def inbox(aws_client: Callable[..., Any], unique_name: Callable[..., str], backend: Backend) -> Callable[..., Inbox]:
    """``inbox("seen", VisibilityTimeout="2")``: a new queue with a unique name, as an Inbox."""

    def make(prefix: str, **attributes: str) -> Inbox:
        return new_inbox(aws_client("sqs"), unique_name(prefix), backend, **attributes)

    return make


@pytest.fixture
def grant(aws_client: Callable[..., Any], lambda_role: str) -> Callable[..., None]:
    """``grant(["sqs:SendMessage"], [queue.arn])``: the functions' execution role may now do that (AWS checks it,
    emulators do not). Each call adds one inline policy to the role used by ``lambda_function``."""
    count = 0

    def allow(actions: list[str], resources: list[str]) -> None:
        nonlocal count
        count += 1
        grant_statements(aws_client("iam"), lambda_role, f"labs-grant-{count}", [(actions, resources)])

    return allow
