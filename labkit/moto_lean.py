"""Work moto does that no lab can see, left undone: every answer stays moto's own.

- **KMS key pairs.** moto gives every KMS key a private key, for Sign, Verify and GetPublicKey. For an RSA or ECC
  key it is the key's own; for a symmetric, HMAC or SM2 key it is a 2,048-bit RSA key made in CreateKey, which the
  labs never use. Making one took 12-77 ms (median 35 ms of 20 here; the labs make 55, ``labs/dynamodb`` 7). Those
  keys now make theirs on first use; RSA and ECC keys still make theirs in CreateKey, as moto does.
- **The account behind an access key.** On every request moto looks for the caller's access key in the IAM
  backend of each of the six AWS partitions, and looking creates the ones not made yet: after each test's reset,
  six IAM backends, each with AWS's ~1,300 managed policies where a lab asks moto to load them (``labs/config``:
  6.5-7.4 s, 1.9-2.1 s without). A backend not made yet holds no access keys, so the lookup now skips those.
- **Cognito's signing key.** Every user pool moto creates imports the same RSA key from the same JSON file to
  sign its tokens, and the import checks the key: 100-235 ms a pool here (the labs create 18). The key is imported
  once and shared: it is only ever used to sign.
- **Which method answers an action.** For every request moto lists the public functions of the service's response
  class with ``inspect.getmembers`` (EC2's: 0.66 ms a request, ~2.5 s of a serial ``pytest labs``). A class's
  functions do not change while it serves, so each class's list is made once.
- **Random hex ids.** moto draws EC2's ids one hex digit at a time; each EC2 backend it makes (one a region a
  test) gives its ~74 images a volume and a snapshot, ~80,000 ids a serial run at 11 us each. They are drawn
  as one number from the same seedable generator instead: the same lengths and alphabet, each string as likely.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

from labkit.import_hooks import when_imported

#: Key specs whose private key is the key's own: made at once, as moto does.
ASYMMETRIC_PREFIXES = ("RSA_", "ECC_")


def apply() -> None:
    """Leave all three undone, in each moto module once it is imported (idempotent)."""
    when_imported("moto.kms.models", _defer_key_pairs)
    when_imported("moto.iam.models", _skip_unmade_partitions)
    when_imported("moto.cognitoidp.models", _import_keys_once)
    when_imported("moto.core.responses", _remember_action_names)
    when_imported("moto.ec2.utils", _draw_hex_ids_at_once)


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


def _defer_key_pairs(models: ModuleType) -> None:
    """Have moto's symmetric, HMAC and SM2 keys make their unused RSA key pair on first use."""
    make = getattr(models, "generate_private_key")  # noqa: B009 - imported there, not exported
    if isinstance(make, functools.partial):  # done already
        return
    setattr(models, "generate_private_key", functools.partial(_private_key, make))  # noqa: B010


def _private_key(make: Callable[[str], Any], key_spec: str) -> Any:
    if key_spec.startswith(ASYMMETRIC_PREFIXES):
        return make(key_spec)
    return PrivateKeyOnFirstUse(make, key_spec)


def _skip_unmade_partitions(models: ModuleType) -> None:
    """Have moto find the account of an access key without creating an IAM backend in every partition."""
    models.get_account_id_from = _account_id_from  # type: ignore[attr-defined]  # moto imports it at each call


def _account_id_from(access_key: str) -> str:
    """moto's ``get_account_id_from``, looking only in partitions whose IAM backend exists (the others have no keys)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.utilities.utils import PARTITION_NAMES

    for account_id, account in list(iam_backends.items()):  # a copy, as in moto: another thread may add one
        for partition in PARTITION_NAMES:
            # keys(): `in` on moto's AccountSpecificBackend is also true of partitions not made yet
            if partition in account.keys() and access_key in account[partition].access_keys:  # noqa: SIM118
                return account_id
    return DEFAULT_ACCOUNT_ID


class _ImportedOnce:
    """Delegates to ``imported`` (a module or class), with ``import_key`` remembering what each JSON key gave."""

    def __init__(self, imported: Any) -> None:
        self._imported = imported
        self._keys: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._imported, name)

    def import_key(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(value, dict):
            return self._imported.import_key(value, *args, **kwargs)
        text = json.dumps(value, sort_keys=True)
        if text not in self._keys:
            self._keys[text] = self._imported.import_key(value)
        return self._keys[text]


class _JwkModule:
    """joserfc's ``jwk`` module as moto's Cognito sees it: ``RSAKey.import_key`` imports each key once."""

    def __init__(self, jwk: Any) -> None:
        self._jwk = jwk
        self.RSAKey = _ImportedOnce(jwk.RSAKey)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jwk, name)


def _import_keys_once(models: ModuleType) -> None:
    """Have moto's Cognito import its user pools' signing key once, not once a pool."""
    jwk = getattr(models, "jwk")  # noqa: B009 - imported there, not exported
    if not isinstance(jwk, _JwkModule):
        setattr(models, "jwk", _JwkModule(jwk))  # noqa: B010


def _remember_action_names(responses: ModuleType) -> None:
    """Have moto list each response class's functions once, not on every request."""
    listed = getattr(responses, "method_names_from_class")  # noqa: B009 - imported there, not exported
    if not hasattr(listed, "cache_clear"):  # not done already
        # a frozenset: a cached answer nobody can change, and ``in`` on it is a hash lookup
        setattr(responses, "method_names_from_class", functools.cache(lambda clazz: frozenset(listed(clazz))))  # noqa: B010


def _draw_hex_ids_at_once(utils: ModuleType) -> None:
    """Have moto's EC2 draw a hex id as one random number, from its own seedable generator."""
    setattr(utils, "random_resource_id", _random_hex)  # noqa: B010


def _random_hex(size: int = 8) -> str:
    """``size`` hex digits, each of the 16 equally likely, as ``moto.ec2.utils.random_resource_id`` gives."""
    from moto.moto_api._internal import mock_random

    return f"{mock_random.getrandbits(4 * size):0{size}x}" if size > 0 else ""
