"""How to undo what the compute labs create (ELB, Auto Scaling, RDS, ECS, ECR), in the shape of ``labkit.cleanup``:
a load balancer deleted and waited for, an Auto Scaling group force-deleted with its instances, a database deleted
without a final snapshot once it can be, a service scaled away, tasks stopped, a repository deleted with its images.
"""

from __future__ import annotations

from typing import Any

from labkit.undo_steps import Undo, poll_until, quietly, wait_quietly


def _delete_load_balancer(elbv2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    balancer = response["LoadBalancers"][0]
    elbv2.delete_load_balancer(LoadBalancerArn=balancer["LoadBalancerArn"])
    wait_quietly(elbv2, "load_balancers_deleted", LoadBalancerArns=[balancer["LoadBalancerArn"]])


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
    wait_quietly(rds, "db_instance_available", DBInstanceIdentifier=name)
    rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    wait_quietly(rds, "db_instance_deleted", DBInstanceIdentifier=name)


def _delete_db_snapshot(rds: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    name = response["DBSnapshot"]["DBSnapshotIdentifier"]
    wait_quietly(rds, "db_snapshot_available", DBSnapshotIdentifier=name)
    rds.delete_db_snapshot(DBSnapshotIdentifier=name)


def _delete_db_cluster(rds: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    name = response["DBCluster"]["DBClusterIdentifier"]
    wait_quietly(rds, "db_cluster_available", DBClusterIdentifier=name)
    rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
    wait_quietly(rds, "db_cluster_deleted", DBClusterIdentifier=name)


def _delete_service(ecs: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    service = response["service"]
    ecs.delete_service(cluster=service["clusterArn"], service=service["serviceArn"], force=True)
    wait_quietly(ecs, "services_inactive", cluster=service["clusterArn"], services=[service["serviceArn"]])


def _stop_tasks(ecs: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    for task in response.get("tasks", []):
        quietly(ecs.stop_task, cluster=task["clusterArn"], task=task["taskArn"], reason="lab clean-up")
    if response.get("tasks"):
        cluster = response["tasks"][0]["clusterArn"]
        wait_quietly(ecs, "tasks_stopped", cluster=cluster, tasks=[t["taskArn"] for t in response["tasks"]])


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
