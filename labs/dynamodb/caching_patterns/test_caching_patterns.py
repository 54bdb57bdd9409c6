"""Lazy loading vs write-through in front of DynamoDB: DynamoDB round trips counted from botocore's
events, and the stale read that lazy loading allows."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
from cache_patterns import LazyLoadingCache, RoundTrips, WriteThroughCache

from labkit.dynamodb import create_table, to_item
from labkit.report import show, show_table


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server():
    """A real Redis when there is one (REDIS_URL, or redis-server on PATH, started here on a free loopback
    port); otherwise fakeredis, in process. Yields (client, what it is)."""
    import redis

    if os.environ.get("REDIS_URL"):
        client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
        client.ping()
        yield client, f"Redis at REDIS_URL ({os.environ['REDIS_URL']})"
        return
    binary = shutil.which("redis-server")
    if binary:
        port = _free_port()
        process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    process.terminate()
                    raise
                time.sleep(0.05)
        yield client, f"redis-server started on 127.0.0.1:{port}"
        process.terminate()
        process.wait(timeout=5)
        return
    import fakeredis

    yield fakeredis.FakeRedis(decode_responses=True), "fakeredis (in process; no Redis found)"


@pytest.fixture
def cache(redis_server):
    client, what = redis_server
    show(f"cache: {what}")
    return client


@pytest.fixture
def products(dynamodb, unique_name):
    """A products table (its unique name also keeps cache keys apart) holding one product."""
    name = unique_name("products")
    create_table(dynamodb, name, partition_key=("sku", "S"))
    dynamodb.put_item(TableName=name, Item=to_item({"sku": "p1", "price": "10"}))
    return name


def update_price_behind_the_cache(dynamodb, table, price):
    """Another writer changes the item in DynamoDB directly, not through the cache."""
    dynamodb.update_item(
        TableName=table,
        Key=to_item({"sku": "p1"}),
        UpdateExpression="SET price = :p",
        ExpressionAttributeValues={":p": {"S": price}},
    )


def test_lazy_loading_reads_dynamodb_once_then_serves_the_cache(dynamodb, products, cache):
    trips = RoundTrips(dynamodb)
    lazy = LazyLoadingCache(cache, dynamodb, products, "sku", consistent_read=True)

    prices = [lazy.get("p1")["price"] for _ in range(5)]

    assert prices == ["10"] * 5
    assert trips.calls == {"GetItem": 1}  # the first read missed; four hits never reached DynamoDB


def test_lazy_loading_serves_a_stale_item_after_a_direct_update(dynamodb, products, cache):
    lazy = LazyLoadingCache(cache, dynamodb, products, "sku", consistent_read=True)
    lazy.get("p1")

    update_price_behind_the_cache(dynamodb, products, "12")

    assert lazy.get("p1")["price"] == "10"  # stale: the cache still holds the old item
    stored = dynamodb.get_item(TableName=products, Key=to_item({"sku": "p1"}), ConsistentRead=True)["Item"]
    assert stored["price"]["S"] == "12"


def test_ttl_expiry_ends_the_stale_read(dynamodb, products, cache, backend):
    # The entry must outlive the two DynamoDB calls before the stale read: milliseconds on an emulator, up to a
    # few hundred on AWS over the internet.
    ttl_ms = 100 if backend.is_emulator else 300
    lazy = LazyLoadingCache(cache, dynamodb, products, "sku", ttl_ms=ttl_ms, consistent_read=True)
    lazy.get("p1")
    update_price_behind_the_cache(dynamodb, products, "12")
    trips = RoundTrips(dynamodb)

    stale = lazy.get("p1")["price"]
    deadline = time.monotonic() + 2
    while cache.exists(f"{products}:p1") and time.monotonic() < deadline:
        time.sleep(0.02)  # wait for the entry to expire
    fresh = lazy.get("p1")["price"]

    assert (stale, fresh) == ("10", "12")
    assert trips.calls == {"GetItem": 1}  # the read after expiry went back to DynamoDB


def test_write_through_keeps_reads_fresh_without_reading_dynamodb(dynamodb, products, cache):
    through = WriteThroughCache(cache, dynamodb, products, "sku", consistent_read=True)
    through.get("p1")
    trips = RoundTrips(dynamodb)

    through.put({"sku": "p1", "price": "12"})
    price = through.get("p1")["price"]

    assert price == "12"
    assert trips.calls == {"PutItem": 1}  # one write to DynamoDB, and the read was a cache hit


def test_round_trips_for_one_write_then_five_reads(dynamodb, products, cache):
    rows = []
    for pattern in (LazyLoadingCache, WriteThroughCache):
        trips = RoundTrips(dynamodb)
        patterned = pattern(cache, dynamodb, products, "sku", consistent_read=True)
        patterned.put({"sku": f"new-{pattern.__name__}", "price": "5"})
        for _ in range(5):
            patterned.get(f"new-{pattern.__name__}")
        rows.append([pattern.__name__, trips.calls["PutItem"], trips.calls["GetItem"], trips.total()])
        dynamodb.meta.events.unregister("after-call.dynamodb.*", trips._count)
    show_table("DynamoDB round trips for 1 write + 5 reads", ["pattern", "PutItem", "GetItem", "total"], rows)

    assert rows == [["LazyLoadingCache", 1, 1, 2], ["WriteThroughCache", 1, 0, 1]]
