"""Compute labs (ELB, Auto Scaling, RDS, ECS, ECR): what AWS does in the background, waited for the same way on
every backend, a public network, traffic through a load balancer, and the undo of what a test created.

- Waits. A load balancer is ``provisioning`` before ``active``, an Auto Scaling instance ``Pending`` before
  ``InService``, a database ``creating`` before ``available``, a Fargate task ``PROVISIONING`` before ``RUNNING``.
  An emulator answers at once or never; AWS takes seconds to many minutes. The waits are ``labkit.eventually``'s:
  ``waiter_config`` for botocore's waiters, ``eventually(check, backend, **TRANSITION)`` for any other check.
- :func:`public_network`: a VPC with an internet gateway, a default route and a subnet in each of two zones, and a
  security group open on port 80 (an internet-facing load balancer, a Fargate task pulling a public image).
- :func:`alb_get`: an HTTP request through an Application Load Balancer: to its DNS name on AWS, through
  MiniStack's ``/_alb/<name>`` path on an emulator with an endpoint.
- Undo: ``labkit.compute_cleanup.UNDO``, which the harness's tracker (``labkit.cleanup``) applies on backends that
  keep state (host LocalStack, AWS).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from labkit import network
from labkit.backends import Backend
from labkit.eventually import TRANSITION, eventually, waiter_config

log = logging.getLogger(__name__)
Undo = Callable[[Any, dict[str, Any], dict[str, Any]], None]

DB_ENGINE = {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20}
DB_LOGIN = {"MasterUsername": "labs", "MasterUserPassword": "not-a-secret-1"}


# --- outcomes -----------------------------------------------------------------------------------------------------


def refused(code: str) -> bool:
    """Whether ``code`` (from ``labkit.errors.error_code``) is a refusal of the request itself: neither allowed nor
    ``InvalidAction``, an emulator's answer for an operation it does not implement."""
    return code not in ("allowed", "InvalidAction")


# --- Auto Scaling -------------------------------------------------------------------------------------------------


def describe_group(autoscaling: Any, name: str) -> dict[str, Any]:
    """The Auto Scaling group as DescribeAutoScalingGroups shows it."""
    return dict(autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0])


def states(group: dict[str, Any]) -> list[str]:
    """The lifecycle state of each of the group's instances, sorted."""
    return sorted(i["LifecycleState"] for i in group["Instances"])


def _settled(group: dict[str, Any]) -> bool:
    in_service = [i for i in group["Instances"] if i["LifecycleState"] == "InService"]
    others = [i for i in group["Instances"] if i["LifecycleState"] not in ("InService", "Standby")]
    return len(in_service) == group["DesiredCapacity"] and not others


def wait_for_capacity(autoscaling: Any, name: str, backend: Backend) -> dict[str, Any]:
    """The group once exactly its desired capacity is ``InService`` and nothing is launching or terminating (AWS
    starts instances ``Pending`` and terminates in the background; instances on ``Standby`` stay aside)."""

    def check() -> dict[str, Any] | None:
        group = describe_group(autoscaling, name)
        return group if _settled(group) else None

    return eventually(check, backend, **TRANSITION) or describe_group(autoscaling, name)


def launch_template(ec2: Any, name: str) -> str:
    """A launch template for a t3.micro Amazon Linux 2023 instance (the image looked up, never hard-coded)."""
    data = {"ImageId": network.amazon_linux_image(ec2), "InstanceType": "t3.micro"}
    return str(ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)["LaunchTemplate"][
        "LaunchTemplateId"
    ])  # fmt: skip


# --- a network an internet-facing load balancer or a Fargate task can use -------------------------------------------


def public_network(ec2: Any, backend: Backend, cidr: str = "10.0.0.0/16") -> dict[str, Any]:
    """A VPC with an internet gateway and a default route to it, a public subnet in each of the region's first two
    zones, and a security group open on TCP 80: {"vpc", "zones", "subnets", "security_group"}."""
    vpc = network.create_vpc(ec2, cidr, backend=backend)["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )
    ec2.create_route(
        RouteTableId=main["RouteTables"][0]["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
    )
    chosen = network.zones(ec2, 2)
    prefix = cidr.split(".")[:2]
    subnets = [
        network.create_subnet(ec2, vpc, f"{prefix[0]}.{prefix[1]}.{i + 1}.0/24", zone, backend=backend)["SubnetId"]
        for i, zone in enumerate(chosen)
    ]
    group = ec2.create_security_group(GroupName=f"web-{vpc}", Description="HTTP from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    return {"vpc": vpc, "zones": chosen, "subnets": subnets, "security_group": group}


# --- Application Load Balancers --------------------------------------------------------------------------------------


def create_alb(elbv2: Any, name: str, net: dict[str, Any], backend: Backend) -> dict[str, Any]:
    """An internet-facing ALB in the network's subnets, waited for until ``active`` (AWS answers ``provisioning``)."""
    created = elbv2.create_load_balancer(
        Name=name, Subnets=net["subnets"], SecurityGroups=[net["security_group"]], Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]  # fmt: skip
    arn = created["LoadBalancerArn"]
    elbv2.get_waiter("load_balancer_available").wait(LoadBalancerArns=[arn], WaiterConfig=waiter_config(backend))
    return dict(elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0])


@dataclass(frozen=True)
class Answer:
    """What a load balancer answered: the status code and the body."""

    status: int
    body: str


def alb_get(backend: Backend, load_balancer: dict[str, Any], path: str = "/", *, host: str | None = None) -> Answer:
    """GET ``path`` through the load balancer, with ``host`` as the Host header when given.

    AWS: ``http://<DNSName><path>``, retried for a few minutes while the new name propagates. An emulator with an
    endpoint: MiniStack's path form ``<endpoint>/_alb/<name><path>``. In-process moto has no endpoint at all."""
    headers = {"Host": host} if host else {}
    if backend.is_emulator:
        if not backend.endpoint_url:
            raise AssertionError(f"{backend.name} has no HTTP endpoint: no load balancer can answer a request")
        url = f"{backend.endpoint_url}/_alb/{load_balancer['LoadBalancerName']}{path}"
        response = requests.get(url, headers=headers, timeout=10, allow_redirects=False)
        return Answer(response.status_code, response.text)
    url = f"http://{load_balancer['DNSName']}{path}"
    deadline = time.monotonic() + 300
    while True:
        try:
            response = requests.get(url, headers=headers, timeout=10, allow_redirects=False)
            return Answer(response.status_code, response.text)
        except requests.ConnectionError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(10)


# --- RDS -----------------------------------------------------------------------------------------------------------


def describe_db(rds: Any, name: str) -> dict[str, Any]:
    """The DB instance as DescribeDBInstances shows it."""
    return dict(rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0])


def wait_for_db(rds: Any, name: str, backend: Backend) -> dict[str, Any]:
    """The DB instance once ``available`` (it is ``creating``, ``modifying``, ``backing-up``... before; on AWS a new
    instance takes 5-20 minutes)."""
    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=40 * 60)
    )
    return describe_db(rds, name)


def create_db(rds: Any, name: str, backend: Backend, **extra: Any) -> dict[str, Any]:
    """A small PostgreSQL instance (db.t3.micro, 20 GiB), waited for until ``available``."""
    rds.create_db_instance(DBInstanceIdentifier=name, **{**DB_ENGINE, **DB_LOGIN, **extra})
    return wait_for_db(rds, name, backend)


def wait_for_snapshot(rds: Any, name: str, backend: Backend) -> dict[str, Any]:
    """The DB snapshot once ``available`` (AWS answers CreateDBSnapshot and CopyDBSnapshot with ``creating``)."""
    rds.get_waiter("db_snapshot_available").wait(
        DBSnapshotIdentifier=name, WaiterConfig=waiter_config(backend, aws_seconds=30 * 60)
    )
    return dict(rds.describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"][0])


@pytest.fixture
def tracked_client(aws_client: Callable[..., Any]) -> Callable[..., Any]:
    """Transitional: ``aws_client`` (the harness's tracker now undoes the compute services too)."""
    return aws_client
