"""Two ways to keep a Redis cache in front of a DynamoDB table, and a counter of DynamoDB round trips.

- Lazy loading (cache-aside): read the cache; on a miss read DynamoDB and fill the cache. Writes go to
  DynamoDB only, so the cache can serve an old item until its entry expires (the TTL) or is evicted.
- Write-through: every write goes to DynamoDB and then to the cache, so reads after a write through the
  cache are never stale, at the price of two writes per update and caching items nobody reads.

This is the pattern, not ElastiCache or DAX: any Redis (or an in-process fake of one) plays the cache.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from labkit.dynamodb import from_item, to_item


class RoundTrips:
    """Counts the calls a boto3 client actually made to DynamoDB, by operation name, from botocore's own
    ``after-call`` event (no guessing from our code paths)."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("after-call.dynamodb.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def total(self) -> int:
        return sum(self.calls.values())


class LazyLoadingCache:
    """Cache-aside: the cache is filled on a read miss and left alone on writes."""

    def __init__(
        self,
        redis: Any,
        dynamodb: Any,
        table: str,
        key: str,
        *,
        ttl_ms: int | None = None,
        consistent_read: bool = False,
    ) -> None:
        self.redis, self.dynamodb, self.table, self.key, self.ttl_ms = redis, dynamodb, table, key, ttl_ms
        self.consistent_read = consistent_read  # a miss reads DynamoDB strongly consistent when True

    def _cache_key(self, key_value: str) -> str:
        return f"{self.table}:{key_value}"

    def get(self, key_value: str) -> dict[str, Any] | None:
        cached = self.redis.get(self._cache_key(key_value))
        if cached is not None:
            return dict(json.loads(cached))
        response = self.dynamodb.get_item(
            TableName=self.table, Key=to_item({self.key: key_value}), ConsistentRead=self.consistent_read
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        self._remember(key_value, item)
        return item

    def put(self, item: dict[str, Any]) -> None:
        self.dynamodb.put_item(TableName=self.table, Item=to_item(item))

    def _remember(self, key_value: str, item: dict[str, Any]) -> None:
        self.redis.set(self._cache_key(key_value), json.dumps(item, default=str), px=self.ttl_ms)


class WriteThroughCache(LazyLoadingCache):
    """Write-through: a write goes to DynamoDB, then the same item to the cache."""

    def put(self, item: dict[str, Any]) -> None:
        super().put(item)
        self._remember(str(item[self.key]), item)
