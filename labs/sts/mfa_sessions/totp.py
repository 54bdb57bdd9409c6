"""The six-digit codes of a virtual MFA device (TOTP, RFC 6238: HMAC-SHA1 over 30-second windows).

An authenticator app computes exactly this from the device's Base32 seed; the lab computes it instead of a
phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def code(seed_base32: bytes | str, window_offset: int = 0, now: float | None = None) -> str:
    """The code for the 30-second window ``window_offset`` windows from the current one."""
    key = base64.b32decode(seed_base32)
    counter = int((time.time() if now is None else now) // 30) + window_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"
