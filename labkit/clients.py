"""boto3 clients shared by the tests of a run, on backends that keep no per-test client state.

Making a client costs 2-10 ms (botocore builds its class and copies the session's event handlers every time) and a
run of the labs asks for ~1,700 of them. A client holds no AWS state, only its settings and its event handlers, so
one per service can serve every test. The one thing a test can change on it is its handlers: a client whose
handlers a test registered or unregistered is dropped when that test ends, and the next test gets a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

#: The emitter methods that change a client's handlers.
CHANGES_HANDLERS = ("register", "register_first", "register_last", "unregister")


class SharedClients:
    """Clients (or resources) by key, made once; :meth:`drop_changed` forgets those whose handlers changed."""

    def __init__(self) -> None:
        self._made: dict[Hashable, Any] = {}
        self._changed: set[Hashable] = set()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The client kept under ``key``, made by ``make()`` the first time."""
        if key not in self._made:
            made = make()
            _on_handler_change(_emitter_of(made), lambda: self._changed.add(key))
            self._made[key] = made
        return self._made[key]

    def drop_changed(self) -> None:
        """Forget every client whose handlers changed since it was made: the next ``get`` makes a new one."""
        for key in self._changed:
            self._made.pop(key, None)
        self._changed.clear()

    def __len__(self) -> int:
        return len(self._made)


def _emitter_of(made: Any) -> Any:
    """The event emitter of a client, or of a resource's client."""
    client = made.meta.client if hasattr(made.meta, "client") else made
    return client.meta.events


def _on_handler_change(emitter: Any, changed: Callable[[], None]) -> None:
    """Call ``changed()`` whenever a handler is registered on or unregistered from ``emitter``."""
    for name in CHANGES_HANDLERS:
        original = getattr(emitter, name)

        def wrapper(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            changed()
            return _original(*args, **kwargs)

        setattr(emitter, name, wrapper)
