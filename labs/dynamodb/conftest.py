"""Fixtures shared by the DynamoDB labs."""

from __future__ import annotations

import pytest


@pytest.fixture
def dynamodb(aws_client):
    """The DynamoDB client of the selected backend."""
    return aws_client("dynamodb")


def _item_size(plain: dict) -> int:
    """An item's size as DynamoDB counts it (its docs, "DynamoDB item sizes and formats"): for each attribute,
    the UTF-8 bytes of its name plus its value: UTF-8 bytes of a string, raw bytes of a binary."""
    size = 0
    for name, value in plain.items():
        if isinstance(value, str):
            size += len(name.encode()) + len(value.encode())
        elif isinstance(value, bytes):
            size += len(name.encode()) + len(value)
        else:
            raise TypeError(f"{name}: only strings and binaries are sized exactly, not {type(value).__name__}")
    return size


@pytest.fixture
def item_size():
    """``item_size({"id": "a", "blob": "xx"})`` -> 9: attribute names plus values, in bytes."""
    return _item_size


@pytest.fixture
def item_of_size():
    """``item_of_size(3072)`` -> ``{"id": "big", "blob": "xxx..."}``: exactly 3,072 bytes by DynamoDB's count."""

    def make(size: int, key: str = "big") -> dict:
        item = {"id": key, "blob": ""}
        item["blob"] = "x" * (size - _item_size(item))
        assert _item_size(item) == size
        return item

    return make
