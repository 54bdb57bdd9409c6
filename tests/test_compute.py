"""labkit.compute and labkit.compute_cleanup: refusals told from missing operations, no load balancer traffic
without an endpoint, and the undo of what the compute labs create (moto server stands in for AWS: the tracker sees
only the API). Its waits are labkit.eventually's (tests/test_eventually.py)."""

from __future__ import annotations

import botocore.session
import pytest

from labkit import compute, compute_cleanup
from labkit.backends import MotoBackend
from labkit.cleanup import ResourceTracker


@pytest.mark.parametrize(
    ("code", "is_refusal"), [("allowed", False), ("InvalidAction", False), ("ValidationError", True)]
)
def test_a_refusal_is_neither_success_nor_an_operation_the_backend_lacks(code, is_refusal):
    assert compute.refused(code) is is_refusal


def test_no_load_balancer_answers_without_an_http_endpoint():
    with pytest.raises(AssertionError, match="no HTTP endpoint"):
        compute.alb_get(MotoBackend(), {"LoadBalancerName": "x", "DNSName": "x.elb.amazonaws.com"})


def test_every_undo_names_an_operation_botocore_knows():
    session = botocore.session.get_session()
    unknown = [
        (service, operation)
        for service, operation in compute_cleanup.UNDO
        if operation not in session.get_service_model(service).operation_names
    ]
    assert unknown == []


# --- the tracker, against a moto server -----------------------------------------------------------------------------


def test_what_a_watched_client_created_is_undone_newest_first(server_client):
    tracker = ResourceTracker()
    ecr, rds, ecs, elbv2, ec2 = (tracker.watch(server_client(s)) for s in ("ecr", "rds", "ecs", "elbv2", "ec2"))
    vpc = server_client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]  # not watched: the harness's part

    ecr.create_repository(repositoryName="cats")
    rds.create_db_instance(DBInstanceIdentifier="shop", **compute.DB_ENGINE, **compute.DB_LOGIN)
    rds.create_db_parameter_group(DBParameterGroupName="tuned", DBParameterGroupFamily="postgres16", Description="x")
    cluster = ecs.create_cluster(clusterName="cats")["cluster"]["clusterArn"]
    ecs.register_task_definition(family="cats", containerDefinitions=[{"name": "c", "image": "nginx", "memory": 64}])
    elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "t3.micro"})

    assert [what for what, _ in tracker.undo_steps][:3] == ["ecr.CreateRepository", "rds.CreateDBInstance",
                                                       "rds.CreateDBParameterGroup"]  # fmt: skip
    assert tracker.undo_all() == []
    assert ecr.describe_repositories()["repositories"] == []
    assert rds.describe_db_instances()["DBInstances"] == []
    assert [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
            if not g["DBParameterGroupName"].startswith("default.")] == []  # fmt: skip
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "INACTIVE"
    assert ecs.list_task_definitions(familyPrefix="cats", status="ACTIVE")["taskDefinitionArns"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []


def test_an_auto_scaling_group_is_force_deleted_and_one_deleted_already_is_skipped(server_client):
    tracker = ResourceTracker()
    autoscaling, ec2 = tracker.watch(server_client("autoscaling")), tracker.watch(server_client("ec2"))
    template = compute.launch_template(ec2, "web")
    for name in ("kept", "gone"):
        autoscaling.create_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateId": template},
                                              MinSize=1, MaxSize=1, AvailabilityZones=["us-east-1a"])  # fmt: skip
    autoscaling.delete_auto_scaling_group(AutoScalingGroupName="gone", ForceDelete=True)  # the test's own delete

    assert tracker.undo_all() == []
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
