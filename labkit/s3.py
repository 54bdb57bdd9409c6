"""S3 helpers shared by the labs: what an S3 error body says, when a lab talks plain HTTP to S3."""

from __future__ import annotations

import re

_CODE = re.compile(r"<Code>([^<]*)</Code>")
_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


def xml_error(body: bytes | str) -> tuple[str | None, str | None]:
    """``(Code, Message)`` from an S3 XML error body such as ``<Error><Code>AccessDenied</Code>...``;
    ``(None, None)`` for a body that is not an S3 error (an empty 403, a success)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    code, message = _CODE.search(text), _MESSAGE.search(text)
    return (code.group(1) if code else None, message.group(1) if message else None)
