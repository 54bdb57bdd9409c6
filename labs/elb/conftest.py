"""Fixtures shared by the ELB labs (labkit.compute): clients whose load balancers, listeners and target groups are
deleted after each test where state is kept, a public network in two zones, and an active internet-facing ALB."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.compute import compute_tracker, create_alb, public_network, tracked_client  # noqa: F401


@pytest.fixture
def elbv2(tracked_client):  # noqa: F811  (the fixture imported above)
    return tracked_client("elbv2")


@pytest.fixture
def ec2(tracked_client):  # noqa: F811
    return tracked_client("ec2")


@pytest.fixture
def net(ec2) -> dict[str, Any]:
    """A VPC with an internet gateway, public subnets in two zones and a security group open on port 80."""
    return public_network(ec2)


@pytest.fixture
def alb(elbv2, net, unique_name, backend) -> dict[str, Any]:
    """An internet-facing Application Load Balancer, waited for until ``active``."""
    return create_alb(elbv2, unique_name("alb")[:32], net, backend)
