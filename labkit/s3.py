"""S3 helpers shared by the labs: what an S3 error body says, waiting for a restore, and reaching S3 Control
(account-prefixed hosts) and website endpoints on a local emulator."""

from __future__ import annotations

import re
import time
from typing import Any

from labkit.backends import Backend

_CODE = re.compile(r"<Code>([^<]*)</Code>")
_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")

#: How long a restore may take: Expedited retrievals from GLACIER typically finish within 1-5 minutes on AWS;
#: an emulator restores at once (moto, LocalStack) or after a couple of seconds (MiniStack).
RESTORE_WAIT_ON_AWS = 900.0
RESTORE_WAIT_ON_EMULATOR = 3.0


def xml_error(body: bytes | str) -> tuple[str | None, str | None]:
    """``(Code, Message)`` from an S3 XML error body such as ``<Error><Code>AccessDenied</Code>...``;
    ``(None, None)`` for a body that is not an S3 error (an empty 403, a success)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    code, message = _CODE.search(text), _MESSAGE.search(text)
    return (code.group(1) if code else None, message.group(1) if message else None)


def wait_for_restore(s3: Any, bucket: str, key: str, backend: Backend, *, interval: float = 0.25) -> str | None:
    """The object's ``Restore`` header once it says ``ongoing-request="false"`` (the temporary copy is readable),
    or its last value when the wait runs out: 15 minutes on AWS, 3 seconds on an emulator."""
    timeout = RESTORE_WAIT_ON_EMULATOR if backend.is_emulator else RESTORE_WAIT_ON_AWS
    pause = interval if backend.is_emulator else max(interval, 15.0)
    deadline = time.monotonic() + timeout
    while True:
        restore: str | None = s3.head_object(Bucket=bucket, Key=key).get("Restore")
        if (restore and 'ongoing-request="false"' in restore) or time.monotonic() >= deadline:
            return restore
        time.sleep(pause)
