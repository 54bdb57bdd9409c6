"""Memcached on ElastiCache: a cluster of independent nodes the client spreads keys over (sharding, no replication),
placed in one zone or across several, found by clients through one configuration endpoint (auto discovery), never
persisted, so never snapshotted. A Redis cache cluster, by contrast, is a single node: Redis grows by replicas and
shards in a replication group (see redis_replication)."""

from __future__ import annotations

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.report import show_table

CLUSTER_DOC = "botocore:elasticache/2015-02-02#CacheCluster"
CC_MESSAGE = "botocore:elasticache/2015-02-02#CreateCacheClusterMessage"


def nodes(cluster):
    """(node id, zone) of each node of a cluster described with its node info."""
    return [(n["CacheNodeId"], n.get("CustomerAvailabilityZone")) for n in cluster.get("CacheNodes", [])]


@pytest.mark.diverges(("moto", "moto-server"), "lists no cache nodes for a cluster", evidence=CLUSTER_DOC)
def test_a_memcached_cluster_has_the_nodes_it_asked_for(cache_cluster):
    cluster = cache_cluster(Engine="memcached", NumCacheNodes=3)

    show_table("the Memcached cluster's nodes", ["node", "zone"], nodes(cluster))
    assert cluster["NumCacheNodes"] == 3
    assert sorted(node for node, _ in nodes(cluster)) == ["0001", "0002", "0003"]


@pytest.mark.diverges(("moto", "moto-server"), "lists no cache nodes for a cluster", evidence=CC_MESSAGE)
@pytest.mark.diverges("ministack", "puts every node in the region's first zone", evidence=CC_MESSAGE)
def test_cross_az_mode_puts_the_nodes_in_the_zones_asked_for(cache_cluster, cache_subnets):
    cluster = cache_cluster(
        Engine="memcached", NumCacheNodes=3, AZMode="cross-az", PreferredAvailabilityZones=cache_subnets["zones"]
    )

    assert sorted(zone for _, zone in nodes(cluster)) == sorted(cache_subnets["zones"])


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"), "gives a Memcached cluster no configuration endpoint", evidence=CLUSTER_DOC
)
def test_a_memcached_cluster_has_one_configuration_endpoint_for_auto_discovery(cache_cluster):
    cluster = cache_cluster(Engine="memcached", NumCacheNodes=2)

    endpoint = cluster.get("ConfigurationEndpoint") or {}
    assert ".cfg." in endpoint.get("Address", "")  # clients ask it for the current list of nodes


def test_a_memcached_cluster_can_have_more_than_the_notes_20_nodes(cache_cluster):
    cluster = cache_cluster(Engine="memcached", NumCacheNodes=21)

    assert (cluster["CacheClusterStatus"], cluster["NumCacheNodes"]) == ("available", 21)


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "snapshots a Memcached cluster; AWS answers SnapshotFeatureNotSupportedFault (Memcached keeps nothing on disk)",
    evidence="botocore:elasticache/2015-02-02#SnapshotFeatureNotSupportedFault",
)
def test_a_memcached_cluster_cannot_be_snapshotted(elasticache, cache_cluster, unique_name):
    cluster = cache_cluster(Engine="memcached", NumCacheNodes=1)

    code = error_code(
        elasticache.create_snapshot, CacheClusterId=cluster["CacheClusterId"], SnapshotName=unique_name("backup")
    )

    assert code == "SnapshotFeatureNotSupportedFault"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates a Redis cache cluster of 2 nodes; AWS allows exactly 1",
    evidence=CC_MESSAGE,
)
def test_a_redis_cache_cluster_has_exactly_one_node(elasticache, cache_subnets, unique_name):
    code = error_code(
        elasticache.create_cache_cluster, CacheClusterId=unique_name("redis"), Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheNodes=2, CacheSubnetGroupName=cache_subnets["group"],
    )  # fmt: skip

    assert code != ALLOWED  # the rule is documented; the error code is not
