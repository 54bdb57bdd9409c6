"""Backends that stand in for AWS and for an emulator with a clock in tests of labkit's waits: no server, no calls."""

from __future__ import annotations

from typing import ClassVar

from labkit.backends import Backend


class RealAws(Backend):
    """AWS: applies some things later, so waits there are long."""

    name: ClassVar[str] = "real-aws"
    description: ClassVar[str] = "AWS (applies some things later)"

    @property
    def is_emulator(self) -> bool:
        return False


class ClockedEmulator(Backend):
    """An emulator whose statuses move on as time passes (MiniStack, LocalStack), not when described (moto)."""

    name: ClassVar[str] = "clocked-emulator"
    description: ClassVar[str] = "an emulator with a clock"
