"""A Redshift cluster is a leader node (it plans queries and gathers results) and compute nodes (they hold the data
and run the plan), reached at one endpoint. Its backups are snapshots: automated ones, kept one day unless told
otherwise (at most 35) and gone with the cluster; manual ones, kept until deleted, even after the cluster. A snapshot
restores into a *new* cluster, never over an existing one, and can be copied to another Region."""

from __future__ import annotations

import pytest

from labkit.errors import ALLOWED, error_code
from labkit.eventually import waiter_config
from labkit.report import show_table

CREATE_CLUSTER = "botocore:redshift/2012-12-01#CreateClusterMessage"

#: The smallest RA3 node; the note's "dense storage" line became RA3 (compute and managed storage apart).
LOGIN = {"NodeType": "ra3.large", "MasterUsername": "labs", "MasterUserPassword": "Not-a-secret-1"}


def describe_cluster(redshift, name):
    return dict(redshift.describe_clusters(ClusterIdentifier=name)["Clusters"][0])


@pytest.fixture
def warehouse(redshift, unique_name, backend):
    """``warehouse(**settings)``: a two-node RA3 cluster (unless settings say otherwise), ``available``, as
    DescribeClusters shows it."""

    def make(**settings):
        name = unique_name("warehouse")
        settings.setdefault("ClusterType", "multi-node")
        if settings["ClusterType"] == "multi-node":
            settings.setdefault("NumberOfNodes", 2)
        redshift.create_cluster(ClusterIdentifier=name, DBName="dev", **LOGIN, **settings)
        redshift.get_waiter("cluster_available").wait(
            ClusterIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
        )
        return describe_cluster(redshift, name)

    return make


def snapshot_of(redshift, cluster, name, backend):
    """A manual snapshot of the cluster, waited for until ``available``."""
    redshift.create_cluster_snapshot(SnapshotIdentifier=name, ClusterIdentifier=cluster)
    redshift.get_waiter("snapshot_available").wait(
        SnapshotIdentifier=name, ClusterIdentifier=cluster, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    return redshift.describe_cluster_snapshots(SnapshotIdentifier=name)["Snapshots"][0]


# --- the cluster ------------------------------------------------------------------------------------------------------


def test_a_cluster_is_creating_then_available_at_an_endpoint_on_port_5439(redshift, unique_name, backend):
    name = unique_name("warehouse")

    created = redshift.create_cluster(ClusterIdentifier=name, ClusterType="single-node", **LOGIN)["Cluster"]
    redshift.get_waiter("cluster_available").wait(
        ClusterIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )

    cluster = describe_cluster(redshift, name)
    assert (created["ClusterStatus"], cluster["ClusterStatus"]) == ("creating", "available")
    assert cluster["Endpoint"]["Port"] == 5439 and cluster["Endpoint"]["Address"]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "lists no nodes for a cluster",
    evidence="botocore:redshift/2012-12-01#ClusterNode",
)
def test_a_two_node_cluster_is_a_leader_and_two_compute_nodes(warehouse):
    cluster = warehouse(NumberOfNodes=2)

    roles = sorted(node["NodeRole"] for node in cluster.get("ClusterNodes", []))
    show_table("nodes", ["role"], [[role] for role in roles])
    assert [role.split("-")[0] for role in roles] == ["COMPUTE", "COMPUTE", "LEADER"]


# --- automated snapshots ----------------------------------------------------------------------------------------------


def test_automated_snapshots_are_kept_one_day_by_default(warehouse):
    assert warehouse(ClusterType="single-node")["AutomatedSnapshotRetentionPeriod"] == 1


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "creates an RA3 cluster with automated snapshots off; AWS keeps them on for RA3 (1 to 35 days)",
    evidence=CREATE_CLUSTER,
)
def test_automated_snapshots_cannot_be_turned_off_on_ra3(redshift, unique_name):
    code = error_code(
        redshift.create_cluster, ClusterIdentifier=unique_name("warehouse"), ClusterType="single-node",
        AutomatedSnapshotRetentionPeriod=0, **LOGIN,
    )  # fmt: skip

    assert code != ALLOWED  # the rule is documented; the error code is not


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "creates a cluster keeping automated snapshots 36 days; AWS allows at most 35",
    evidence=CREATE_CLUSTER,
)
def test_automated_snapshots_are_kept_at_most_35_days(redshift, unique_name):
    code = error_code(
        redshift.create_cluster, ClusterIdentifier=unique_name("warehouse"), ClusterType="single-node",
        AutomatedSnapshotRetentionPeriod=36, **LOGIN,
    )  # fmt: skip

    assert code != ALLOWED  # the maximum is documented; the error code is not


# --- manual snapshots and restores ------------------------------------------------------------------------------------


def test_a_snapshot_restores_into_a_new_cluster_with_the_same_nodes(redshift, warehouse, unique_name, backend):
    source = warehouse(NumberOfNodes=2)
    snapshot = snapshot_of(redshift, source["ClusterIdentifier"], unique_name("nightly"), backend)
    copy = unique_name("restored")

    redshift.restore_from_cluster_snapshot(ClusterIdentifier=copy, SnapshotIdentifier=snapshot["SnapshotIdentifier"])
    redshift.get_waiter("cluster_restored").wait(
        ClusterIdentifier=copy, WaiterConfig=waiter_config(backend, aws_seconds=40 * 60)
    )

    restored = describe_cluster(redshift, copy)
    assert (restored["NodeType"], restored["NumberOfNodes"]) == (source["NodeType"], 2)
    assert restored["Endpoint"]["Address"] != source["Endpoint"]["Address"]  # a second cluster, at its own address


def test_a_snapshot_cannot_be_restored_over_an_existing_cluster(redshift, warehouse, unique_name, backend):
    source = warehouse(ClusterType="single-node")
    snapshot = snapshot_of(redshift, source["ClusterIdentifier"], unique_name("nightly"), backend)

    code = error_code(
        redshift.restore_from_cluster_snapshot, ClusterIdentifier=source["ClusterIdentifier"],
        SnapshotIdentifier=snapshot["SnapshotIdentifier"],
    )  # fmt: skip

    assert code == "ClusterAlreadyExists"


def test_a_manual_snapshot_outlives_its_cluster(redshift, warehouse, unique_name, backend):
    source = warehouse(ClusterType="single-node")
    name = source["ClusterIdentifier"]
    snapshot = snapshot_of(redshift, name, unique_name("keep"), backend)

    redshift.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)
    redshift.get_waiter("cluster_deleted").wait(
        ClusterIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )

    kept = redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot["SnapshotIdentifier"])["Snapshots"]
    assert [(s["SnapshotType"], s["Status"]) for s in kept] == [("manual", "available")]


def test_copying_snapshots_to_another_region_is_accepted_and_stored(redshift, warehouse):
    cluster = warehouse(ClusterType="single-node")

    redshift.enable_snapshot_copy(ClusterIdentifier=cluster["ClusterIdentifier"], DestinationRegion="us-west-2",
                                  RetentionPeriod=7)  # fmt: skip

    copy_status = describe_cluster(redshift, cluster["ClusterIdentifier"])["ClusterSnapshotCopyStatus"]
    assert (copy_status["DestinationRegion"], copy_status["RetentionPeriod"]) == ("us-west-2", 7)
