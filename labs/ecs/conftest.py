"""Fixtures shared by the ECS labs (labkit.compute): clients whose clusters, task definitions, tasks and services
are removed after each test where state is kept, and a public network a Fargate task can pull a public image in."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.compute import public_network


@pytest.fixture
def ecs(aws_client):
    return aws_client("ecs")


@pytest.fixture
def net(aws_client, backend) -> dict[str, Any]:
    """A VPC with an internet gateway, public subnets in two zones and a security group open on port 80."""
    return public_network(aws_client("ec2"), backend)


@pytest.fixture
def cluster(ecs, unique_name) -> str:
    """A new ECS cluster (no instances: Fargate runs the tasks); its ARN."""
    return str(ecs.create_cluster(clusterName=unique_name("cats"))["cluster"]["clusterArn"])
