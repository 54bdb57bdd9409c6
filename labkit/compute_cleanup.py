"""How to undo what the compute labs create (ELB, Auto Scaling, RDS, ECS, ECR), in the shape of ``labkit.cleanup``:
a load balancer deleted and waited for, an Auto Scaling group force-deleted with its instances, a database deleted
without a final snapshot once it can be, a service scaled away, tasks stopped, a repository deleted with its images.
"""

from __future__ import annotations

from typing import Any

from labkit.undo_steps import Undo, cleanup_waiter_config, poll_until, quietly


def _delete_load_balancer(elbv2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    balancer = response["LoadBalancers"][0]
    elbv2.delete_load_balancer(LoadBalancerArn=balancer["LoadBalancerArn"])
    quietly(elbv2.get_waiter("load_balancers_deleted").wait, LoadBalancerArns=[balancer["LoadBalancerArn"]],
             WaiterConfig=cleanup_waiter_config(elbv2))  # fmt: skip


def _delete_group(autoscaling: Any, params: dict[str, Any], _: dict[str, Any]) -> None:
    name = params["AutoScalingGroupName"]
    if not autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]:
        return  # deleted already (a missing group is a ValidationError, not a NotFound, on delete)
    autoscaling.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    poll_until(  # botocore has no group waiter
        lambda: not autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"],
        autoscaling,
    )


def _delete_db_instance(rds: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    name = response["DBInstance"]["DBInstanceIdentifier"]
    quietly(
        rds.get_waiter("db_instance_available").wait, DBInstanceIdentifier=name, WaiterConfig=cleanup_waiter_config(rds)
    )
    rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    quietly(
        rds.get_waiter("db_instance_deleted").wait, DBInstanceIdentifier=name, WaiterConfig=cleanup_waiter_config(rds)
    )


def _delete_db_snapshot(rds: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    name = response["DBSnapshot"]["DBSnapshotIdentifier"]
    quietly(
        rds.get_waiter("db_snapshot_available").wait, DBSnapshotIdentifier=name, WaiterConfig=cleanup_waiter_config(rds)
    )
    rds.delete_db_snapshot(DBSnapshotIdentifier=name)


def _delete_db_cluster(rds: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    name = response["DBCluster"]["DBClusterIdentifier"]
    quietly(
        rds.get_waiter("db_cluster_available").wait, DBClusterIdentifier=name, WaiterConfig=cleanup_waiter_config(rds)
    )
    rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
    quietly(
        rds.get_waiter("db_cluster_deleted").wait, DBClusterIdentifier=name, WaiterConfig=cleanup_waiter_config(rds)
    )


def _delete_service(ecs: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    service = response["service"]
    ecs.delete_service(cluster=service["clusterArn"], service=service["serviceArn"], force=True)
    quietly(ecs.get_waiter("services_inactive").wait, cluster=service["clusterArn"], services=[service["serviceArn"]],
             WaiterConfig=cleanup_waiter_config(ecs))  # fmt: skip


def _stop_tasks(ecs: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    for task in response.get("tasks", []):
        quietly(ecs.stop_task, cluster=task["clusterArn"], task=task["taskArn"], reason="lab clean-up")
    if response.get("tasks"):
        cluster = response["tasks"][0]["clusterArn"]
        quietly(ecs.get_waiter("tasks_stopped").wait, cluster=cluster, tasks=[t["taskArn"] for t in response["tasks"]],
                 WaiterConfig=cleanup_waiter_config(ecs))  # fmt: skip


def _delete_task_definition(ecs: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    arn = response["taskDefinition"]["taskDefinitionArn"]
    quietly(ecs.deregister_task_definition, taskDefinition=arn)
    ecs.delete_task_definitions(taskDefinitions=[arn])


#: (service, operation) -> how to undo it, given the client, the call's parameters and its response; the shape of
#: ``labkit.cleanup.UNDO``. Newest first: listeners before target groups before load balancers, replicas before
#: their sources, services and tasks before clusters.
UNDO: dict[tuple[str, str], Undo] = {
    ("elbv2", "CreateLoadBalancer"): _delete_load_balancer,
    ("elbv2", "CreateTargetGroup"): lambda c, p, r: c.delete_target_group(
        TargetGroupArn=r["TargetGroups"][0]["TargetGroupArn"]
    ),
    ("elbv2", "CreateListener"): lambda c, p, r: c.delete_listener(ListenerArn=r["Listeners"][0]["ListenerArn"]),
    ("elbv2", "CreateRule"): lambda c, p, r: c.delete_rule(RuleArn=r["Rules"][0]["RuleArn"]),
    ("autoscaling", "CreateAutoScalingGroup"): _delete_group,
    ("ec2", "CreateLaunchTemplate"): lambda c, p, r: c.delete_launch_template(
        LaunchTemplateId=r["LaunchTemplate"]["LaunchTemplateId"]
    ),
    ("rds", "CreateDBInstance"): _delete_db_instance,
    ("rds", "CreateDBInstanceReadReplica"): _delete_db_instance,
    ("rds", "RestoreDBInstanceFromDBSnapshot"): _delete_db_instance,
    ("rds", "RestoreDBInstanceToPointInTime"): _delete_db_instance,
    ("rds", "CreateDBSnapshot"): _delete_db_snapshot,
    ("rds", "CopyDBSnapshot"): _delete_db_snapshot,
    ("rds", "CreateDBCluster"): _delete_db_cluster,
    ("rds", "RestoreDBClusterFromSnapshot"): _delete_db_cluster,
    ("rds", "CreateDBClusterSnapshot"): lambda c, p, r: c.delete_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=r["DBClusterSnapshot"]["DBClusterSnapshotIdentifier"]
    ),
    ("rds", "CreateDBParameterGroup"): lambda c, p, r: c.delete_db_parameter_group(
        DBParameterGroupName=p["DBParameterGroupName"]
    ),
    ("ecs", "CreateCluster"): lambda c, p, r: c.delete_cluster(cluster=r["cluster"]["clusterArn"]),
    ("ecs", "CreateService"): _delete_service,
    ("ecs", "RunTask"): _stop_tasks,
    ("ecs", "RegisterTaskDefinition"): _delete_task_definition,
    ("ecr", "CreateRepository"): lambda c, p, r: c.delete_repository(
        repositoryName=r["repository"]["repositoryName"], force=True
    ),
}
