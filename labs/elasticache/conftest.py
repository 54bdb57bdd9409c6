"""Fixtures shared by the ElastiCache labs (labkit.data_cleanup, labkit.network): an ElastiCache client whose caches,
snapshots, parameter and subnet groups are undone after each test where state is kept; a cache subnet group over
three zones of a VPC of the lab's own; and factories that create a Redis replication group or a cache cluster and
wait until it is ``available`` (AWS answers ``creating`` and takes several minutes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from labkit import network
from labkit.eventually import waiter_config

#: The smallest current node type, and the Redis version whose parameter group family is ``redis7``.
NODE_TYPE = "cache.t3.micro"
REDIS = {"Engine": "redis", "EngineVersion": "7.1"}


@pytest.fixture
def elasticache(aws_client):
    return aws_client("elasticache")


@pytest.fixture
def cache_subnets(ec2, elasticache, unique_name, backend) -> dict[str, Any]:
    """A cache subnet group with a subnet in each of the region's first three zones: {"group", "zones"}."""
    vpc = network.create_vpc(ec2, "10.20.0.0/16", backend=backend)["VpcId"]
    zones = network.zones(ec2, 3)
    subnets = [
        network.create_subnet(ec2, vpc, f"10.20.{i}.0/24", zone, backend=backend)["SubnetId"]
        for i, zone in enumerate(zones)
    ]
    group = unique_name("caches")
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=group, CacheSubnetGroupDescription="three zones", SubnetIds=subnets
    )
    return {"group": group, "zones": zones}


@pytest.fixture
def replication_group(elasticache, cache_subnets, unique_name, backend) -> Callable[..., dict[str, Any]]:
    """``replication_group(**settings)``: a Redis replication group in the subnet group, ``available``, as
    DescribeReplicationGroups shows it."""

    def make(**settings: Any) -> dict[str, Any]:
        name = settings.pop("ReplicationGroupId", None) or unique_name("redis")
        elasticache.create_replication_group(
            ReplicationGroupId=name, ReplicationGroupDescription="lab", CacheNodeType=NODE_TYPE,
            CacheSubnetGroupName=cache_subnets["group"], **REDIS, **settings,
        )  # fmt: skip
        elasticache.get_waiter("replication_group_available").wait(
            ReplicationGroupId=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
        )
        return dict(elasticache.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"][0])

    return make


@pytest.fixture
def cache_cluster(elasticache, cache_subnets, unique_name, backend) -> Callable[..., dict[str, Any]]:
    """``cache_cluster(**settings)``: a cache cluster in the subnet group, ``available``, as DescribeCacheClusters
    shows it with its nodes."""

    def make(**settings: Any) -> dict[str, Any]:
        name = settings.pop("CacheClusterId", None) or unique_name("cache")
        elasticache.create_cache_cluster(
            CacheClusterId=name, CacheNodeType=NODE_TYPE, CacheSubnetGroupName=cache_subnets["group"], **settings
        )
        elasticache.get_waiter("cache_cluster_available").wait(
            CacheClusterId=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
        )
        found = elasticache.describe_cache_clusters(CacheClusterId=name, ShowCacheNodeInfo=True)
        return dict(found["CacheClusters"][0])

    return make
