"""Data service labs (Route 53 Resolver, DMS, ElastiCache, EMR, Redshift): what AWS does in the background, waited
for the same way on every backend, and the undo of what a test created.

- Waits. A Resolver endpoint is ``CREATING`` before ``OPERATIONAL``, a DMS replication instance ``creating`` before
  ``available``, a cache or a warehouse cluster ``creating`` for minutes. The SDK's waiters are used where botocore
  has them (``labkit.compute.waiter_config`` sizes them per backend); :func:`wait_for` polls the rest.
- Undo: :data:`UNDO` (the shape of ``labkit.cleanup.UNDO``, built on ``labkit.undo_steps``), applied newest first by
  :class:`DataTracker` on backends that keep state (host LocalStack, AWS) until ``labkit.cleanup.UNDO`` takes these
  services over. Deleting is asynchronous on AWS: a Resolver endpoint keeps its network interfaces, a cache cluster
  its subnets, until it is gone, so each undo waits (AWS-sized on AWS, a few looks on an emulator) before the
  harness empties the VPC.
- :func:`skip_where_unserved`: a backend that answers a service without serving it, before ``labkit.backends``
  lists it, skips with the reason instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from labkit.backends import Backend
from labkit.compute import settle
from labkit.undo_steps import Undo, poll_until, quietly, waiter_config

log = logging.getLogger(__name__)

# --- services a backend answers without serving them --------------------------------------------------------------

#: (backend, service) -> why the lab skips there. Until ``labkit.backends`` lists them (MiniStack 1.5.33 answers
#: route53resolver with a bare 400 and redshift with "Unsupported service"; host LocalStack refuses emr with
#: "not included in your current license plan").
NOT_SERVED: dict[tuple[str, str], str] = {
    ("ministack", "route53resolver"): "MiniStack 1.5.33 does not implement route53resolver (it answers 400 with no "
    "error code)",
    ("ministack", "redshift"): "MiniStack 1.5.33 does not implement redshift (it answers 'Unsupported service')",
    ("localstack", "emr"): "host LocalStack refuses emr: not included in its current license plan",
}


def skip_where_unserved(backend: Backend, service: str) -> None:
    """Skip the test, with the reason, where ``backend`` does not serve ``service`` (see :data:`NOT_SERVED`)."""
    reason = backend.lacks_service(service) or NOT_SERVED.get((backend.name, service))
    if reason:
        pytest.skip(reason)


# --- waits --------------------------------------------------------------------------------------------------------


def wait_for(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], backend: Backend, aws_minutes: int = 15
) -> dict[str, Any]:
    """``read()`` once ``done`` holds for it: polled for a few seconds on an emulator, ``aws_minutes`` on AWS; the
    last reading either way, so the caller's assertion says what was found."""
    found: dict[str, Any] = {}

    def check() -> bool:
        found.clear()
        found.update(read())
        return done(found)

    settle(check, backend, aws_seconds=aws_minutes * 60)
    return dict(found)


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
    quietly(client.get_waiter(waiter).wait, WaiterConfig=waiter_config(client, CLEANUP_MINUTES), **kwargs)


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
        return [a for a in found["ResolverRuleAssociations"] if a["VPCId"] == vpc]

    _until(lambda: not still_there(), resolver)  # DELETING until gone; no waiter


def _delete_resolver_rule(resolver: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    rule = response["ResolverRule"]["Id"]
    found = resolver.list_resolver_rule_associations(Filters=[{"Name": "ResolverRuleId", "Values": [rule]}])
    for association in found["ResolverRuleAssociations"]:
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


@dataclass
class DataTracker:
    """Undoes, newest first, what a test created with the data services (:data:`UNDO`).

    The harness's own tracker (``labkit.cleanup``) undoes the networking part (VPCs, subnets, security groups); this
    one covers resolver endpoints and rules, replication instances and tasks, caches, EMR and Redshift clusters
    until :data:`UNDO` joins ``cleanup.UNDO``. Its clients are torn down first, so an endpoint's network interfaces
    are gone before the harness empties its VPC."""

    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    _watched: set[int] = field(default_factory=set)

    def watch(self, client: Any) -> Any:
        """Record the undo of every successful call of ``client`` that :data:`UNDO` knows; returns the client."""
        if id(client) in self._watched:
            return client
        self._watched.add(id(client))
        service = client.meta.service_model.service_name

        def record(http_response: Any, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
            undo = UNDO.get((service, model.name))
            if undo is None or not 200 <= http_response.status_code < 300:
                return
            params = kwargs.get("context", {}).get("labs_data_params", {})
            self.steps.append((f"{service}.{model.name}", lambda: undo(client, params, parsed)))

        client.meta.events.register("before-parameter-build.*.*", _keep_params)
        client.meta.events.register("after-call.*.*", record)
        return client

    def undo_all(self) -> list[str]:
        """Undo newest first; a line for each step that failed (a failure never stops the rest)."""
        failures = []
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except (ClientError, BotoCoreError, ResponseParserError) as exc:  # also a waiter giving up, a bad answer
                code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else type(exc).__name__
                if "NotFound" not in code:
                    failures.append(f"{what}: {code}")
                    log.warning("clean-up of %s failed: %s", what, exc)
        return failures


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["labs_data_params"] = dict(params)


# --- fixtures (imported by the data service labs' conftest.py files) ------------------------------------------------


@pytest.fixture
def data_tracker(backend: Backend) -> Iterator[DataTracker]:
    """This test's :class:`DataTracker`: undoes what it created, where state is kept between tests."""
    tracker = DataTracker()
    try:
        yield tracker
    finally:
        if backend.track_resources:
            failures = tracker.undo_all()
            if failures:
                log.warning("clean-up left resources behind: %s", failures)


@pytest.fixture
def data_client(aws_client: Callable[..., Any], data_tracker: DataTracker, backend: Backend) -> Callable[..., Any]:
    """``data_client("dms")``: ``aws_client``, with what it creates undone after the test where state is kept."""

    def make(service: str, **kwargs: Any) -> Any:
        client = aws_client(service, **kwargs)
        return data_tracker.watch(client) if backend.track_resources else client

    return make
