"""Undo what a test created on a backend that is not reset between tests (real AWS above all).

Clients from the ``aws_client`` fixture report every successful call here; a create call we know how to
undo is remembered, and the undo runs when the test ends, pass or fail, newest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from botocore.parsers import ResponseParserError

from labkit.compute_cleanup import UNDO as COMPUTE_UNDO
from labkit.data_cleanup import UNDO as DATA_UNDO
from labkit.deploy_cleanup import PARTS as DEPLOY_PARTS
from labkit.deploy_cleanup import UNDO as DEPLOY_UNDO
from labkit.identity_cleanup import PARTS as IDENTITY_PARTS
from labkit.identity_cleanup import UNDO as IDENTITY_UNDO
from labkit.network_cleanup import PARTS_OF_A_VPC
from labkit.network_cleanup import UNDO as NETWORK_UNDO
from labkit.undo_steps import Undo, cleanup_waiter_config, poll_until, quietly

log = logging.getLogger(__name__)


def _object_lock_enabled(s3: Any, bucket: str) -> bool:
    try:
        configuration = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError:  # ObjectLockConfigurationNotFoundError: never turned on
        return False
    return bool(configuration.get("ObjectLockEnabled") == "Enabled")


def _empty_and_delete_bucket(s3: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    bucket = params["Bucket"]
    # Governance-locked versions need the bypass and held ones a release; S3 refuses the bypass header on a bucket
    # without Object Lock (which may have been turned on after creation: asked, not remembered). A COMPLIANCE
    # version stays until its retention ends, on AWS too: the bucket is then reported as left behind.
    locked = _object_lock_enabled(s3, bucket)
    bypass = {"BypassGovernanceRetention": True} if locked else {}
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        versions = page.get("Versions", [])
        if locked:  # a legal hold has no end date: a held version would keep the bucket for good
            for v in versions:
                quietly(s3.put_object_legal_hold, Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"],
                        LegalHold={"Status": "OFF"})  # fmt: skip
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + page.get("DeleteMarkers", [])]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed}, **bypass)
    s3.delete_bucket(Bucket=bucket)


def _delete_table(dynamodb: Any, name: str) -> None:
    """Delete a table once it is ACTIVE: AWS refuses to delete one still CREATING or UPDATING (a billing-mode
    switch, a restore, a new replica)."""
    status = dynamodb.describe_table(TableName=name)["Table"]["TableStatus"]  # NotFound: already gone
    if status != "ACTIVE":
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=cleanup_waiter_config(dynamodb))
    dynamodb.delete_table(TableName=name)


def _delete_stream(kinesis: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    """Delete a stream once it is ACTIVE (one still UPDATING, resharding or changing encryption, refuses)."""
    name = params["StreamName"]
    status = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
    if status != "ACTIVE":
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=cleanup_waiter_config(kinesis))
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def _delete_rule(events: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    bus = params.get("EventBusName", "default")
    targets = events.list_targets_by_rule(Rule=params["Name"], EventBusName=bus)["Targets"]
    if targets:
        events.remove_targets(Rule=params["Name"], EventBusName=bus, Ids=[t["Id"] for t in targets])
    events.delete_rule(Name=params["Name"], EventBusName=bus)


def _delete_usage_plan(apigateway: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    plan = response["id"]
    stages = apigateway.get_usage_plan(usagePlanId=plan).get("apiStages", [])
    if stages:  # a plan still attached to a stage cannot be deleted
        removals = [{"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"} for s in stages]
        apigateway.update_usage_plan(usagePlanId=plan, patchOperations=removals)
    apigateway.delete_usage_plan(usagePlanId=plan)


def _delete_stack_set(cloudformation: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["StackSetName"]
    instances = cloudformation.list_stack_instances(StackSetName=name).get("Summaries", [])
    if instances:
        operation = cloudformation.delete_stack_instances(
            StackSetName=name,
            Accounts=sorted({i["Account"] for i in instances}),
            Regions=sorted({i["Region"] for i in instances}),
            RetainStacks=False,
        )["OperationId"]

        def finished() -> bool:
            status = cloudformation.describe_stack_set_operation(StackSetName=name, OperationId=operation)
            return status["StackSetOperation"]["Status"] not in ("RUNNING", "QUEUED", "STOPPING")

        poll_until(finished, cloudformation)  # AWS offers no waiter for a stack set operation
    cloudformation.delete_stack_set(StackSetName=name)


#: (service, operation) -> how to undo it, given the client, the call's parameters and its response.
UNDO: dict[tuple[str, str], Undo] = {
    ("dynamodb", "CreateTable"): lambda c, p, r: _delete_table(c, p["TableName"]),
    ("s3", "CreateBucket"): _empty_and_delete_bucket,
    ("sqs", "CreateQueue"): lambda c, p, r: c.delete_queue(QueueUrl=r["QueueUrl"]),
    ("sns", "CreateTopic"): lambda c, p, r: c.delete_topic(TopicArn=r["TopicArn"]),
    ("sns", "Subscribe"): lambda c, p, r: c.unsubscribe(SubscriptionArn=r["SubscriptionArn"]),
    ("kinesis", "CreateStream"): _delete_stream,
    ("firehose", "CreateDeliveryStream"): lambda c, p, r: c.delete_delivery_stream(
        DeliveryStreamName=p["DeliveryStreamName"]
    ),
    ("events", "CreateEventBus"): lambda c, p, r: c.delete_event_bus(Name=p["Name"]),
    ("events", "PutRule"): _delete_rule,
    ("lambda", "CreateFunction"): lambda c, p, r: c.delete_function(FunctionName=p["FunctionName"]),
    ("stepfunctions", "CreateStateMachine"): lambda c, p, r: c.delete_state_machine(
        stateMachineArn=r["stateMachineArn"]
    ),
    ("kms", "CreateKey"): lambda c, p, r: c.schedule_key_deletion(
        KeyId=r["KeyMetadata"]["KeyId"], PendingWindowInDays=7
    ),
    ("secretsmanager", "CreateSecret"): lambda c, p, r: c.delete_secret(
        SecretId=r["ARN"], ForceDeleteWithoutRecovery=True
    ),
    ("ssm", "PutParameter"): lambda c, p, r: c.delete_parameter(Name=p["Name"]),
    ("logs", "CreateLogGroup"): lambda c, p, r: c.delete_log_group(logGroupName=p["logGroupName"]),
    ("cloudformation", "CreateStack"): lambda c, p, r: c.delete_stack(StackName=r["StackId"]),
    ("apigateway", "CreateRestApi"): lambda c, p, r: c.delete_rest_api(restApiId=r["id"]),
    ("apigateway", "CreateApiKey"): lambda c, p, r: c.delete_api_key(apiKey=r["id"]),
    ("apigateway", "CreateUsagePlan"): _delete_usage_plan,
    ("lambda", "CreateEventSourceMapping"): lambda c, p, r: c.delete_event_source_mapping(UUID=r["UUID"]),
    ("cloudformation", "CreateChangeSet"): lambda c, p, r: (  # a CREATE change set makes a stack to review
        c.delete_stack(StackName=r["StackId"]) if p.get("ChangeSetType") == "CREATE" else None
    ),
    ("cloudformation", "CreateStackSet"): _delete_stack_set,
    ("cloudtrail", "CreateTrail"): lambda c, p, r: c.delete_trail(Name=r["TrailARN"]),
    ("glue", "CreateDatabase"): lambda c, p, r: c.delete_database(Name=p["DatabaseInput"]["Name"]),
    ("cloudwatch", "PutMetricAlarm"): lambda c, p, r: c.delete_alarms(AlarmNames=[p["AlarmName"]]),
    ("dynamodb", "CreateBackup"): lambda c, p, r: c.delete_backup(BackupArn=r["BackupDetails"]["BackupArn"]),
    ("dynamodb", "RestoreTableFromBackup"): lambda c, p, r: _delete_table(c, p["TargetTableName"]),
    ("dynamodb", "RestoreTableToPointInTime"): lambda c, p, r: _delete_table(c, p["TargetTableName"]),
    ("kms", "CreateAlias"): lambda c, p, r: c.delete_alias(AliasName=p["AliasName"]),  # it outlives its key
    ("ram", "CreateResourceShare"): lambda c, p, r: c.delete_resource_share(
        resourceShareArn=r["resourceShare"]["resourceShareArn"]
    ),
    ("ec2", "CreateManagedPrefixList"): lambda c, p, r: c.delete_managed_prefix_list(
        PrefixListId=r["PrefixList"]["PrefixListId"]
    ),
    ("config", "PutConfigurationRecorder"): lambda c, p, r: c.delete_configuration_recorder(
        ConfigurationRecorderName=p["ConfigurationRecorder"]["name"]
    ),
    ("config", "StartConfigurationRecorder"): lambda c, p, r: c.stop_configuration_recorder(
        ConfigurationRecorderName=p["ConfigurationRecorderName"]
    ),
    ("config", "PutDeliveryChannel"): lambda c, p, r: c.delete_delivery_channel(
        DeliveryChannelName=p["DeliveryChannel"]["name"]
    ),
    ("config", "PutConfigRule"): lambda c, p, r: c.delete_config_rule(ConfigRuleName=p["ConfigRule"]["ConfigRuleName"]),
    ("config", "PutConfigurationAggregator"): lambda c, p, r: c.delete_configuration_aggregator(
        ConfigurationAggregatorName=p["ConfigurationAggregatorName"]
    ),
    ("dax", "CreateCluster"): lambda c, p, r: c.delete_cluster(ClusterName=p["ClusterName"]),
    ("s3control", "CreateAccessPoint"): lambda c, p, r: c.delete_access_point(AccountId=p["AccountId"], Name=p["Name"]),
    **NETWORK_UNDO,
    **COMPUTE_UNDO,
    **IDENTITY_UNDO,
    **DEPLOY_UNDO,
    **DATA_UNDO,
}

#: Operations that create something we do not know how to undo: reported, so nothing is left silently.
_CREATE_PREFIXES = ("Create", "Run", "Allocate")


@dataclass
class ResourceTracker:
    """Remembers, per test, what was created and how to undo it."""

    undo_steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    _watched: set[int] = field(default_factory=set)

    def watch(self, client: Any) -> Any:
        """Record the undo of every successful create call ``client`` makes from now on (once, however often it
        is asked); returns the client."""
        if id(client) in self._watched:
            return client
        self._watched.add(id(client))
        service = client.meta.service_model.service_name
        client.meta.events.register("after-call.*.*", self._make_recorder(client, service))
        return client

    def _make_recorder(self, client: Any, service: str) -> Callable[..., None]:
        def record(http_response: Any, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
            if not 200 <= http_response.status_code < 300:
                return
            operation = model.name
            params = kwargs.get("context", {}).get("labs_params", {})
            undo = UNDO.get((service, operation))
            if undo is not None:
                self.undo_steps.append((f"{service}.{operation}", lambda: undo(client, params, parsed)))
            elif operation.startswith(_CREATE_PREFIXES) and operation not in _NOT_CREATIONS:
                self.untracked.append(f"{service}.{operation}")

        client.meta.events.register("before-parameter-build.*.*", _keep_params)
        return record

    def undo_all(self) -> list[str]:
        """Undo newest first; returns a line for every step that failed (a failure never stops the rest)."""
        failures = []
        while self.undo_steps:
            what, step = self.undo_steps.pop()
            try:
                step()
            except (ClientError, WaiterError, BotoCoreError, ResponseParserError) as exc:
                code = (
                    exc.response["Error"]["Code"]
                    if isinstance(exc, ClientError)
                    else "waiter timed out"
                    if isinstance(exc, WaiterError)
                    else type(exc).__name__  # e.g. an emulator's answer botocore cannot parse
                )
                if any(gone in code for gone in _ALREADY_GONE):
                    continue  # the test deleted it itself: nothing left behind
                failures.append(f"{what}: {code}")
                log.warning("cleanup of %s failed: %s", what, exc)
        return failures


#: Error codes that mean the resource no longer exists (ResourceNotFoundException, NoSuchBucket, ...).
_ALREADY_GONE = ("NotFound", "NoSuch", "NonExistent", "DoesNotExist", "InvalidAllocationID")


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["labs_params"] = dict(params)


_NOT_CREATIONS = frozenset(
    {  # sub-resources that go away with the parent the tracker already deletes
        "CreateMultipartUpload",
        "CreateLogStream",
        "CreateAlias",  # a Lambda alias goes with its function (a KMS alias has its own undo above)
        "CreateDeployment",
        "CreateResource",
        "CreateModel",
        "CreateRequestValidator",
        "CreateStage",
        "CreateUserPoolClient",
        "CreateAccessKey",
        "CreateGrant",
        "CreateAuthorizer",
        "CreateUsagePlanKey",
        "CreateStackInstances",
        "CreateTable",  # a Glue table goes with its database (a DynamoDB CreateTable has its own undo above)
        "CreateExportTask",
        "CreateInvalidation",
    }
    | PARTS_OF_A_VPC
    | IDENTITY_PARTS
    | DEPLOY_PARTS
)
