"""Fixtures every CloudFormation lab uses: the client, and a stack created and waited for."""

from __future__ import annotations

import pytest

from labkit.ops import stack_parameters


@pytest.fixture
def cloudformation(aws_client):
    return aws_client("cloudformation")


@pytest.fixture
def deploy(cloudformation):
    """``deploy(name, template, Env="prod")``: create a stack and wait until it is CREATE_COMPLETE (creation is
    asynchronous: the stack is CREATE_IN_PROGRESS first)."""

    def create(name, template, **values):
        cloudformation.create_stack(StackName=name, TemplateBody=template, Parameters=stack_parameters(**values))
        cloudformation.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 2})
        return name

    return create
