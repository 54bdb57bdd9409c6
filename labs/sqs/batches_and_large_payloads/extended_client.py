"""The SQS extended-client pattern, in a few lines: a payload too big for a message goes to S3, and the message
carries a pointer to it. The consumer follows the pointer; deleting the message deletes the S3 object too.

The pointer has the same shape as the Java Amazon SQS Extended Client Library's, so either side could be
swapped for it: ``["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3BucketName": ..., "s3Key": ...}]``
with the payload's size in the ``ExtendedPayloadSize`` message attribute.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"
SIZE_ATTRIBUTE = "ExtendedPayloadSize"
DEFAULT_THRESHOLD = 256 * 1024  # the Java library's default: offload anything above 256 KiB


@dataclass
class Received:
    """A received message with its full payload, wherever that was stored."""

    body: str
    message: dict[str, Any]
    pointer: dict[str, str] | None  # {"s3BucketName", "s3Key"} when the payload came from S3


def send(sqs: Any, s3: Any, queue_url: str, bucket: str, body: str, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """Send ``body``; above ``threshold`` bytes, store it in ``bucket`` and send a pointer instead."""
    size = len(body.encode("utf-8"))
    if size <= threshold:
        return sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    key = f"sqs-payloads/{uuid.uuid4()}"
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    pointer = [POINTER_CLASS, {"s3BucketName": bucket, "s3Key": key}]
    return sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer),
        MessageAttributes={SIZE_ATTRIBUTE: {"DataType": "Number", "StringValue": str(size)}},
    )


def pointer_of(message: dict[str, Any]) -> dict[str, str] | None:
    """The S3 location a message points to, or None for an ordinary message."""
    if SIZE_ATTRIBUTE not in message.get("MessageAttributes", {}):
        return None
    kind, location = json.loads(message["Body"])
    return location if kind == POINTER_CLASS else None


def receive(sqs: Any, s3: Any, queue_url: str, **kwargs: Any) -> list[Received]:
    """Receive messages and resolve pointers, so the caller sees full payloads either way. A long poll of 1 s
    unless told otherwise: a short poll may come back empty on AWS even when a message is there."""
    kwargs.setdefault("WaitTimeSeconds", 1)
    response = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=[SIZE_ATTRIBUTE], **kwargs)
    received = []
    for message in response.get("Messages", []):
        pointer = pointer_of(message)
        if pointer is None:
            received.append(Received(message["Body"], message, None))
        else:
            stored = s3.get_object(Bucket=pointer["s3BucketName"], Key=pointer["s3Key"])
            received.append(Received(stored["Body"].read().decode("utf-8"), message, pointer))
    return received


def delete(sqs: Any, s3: Any, queue_url: str, item: Received) -> None:
    """Delete the message and, when the payload lived in S3, the object as well."""
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=item.message["ReceiptHandle"])
    if item.pointer is not None:
        s3.delete_object(Bucket=item.pointer["s3BucketName"], Key=item.pointer["s3Key"])
