"""Redis on ElastiCache: a replication group is one primary and up to five replicas, in different zones; with
automatic failover a replica takes over when the primary fails (which needs a replica to exist). Cluster mode splits
the key space into shards, each its own primary and replicas, and a configuration endpoint gives clients the map.
Redis data can be snapshotted. No emulator here runs Redis itself (MiniStack would, with Docker), so the lab shows
the topology and the rules AWS applies, not reads and writes."""

from __future__ import annotations

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.eventually import eventually
from labkit.report import show_table

RG_MESSAGE = "botocore:elasticache/2015-02-02#CreateReplicationGroupMessage"
NODE_GROUP = "botocore:elasticache/2015-02-02#NodeGroup"


def members(group):
    """(cache cluster, role, zone) of each member of a cluster-mode-disabled group's one node group."""
    return [
        (m["CacheClusterId"], m.get("CurrentRole"), m.get("PreferredAvailabilityZone"))
        for m in group["NodeGroups"][0]["NodeGroupMembers"]
    ]


@pytest.fixture
def three_nodes(replication_group, cache_subnets):
    """A primary and two replicas, one per zone, with automatic failover and Multi-AZ."""
    return replication_group(
        NumCacheClusters=3, PreferredCacheClusterAZs=cache_subnets["zones"],
        AutomaticFailoverEnabled=True, MultiAZEnabled=True,
    )  # fmt: skip


@pytest.fixture
def sharded(replication_group):
    """Cluster mode: three shards of a primary and one replica."""
    return replication_group(
        ClusterMode="enabled", NumNodeGroups=3, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True,
        CacheParameterGroupName="default.redis7.cluster.on",
    )  # fmt: skip


# --- a primary and its replicas ---------------------------------------------------------------------------------------


@pytest.mark.diverges(
    ("moto", "moto-server"), "makes a group of one member: it ignores NumCacheClusters", evidence=RG_MESSAGE
)
def test_a_group_of_three_is_a_primary_and_two_replicas_one_per_zone(three_nodes, cache_subnets):
    found = members(three_nodes)

    show_table("the replication group", ["cache cluster", "role", "zone"], found)
    assert sorted(role for _, role, _ in found) == ["primary", "replica", "replica"]
    assert sorted(zone for _, _, zone in found) == sorted(cache_subnets["zones"])


def test_multi_az_with_automatic_failover_is_accepted_and_stored(three_nodes):
    assert (three_nodes["AutomaticFailover"], three_nodes["MultiAZ"]) == ("enabled", "enabled")


@pytest.mark.diverges(("moto", "moto-server"), "gives no reader endpoint", evidence=NODE_GROUP)
@pytest.mark.diverges("ministack", "gives both endpoints the one address of its shared Redis", evidence=NODE_GROUP)
def test_a_group_has_a_primary_endpoint_and_a_separate_reader_endpoint(three_nodes):
    node_group = three_nodes["NodeGroups"][0]

    primary, reader = node_group["PrimaryEndpoint"]["Address"], node_group["ReaderEndpoint"]["Address"]
    assert primary != reader  # writes go to the primary; the reader endpoint spreads reads over the replicas


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates a one-node group with automatic failover; AWS refuses it: a failover needs a replica to promote",
    evidence=f"{RG_MESSAGE} ; botocore:elasticache/2015-02-02#CreateReplicationGroup",
)
def test_automatic_failover_needs_at_least_one_replica(elasticache, cache_subnets, unique_name):
    code = error_code(
        elasticache.create_replication_group, ReplicationGroupId=unique_name("redis"),
        ReplicationGroupDescription="lab", CacheNodeType="cache.t3.micro", Engine="redis",
        CacheSubnetGroupName=cache_subnets["group"], NumCacheClusters=1, AutomaticFailoverEnabled=True,
    )  # fmt: skip

    assert code == "InvalidParameterCombination"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates a group of 7 nodes; AWS allows at most 6 (a primary and 5 replicas)",
    evidence=RG_MESSAGE,
)
def test_a_group_has_at_most_five_replicas(elasticache, cache_subnets, unique_name):
    code = error_code(
        elasticache.create_replication_group, ReplicationGroupId=unique_name("redis"),
        ReplicationGroupDescription="lab", CacheNodeType="cache.t3.micro", Engine="redis",
        CacheSubnetGroupName=cache_subnets["group"], NumCacheClusters=7,
    )  # fmt: skip

    assert code != ALLOWED  # the maximum is documented; the error code is not


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "has no TestFailover: the primary never changes",
    evidence="botocore:elasticache/2015-02-02#TestFailover",
)
def test_a_failover_promotes_a_replica_to_primary(elasticache, three_nodes, backend):
    name = three_nodes["ReplicationGroupId"]
    before = next(cluster for cluster, role, _ in members(three_nodes) if role == "primary")

    elasticache.test_failover(ReplicationGroupId=name, NodeGroupId=three_nodes["NodeGroups"][0]["NodeGroupId"])

    def primary_now():
        group = elasticache.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"][0]
        return next(cluster for cluster, role, _ in members(group) if role == "primary")

    after = eventually(
        lambda: primary_now() != before and primary_now(), backend, aws_seconds=1800, emulator_seconds=2, interval=10
    )
    assert after and after != before


# --- cluster mode -----------------------------------------------------------------------------------------------------


def test_cluster_mode_makes_three_shards_of_a_primary_and_a_replica(sharded):
    shards = sharded["NodeGroups"]

    assert sharded["ClusterEnabled"] is True
    assert [len(shard["NodeGroupMembers"]) for shard in shards] == [2, 2, 2]
    assert sharded["ConfigurationEndpoint"]["Address"]  # clients ask it which shard holds which slots


@pytest.mark.diverges("ministack", "gives the shards no slot ranges", evidence=f"{NODE_GROUP} ; {RG_MESSAGE}")
def test_the_shards_share_out_the_16384_hash_slots(sharded):
    ranges = sorted(
        tuple(int(end) for end in part.split("-"))
        for shard in sharded["NodeGroups"]
        for part in (shard.get("Slots") or "").split(",")
        if part
    )

    show_table("hash slots", ["from", "to"], ranges)
    assert ranges[0][0] == 0 and ranges[-1][1] == 16383
    # each range starts right after the one before: no gap, no overlap
    assert all(after[0] == before[1] + 1 for before, after in zip(ranges, ranges[1:], strict=False))


def test_a_manual_snapshot_of_a_sharded_group_becomes_available(elasticache, sharded, unique_name, backend):
    name = unique_name("backup")

    elasticache.create_snapshot(ReplicationGroupId=sharded["ReplicationGroupId"], SnapshotName=name)

    snapshot = eventually(
        lambda: elasticache.describe_snapshots(SnapshotName=name)["Snapshots"][0],
        backend,
        until=lambda found: found["SnapshotStatus"] != "creating",
        aws_seconds=15 * 60,
        emulator_seconds=2,
        interval=10,
    )
    assert (snapshot["SnapshotStatus"], snapshot["SnapshotSource"]) == ("available", "manual")
