"""Nested stacks: a parent stack's AWS::CloudFormation::Stack resource creates a whole child stack from a
template in S3, passes it parameters, reads its outputs with GetAtt Child.Outputs.<name>, updates it and
deletes it."""

from __future__ import annotations

import pytest

from labkit.data import fixture_path
from labkit.ops import describe_stack, physical_ids, settled_status, stack_outputs, stack_parameters

PARENT = fixture_path("cloudformation/nested_parent.yaml").read_text(encoding="utf-8")
CHILD = fixture_path("cloudformation/nested_child.yaml").read_text(encoding="utf-8")
NESTED_DOC = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-stack.html"
RECORDED = "localstack/localstack:tests/aws/services/cloudformation/api/test_nested_stacks.snapshot.json"

pytestmark = pytest.mark.diverges(
    ("moto", "moto-server"),
    "cannot create the parent: GetAtt Child.Outputs.QueueArn fails inside moto ('Stack' object has no attribute "
    "'get_cfn_attribute'); AWS reads a nested stack's outputs this way",
    evidence=NESTED_DOC,
)


@pytest.fixture
def child_template_url(aws_client, aws_region, unique_name):
    """The child template, uploaded to a bucket of this test; the URL a TemplateURL takes."""
    s3, bucket = aws_client("s3"), unique_name("templates")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="nested_child.yaml", Body=CHILD.encode())
    return f"https://s3.{aws_region}.amazonaws.com/{bucket}/nested_child.yaml"  # path style: every backend reads it


@pytest.fixture
def parent(deploy, unique_name, child_template_url):
    """The parent stack, created and waited for (CREATE_COMPLETE only once the child is complete too)."""
    return deploy(unique_name("parent"), PARENT, ChildTemplateURL=child_template_url)


def child_of(cloudformation, parent):
    """The nested stack's id: the physical id of the parent's AWS::CloudFormation::Stack resource."""
    return physical_ids(cloudformation, parent)["Child"]


def retention_of(aws_client, queue_url):
    attributes = aws_client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["MessageRetentionPeriod"])
    return attributes["Attributes"]["MessageRetentionPeriod"]


def test_the_parent_creates_the_child_as_a_stack_of_its_own(cloudformation, parent):
    child = describe_stack(cloudformation, child_of(cloudformation, parent))

    assert child["StackStatus"] == "CREATE_COMPLETE"
    assert child["StackName"].startswith(f"{parent}-Child-")  # CloudFormation names it after parent and resource
    assert sorted(physical_ids(cloudformation, child["StackId"])) == ["Queue"]


@pytest.mark.diverges(
    ("ministack", "localstack"),
    "keeps no ParentId or RootId on the nested stack; AWS records both (the parent's stack id)",
    evidence="botocore:cloudformation/2010-05-15#Stack",
)
def test_the_child_records_its_parent_and_root(cloudformation, parent):
    child = describe_stack(cloudformation, child_of(cloudformation, parent))
    parent_id = describe_stack(cloudformation, parent)["StackId"]

    assert (child["ParentId"], child["RootId"]) == (parent_id, parent_id)


def test_the_childs_outputs_come_up_to_the_parent(cloudformation, aws_client, parent):
    child = stack_outputs(cloudformation, child_of(cloudformation, parent))
    out = stack_outputs(cloudformation, parent)

    assert out["ChildQueueArn"] == child["QueueArn"]
    assert out["ChildQueueUrl"] == child["QueueUrl"]
    stored = aws_client("ssm").get_parameter(Name=f"/labs/{parent}/child-queue-arn")["Parameter"]["Value"]
    assert stored == child["QueueArn"]  # a resource of the parent used the child's output


def test_the_parent_passes_its_parameters_down(cloudformation, aws_client, parent):
    assert retention_of(aws_client, stack_outputs(cloudformation, parent)["ChildQueueUrl"]) == "345600"


@pytest.mark.diverges(
    "localstack",
    "updates the queue but leaves the nested stack's status at CREATE_COMPLETE; AWS: UPDATE_COMPLETE",
    evidence=f"{NESTED_DOC} ; localstack/localstack:tests/aws/services/cloudformation/test_change_sets.snapshot.json"
    "#test_queue_update",
)
def test_updating_the_parent_updates_the_child_in_place(cloudformation, aws_client, parent, child_template_url):
    before = child_of(cloudformation, parent)
    queue_url = stack_outputs(cloudformation, parent)["ChildQueueUrl"]

    cloudformation.update_stack(
        StackName=parent,
        TemplateBody=PARENT,
        Parameters=stack_parameters(ChildTemplateURL=child_template_url, RetentionSeconds="1209600"),
    )
    cloudformation.get_waiter("stack_update_complete").wait(StackName=parent, WaiterConfig={"Delay": 2})

    assert child_of(cloudformation, parent) == before  # the same nested stack ...
    assert describe_stack(cloudformation, before)["StackStatus"] == "UPDATE_COMPLETE"  # ... updated
    assert retention_of(aws_client, queue_url) == "1209600"  # its queue, updated in place


def test_deleting_the_parent_deletes_the_child_and_its_resources(cloudformation, aws_client, parent):
    child = child_of(cloudformation, parent)
    queue_url = stack_outputs(cloudformation, parent)["ChildQueueUrl"]

    cloudformation.delete_stack(StackName=parent)
    cloudformation.get_waiter("stack_delete_complete").wait(StackName=parent, WaiterConfig={"Delay": 2})

    assert settled_status(cloudformation, child) == "DELETE_COMPLETE"
    queue_name = queue_url.rsplit("/", 1)[1]
    assert aws_client("sqs").list_queues(QueueNamePrefix=queue_name).get("QueueUrls", []) == []
