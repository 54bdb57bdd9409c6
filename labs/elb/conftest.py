"""Fixtures shared by the ELB labs (labkit.compute): clients whose load balancers, listeners and target groups are
deleted after each test where state is kept, a public network in two zones, and an active internet-facing ALB."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.compute import create_alb, public_network


@pytest.fixture
def elbv2(aws_client):
    return aws_client("elbv2")


@pytest.fixture
def net(ec2, backend) -> dict[str, Any]:
    """A VPC with an internet gateway, public subnets in two zones and a security group open on port 80."""
    return public_network(ec2, backend)


@pytest.fixture
def alb(elbv2, net, unique_name, backend) -> dict[str, Any]:
    """An internet-facing Application Load Balancer, waited for until ``active``."""
    return create_alb(elbv2, unique_name("alb")[:32], net, backend)
