"""How to undo what the data service labs create (Route 53 Resolver, DMS, ElastiCache, EMR, Redshift), for
``labkit.cleanup``. Deleting is asynchronous on AWS: a Resolver endpoint keeps its network interfaces, a cache cluster
its subnets, until it is gone, so each undo waits (AWS-sized on AWS, a few looks on an emulator) before the harness
empties the VPC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from labkit.undo_steps import Undo, poll_until, quietly, wait_quietly

#: How long a clean-up step gives AWS to finish the slowest deletions (a cache or a warehouse cluster).
CLEANUP_MINUTES = 30


def _gone(read: Callable[[], Any]) -> bool:
    """True once ``read`` fails with a not-found error, or answers an empty list (a filtered Describe)."""
    try:
        found = read()
    except ClientError as exc:
        if "NotFound" in exc.response["Error"]["Code"]:
            return True
        raise
    return isinstance(found, list) and not found


def _wait(client: Any, waiter: str, **kwargs: Any) -> None:
    """A botocore waiter, sized by where the client points (undo_steps), that never stops the clean-up."""
    wait_quietly(client, waiter, aws_minutes=CLEANUP_MINUTES, **kwargs)


def _until(done: Callable[[], bool], client: Any) -> None:
    poll_until(done, client, CLEANUP_MINUTES)


# --- undo: Route 53 Resolver ----------------------------------------------------------------------------------------


def _delete_resolver_endpoint(resolver: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    endpoint = response["ResolverEndpoint"]["Id"]
    resolver.delete_resolver_endpoint(ResolverEndpointId=endpoint)
    _until(lambda: _gone(lambda: resolver.get_resolver_endpoint(ResolverEndpointId=endpoint)), resolver)


def _disassociate(resolver: Any, rule: str, vpc: str) -> None:
    quietly(resolver.disassociate_resolver_rule, ResolverRuleId=rule, VPCId=vpc)

    def still_there() -> list[dict[str, Any]]:
        found = resolver.list_resolver_rule_associations(Filters=[{"Name": "ResolverRuleId", "Values": [rule]}])
        return [a for a in found["ResolverRuleAssociations"] if (a["ResolverRuleId"], a["VPCId"]) == (rule, vpc)]

    _until(lambda: not still_there(), resolver)  # DELETING until gone; no waiter


def _delete_resolver_rule(resolver: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    rule = response["ResolverRule"]["Id"]
    found = resolver.list_resolver_rule_associations(Filters=[{"Name": "ResolverRuleId", "Values": [rule]}])
    for association in found["ResolverRuleAssociations"]:
        if association["ResolverRuleId"] == rule:  # checked here too: an emulator may ignore the filter
            _disassociate(resolver, rule, association["VPCId"])
    resolver.delete_resolver_rule(ResolverRuleId=rule)


def _undo_association(resolver: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    _disassociate(resolver, params["ResolverRuleId"], params["VPCId"])


# --- undo: DMS ------------------------------------------------------------------------------------------------------


def _delete_replication_task(dms: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    arn = response["ReplicationTask"]["ReplicationTaskArn"]
    found = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [arn]}])
    status = found["ReplicationTasks"][0]["Status"] if found["ReplicationTasks"] else "gone"
    if status in ("running", "starting"):
        quietly(dms.stop_replication_task, ReplicationTaskArn=arn)
        _wait(dms, "replication_task_stopped", Filters=[{"Name": "replication-task-arn", "Values": [arn]}])
    elif status == "creating":
        _wait(dms, "replication_task_ready", Filters=[{"Name": "replication-task-arn", "Values": [arn]}])
    dms.delete_replication_task(ReplicationTaskArn=arn)
    by_arn = [{"Name": "replication-task-arn", "Values": [arn]}]
    _until(lambda: _gone(lambda: dms.describe_replication_tasks(Filters=by_arn)["ReplicationTasks"]), dms)


def _delete_dms_endpoint(dms: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    arn = response["Endpoint"]["EndpointArn"]
    dms.delete_endpoint(EndpointArn=arn)
    by_arn = [{"Name": "endpoint-arn", "Values": [arn]}]
    _until(lambda: _gone(lambda: dms.describe_endpoints(Filters=by_arn)["Endpoints"]), dms)


def _delete_replication_instance(dms: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    arn = response["ReplicationInstance"]["ReplicationInstanceArn"]
    by_arn = [{"Name": "replication-instance-arn", "Values": [arn]}]
    _wait(dms, "replication_instance_available", Filters=by_arn)
    dms.delete_replication_instance(ReplicationInstanceArn=arn)
    _until(lambda: _gone(lambda: dms.describe_replication_instances(Filters=by_arn)["ReplicationInstances"]), dms)


# --- undo: ElastiCache ----------------------------------------------------------------------------------------------


def _delete_replication_group(elasticache: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    group = params["ReplicationGroupId"]
    _wait(elasticache, "replication_group_available", ReplicationGroupId=group)
    elasticache.delete_replication_group(ReplicationGroupId=group)
    _wait(elasticache, "replication_group_deleted", ReplicationGroupId=group)


def _delete_cache_cluster(elasticache: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    cluster = params["CacheClusterId"]
    _wait(elasticache, "cache_cluster_available", CacheClusterId=cluster)
    elasticache.delete_cache_cluster(CacheClusterId=cluster)
    _wait(elasticache, "cache_cluster_deleted", CacheClusterId=cluster)


def _delete_cache_snapshot(elasticache: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["SnapshotName"]

    def settled() -> bool:  # a snapshot still creating cannot be deleted; no waiter
        found = elasticache.describe_snapshots(SnapshotName=name)["Snapshots"]
        return not found or found[0]["SnapshotStatus"] != "creating"

    _until(settled, elasticache)
    elasticache.delete_snapshot(SnapshotName=name)


# --- undo: EMR and Redshift -----------------------------------------------------------------------------------------


def _terminate_emr_cluster(emr: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    cluster = response["JobFlowId"]
    quietly(emr.set_termination_protection, JobFlowIds=[cluster], TerminationProtected=False)
    emr.terminate_job_flows(JobFlowIds=[cluster])
    _wait(emr, "cluster_terminated", ClusterId=cluster)


def _delete_redshift_cluster(redshift: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    cluster = params["ClusterIdentifier"]
    try:  # the test may have deleted it; ClusterAvailable would retry on ClusterNotFound for the whole wait
        redshift.describe_clusters(ClusterIdentifier=cluster)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ClusterNotFound":
            return
        raise
    _wait(redshift, "cluster_available", ClusterIdentifier=cluster)
    redshift.delete_cluster(ClusterIdentifier=cluster, SkipFinalClusterSnapshot=True)
    _wait(redshift, "cluster_deleted", ClusterIdentifier=cluster)


#: (service, operation) -> how to undo it, given the client, the call's parameters and its response; the shape of
#: ``labkit.cleanup.UNDO``. Newest first: rule associations before rules before endpoints, tasks before endpoints
#: before replication instances before subnet groups, snapshots before clusters.
UNDO: dict[tuple[str, str], Undo] = {
    ("route53resolver", "CreateResolverEndpoint"): _delete_resolver_endpoint,
    ("route53resolver", "CreateResolverRule"): _delete_resolver_rule,
    ("route53resolver", "AssociateResolverRule"): _undo_association,
    ("dms", "CreateReplicationSubnetGroup"): lambda c, p, r: c.delete_replication_subnet_group(
        ReplicationSubnetGroupIdentifier=p["ReplicationSubnetGroupIdentifier"]
    ),
    ("dms", "CreateReplicationInstance"): _delete_replication_instance,
    ("dms", "CreateEndpoint"): _delete_dms_endpoint,
    ("dms", "CreateReplicationTask"): _delete_replication_task,
    ("elasticache", "CreateCacheSubnetGroup"): lambda c, p, r: c.delete_cache_subnet_group(
        CacheSubnetGroupName=p["CacheSubnetGroupName"]
    ),
    ("elasticache", "CreateCacheParameterGroup"): lambda c, p, r: c.delete_cache_parameter_group(
        CacheParameterGroupName=p["CacheParameterGroupName"]
    ),
    ("elasticache", "CreateReplicationGroup"): _delete_replication_group,
    ("elasticache", "CreateCacheCluster"): _delete_cache_cluster,
    ("elasticache", "CreateSnapshot"): _delete_cache_snapshot,
    ("emr", "RunJobFlow"): _terminate_emr_cluster,
    ("redshift", "CreateCluster"): _delete_redshift_cluster,
    ("redshift", "RestoreFromClusterSnapshot"): _delete_redshift_cluster,
    ("redshift", "CreateClusterSnapshot"): lambda c, p, r: c.delete_cluster_snapshot(
        SnapshotIdentifier=p["SnapshotIdentifier"]
    ),
    ("redshift", "EnableSnapshotCopy"): lambda c, p, r: quietly(
        c.disable_snapshot_copy, ClusterIdentifier=p["ClusterIdentifier"]
    ),
}


# --- the tracker ----------------------------------------------------------------------------------------------------
