"""moto's KMS keys, with the RSA key pair moto gives a symmetric key made only if something uses it.

moto gives every KMS key a private key, for Sign, Verify and GetPublicKey. For an RSA or ECC key it is the key's
own; for a symmetric key, an HMAC key or an SM2 key it is a 2,048-bit RSA key that moto makes in CreateKey, and
that the labs never use. Making one took 12-77 ms (median 35 ms of 20 here; the labs make 55,
``labs/dynamodb`` 7). Those keys now make theirs on first use, so whatever moto answers is unchanged; RSA and ECC
keys still make their pair in CreateKey, as moto does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

#: Key specs whose private key is the key's own: made at once, as moto does.
ASYMMETRIC_PREFIXES = ("RSA_", "ECC_")


class PrivateKeyOnFirstUse:
    """Stands for the private key moto would make for ``key_spec``, and makes it the first time it is used."""

    def __init__(self, make: Callable[[str], Any], key_spec: str) -> None:
        self._make = make
        self.key_spec = key_spec

    @functools.cached_property
    def made(self) -> Any:
        """moto's own private key for this key spec."""
        return self._make(self.key_spec)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("made", "_make"):  # copy, pickle and friends: not a use of the key
            raise AttributeError(name)
        return getattr(self.made, name)


def make_key_pairs_on_first_use() -> None:
    """Have moto's symmetric, HMAC and SM2 keys make their unused RSA key pair on first use (idempotent)."""
    from moto.kms import models

    make = getattr(models, "generate_private_key")  # noqa: B009 - imported there, not exported
    if isinstance(make, functools.partial):  # done already
        return
    setattr(models, "generate_private_key", functools.partial(_private_key, make))  # noqa: B010


def _private_key(make: Callable[[str], Any], key_spec: str) -> Any:
    if key_spec.startswith(ASYMMETRIC_PREFIXES):
        return make(key_spec)
    return PrivateKeyOnFirstUse(make, key_spec)
