"""A small consumer of Aurora database activity stream records: it decodes each Kinesis record and keeps the
activity events of one class (``READ`` for SELECTs, ``WRITE`` for INSERT/UPDATE/DELETE, and so on).

It expects the *decrypted* record shape, as the note shows it. On AWS, ``databaseActivityEvents`` arrives
as a base64 string encrypted with a data key, and ``key`` holds that data key encrypted with the stream's
KMS key: a real consumer first decrypts ``key`` with KMS, then decrypts (and decompresses) the events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def activity_events(kinesis_records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every activity event in the Kinesis records, in order, skipping heartbeats and other record types."""
    events: list[dict[str, Any]] = []
    for record in kinesis_records:
        document = json.loads(record["Data"])
        if document.get("type") != "DatabaseActivityMonitoringRecords":
            continue
        body = document["databaseActivityEvents"]
        if isinstance(body, str):
            raise ValueError("databaseActivityEvents is still encrypted: decrypt it with the KMS data key first")
        events.extend(event for event in body["databaseActivityEventList"] if event.get("type") == "record")
    return events


def events_of_class(kinesis_records: Iterable[dict[str, Any]], activity_class: str = "READ") -> list[dict[str, Any]]:
    """The activity events whose ``class`` is ``activity_class``."""
    return [event for event in activity_events(kinesis_records) if event.get("class") == activity_class]
