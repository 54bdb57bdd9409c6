"""The data service labs' harness: skips where a backend answers a service without serving it, and the undo of what
the labs create (labkit.data_cleanup; a moto server stands in for AWS: the tracker sees only the API; on loopback,
labkit.undo_steps sizes the clean-up waits to a few quick looks). Their waits are labkit.eventually's, with
``until`` for a reading that is done (tests/test_eventually.py)."""

from __future__ import annotations

import json

import botocore.session
import pytest

from labkit import data_cleanup
from labkit.backends import LocalStackBackend, MiniStackBackend, MotoBackend
from labkit.cleanup import ResourceTracker


def test_every_undo_names_an_operation_botocore_knows():
    session = botocore.session.get_session()
    unknown = [
        (service, operation)
        for service, operation in data_cleanup.UNDO
        if operation not in session.get_service_model(service).operation_names
    ]
    assert unknown == []


@pytest.mark.parametrize(
    ("backend", "service", "reason"),
    [
        (MiniStackBackend(), "route53resolver", "does not implement route53resolver"),
        (MiniStackBackend(), "redshift", "does not implement redshift"),
        (MiniStackBackend(), "dms", "does not implement dms"),
        (LocalStackBackend(endpoint_url="http://127.0.0.1:1"), "emr", "license plan"),
    ],
    ids=["ministack-route53resolver", "ministack-redshift", "ministack-dms", "localstack-emr"],
)
def test_a_backend_that_does_not_serve_a_service_says_why(backend, service, reason):
    assert reason in (backend.lacks_service(service) or "")


def test_a_backend_that_serves_the_service_lacks_nothing():
    assert MotoBackend().lacks_service("route53resolver") is None


# --- the tracker, against a moto server -------------------------------------------------------------------------------


@pytest.fixture
def network(server_client):
    """A VPC with a subnet in each of two zones and a security group (not watched: the harness's part)."""
    ec2 = server_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(["us-east-1a", "us-east-1b"])
    ]
    group = ec2.create_security_group(GroupName="dns", Description="dns", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "group": group}


def test_resolver_endpoints_rules_and_associations_are_undone_newest_first(server_client, network):
    tracker = ResourceTracker()
    resolver = tracker.watch(server_client("route53resolver"))
    tracker.watch(resolver)  # a second watch of the same client records nothing twice
    endpoint = resolver.create_resolver_endpoint(
        CreatorRequestId="out", Direction="OUTBOUND", SecurityGroupIds=[network["group"]],
        IpAddresses=[{"SubnetId": subnet} for subnet in network["subnets"]],
    )["ResolverEndpoint"]["Id"]  # fmt: skip
    rule = resolver.create_resolver_rule(
        CreatorRequestId="rule", RuleType="FORWARD", DomainName="corp.example.com", ResolverEndpointId=endpoint,
        TargetIps=[{"Ip": "192.168.10.10", "Port": 53}],
    )["ResolverRule"]["Id"]  # fmt: skip
    resolver.associate_resolver_rule(ResolverRuleId=rule, VPCId=network["vpc"])

    assert [what for what, _ in tracker.undo_steps] == [
        "route53resolver.CreateResolverEndpoint", "route53resolver.CreateResolverRule",
        "route53resolver.AssociateResolverRule",
    ]  # fmt: skip
    assert tracker.undo_all() == []
    assert resolver.list_resolver_rule_associations()["ResolverRuleAssociations"] == []
    assert resolver.list_resolver_rules()["ResolverRules"] == []
    assert resolver.list_resolver_endpoints()["ResolverEndpoints"] == []


def test_dms_tasks_endpoints_instances_and_subnet_groups_are_undone(server_client, network):
    tracker = ResourceTracker()
    dms = tracker.watch(server_client("dms"))
    subnets = network["subnets"]
    dms.create_replication_subnet_group(ReplicationSubnetGroupIdentifier="two-zones",
                                        ReplicationSubnetGroupDescription="x", SubnetIds=subnets)  # fmt: skip
    instance = dms.create_replication_instance(
        ReplicationInstanceIdentifier="replicator", ReplicationInstanceClass="dms.t3.micro",
        ReplicationSubnetGroupIdentifier="two-zones",
    )["ReplicationInstance"]["ReplicationInstanceArn"]  # fmt: skip
    source = dms.create_endpoint(EndpointIdentifier="src", EndpointType="source", EngineName="mysql",
                                 ServerName="192.0.2.10", Port=3306, Username="a", Password="b")  # fmt: skip
    role = {"ServiceAccessRoleArn": "arn:aws:iam::123456789012:role/dms"}
    target = dms.create_endpoint(EndpointIdentifier="tgt", EndpointType="target", EngineName="dynamodb",
                                 DynamoDbSettings=role)  # fmt: skip
    dms.create_replication_task(
        ReplicationTaskIdentifier="shop", MigrationType="full-load", ReplicationInstanceArn=instance,
        SourceEndpointArn=source["Endpoint"]["EndpointArn"], TargetEndpointArn=target["Endpoint"]["EndpointArn"],
        TableMappings=json.dumps({"rules": []}),
    )  # fmt: skip

    assert tracker.undo_all() == []
    assert dms.describe_replication_tasks()["ReplicationTasks"] == []
    assert dms.describe_endpoints()["Endpoints"] == []
    assert dms.describe_replication_instances()["ReplicationInstances"] == []
    assert dms.describe_replication_subnet_groups()["ReplicationSubnetGroups"] == []


def test_caches_and_their_snapshots_are_deleted(server_client):
    tracker = ResourceTracker()
    elasticache = tracker.watch(server_client("elasticache"))
    elasticache.create_replication_group(ReplicationGroupId="shop", ReplicationGroupDescription="x",
                                         CacheNodeType="cache.t3.micro", Engine="redis")  # fmt: skip
    elasticache.create_cache_cluster(CacheClusterId="sessions", Engine="memcached", CacheNodeType="cache.t3.micro")
    elasticache.create_snapshot(ReplicationGroupId="shop", SnapshotName="backup")

    assert tracker.undo_all() == []
    assert elasticache.describe_snapshots()["Snapshots"] == []
    # moto marks a deleted group or cluster 'deleting' and keeps it; AWS removes it when done
    assert {g["Status"] for g in elasticache.describe_replication_groups()["ReplicationGroups"]} <= {"deleting"}
    assert {c["CacheClusterStatus"] for c in elasticache.describe_cache_clusters()["CacheClusters"]} <= {"deleting"}


def test_emr_and_redshift_clusters_are_ended_and_one_deleted_already_is_skipped(server_client):
    tracker = ResourceTracker()
    emr, redshift = tracker.watch(server_client("emr")), tracker.watch(server_client("redshift"))
    job = emr.run_job_flow(
        Name="nightly", ReleaseLabel="emr-7.5.0", JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
    )["JobFlowId"]  # fmt: skip
    login = {
        "NodeType": "ra3.large",
        "ClusterType": "single-node",
        "MasterUsername": "a",
        "MasterUserPassword": "Aa1aaaaa",
    }
    for name in ("kept", "gone"):
        redshift.create_cluster(ClusterIdentifier=name, **login)
    redshift.create_cluster_snapshot(SnapshotIdentifier="nightly", ClusterIdentifier="kept")
    redshift.enable_snapshot_copy(ClusterIdentifier="kept", DestinationRegion="us-west-2")
    redshift.delete_cluster(ClusterIdentifier="gone", SkipFinalClusterSnapshot=True)  # the test's own delete

    assert tracker.undo_all() == []
    assert emr.describe_cluster(ClusterId=job)["Cluster"]["Status"]["State"] == "TERMINATED"
    assert redshift.describe_clusters()["Clusters"] == []
    assert [s for s in redshift.describe_cluster_snapshots()["Snapshots"] if s["SnapshotType"] == "manual"] == []


def test_an_undo_the_backend_cannot_answer_is_reported_not_raised(server_client, network):
    tracker = ResourceTracker()
    elasticache = tracker.watch(server_client("elasticache"))
    elasticache.create_cache_subnet_group(CacheSubnetGroupName="caches", CacheSubnetGroupDescription="x",
                                          SubnetIds=network["subnets"])  # fmt: skip

    # moto has no DeleteCacheSubnetGroup: its answer is a page botocore cannot parse
    assert tracker.undo_all() == ["elasticache.CreateCacheSubnetGroup: ResponseParserError"]
