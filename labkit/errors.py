"""Reading AWS errors in a lab: the error code, the one thing a lab asserts about a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

ALLOWED = "allowed"


def error_code(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The error code ``call(*args, **kwargs)`` fails with (``AccessDenied``, ``ValidationException``...), or
    ``"allowed"`` when it succeeds, so one assertion reads either way: ``assert error_code(...) == "AccessDenied"``."""
    try:
        call(*args, **kwargs)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return ALLOWED
