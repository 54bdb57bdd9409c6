"""VPC flow logs: CreateFlowLogs on a VPC, a subnet or one network interface; to CloudWatch Logs (a log group and
a role EC2 assumes to write into it) or to S3 (a bucket ARN, optionally with a prefix, no role); records in the
default version-2 format or in a custom list of documented fields; and the checks CreateFlowLogs makes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.iam import allow, create_role, policy, trust
from labkit.network import create_subnet, create_vpc, zones
from labkit.report import show_table

RECORDED = "localstack/localstack:tests/aws/services/ec2/test_ec2.snapshot.json#tests/aws/services/ec2/test_ec2.py::"
RECORDED_S3 = RECORDED + "TestEc2FlowLogs::test_ec2_flow_logs_s3"
RECORDED_CHECKS = RECORDED + "TestEc2FlowLogs::test_ec2_flow_logs_s3_validation"
FIELDS_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html"
NO_CHECKS = "ministack"
#: The default (version 2) record: these 14 fields, in this order.
DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
#: A custom record: fields from the documented list, some of them only available in a custom format.
CUSTOM_FORMAT = (
    "${version} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} ${protocol} ${tcp-flags} ${action}"
)


@pytest.fixture
def vpc(ec2, backend):
    return create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]


@pytest.fixture
def bucket(aws_client, unique_name):
    name = unique_name("flow-logs")
    aws_client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def log_group(aws_client, unique_name):
    name = unique_name("flow-logs")
    aws_client("logs").create_log_group(logGroupName=name)
    return name


@pytest.fixture
def delivery_role(aws_client, unique_name):
    """A role the flow-logs service may assume, allowed to write log streams and events."""
    writes = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
              "logs:DescribeLogStreams"]  # fmt: skip
    return create_role(
        aws_client("iam"), unique_name("flow-logs"), trust({"Service": "vpc-flow-logs.amazonaws.com"}),
        {"deliver": policy(allow(writes))},
    )  # fmt: skip


def flow_log(ec2, flow_log_id):
    return ec2.describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"][0]


def created(response):
    """The one flow log id a CreateFlowLogs for one resource made (and nothing reported unsuccessful)."""
    assert response["Unsuccessful"] == []
    assert len(response["FlowLogIds"]) == 1
    return response["FlowLogIds"][0]


@pytest.mark.diverges(
    NO_CHECKS,
    "stores neither LogGroupName nor DeliverLogsPermissionArn (only a LogDestination); AWS lists both",
    evidence="botocore:ec2/2016-11-15#FlowLog",
)
def test_a_cloudwatch_logs_flow_log_is_accepted_with_a_role_and_stored(ec2, vpc, log_group, delivery_role):
    made = created(ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                        LogGroupName=log_group, DeliverLogsPermissionArn=delivery_role))  # fmt: skip

    found = flow_log(ec2, made)

    assert (found["ResourceId"], found["TrafficType"], found["LogDestinationType"]) == (vpc, "ALL", "cloud-watch-logs")
    assert (found["LogGroupName"], found["DeliverLogsPermissionArn"]) == (log_group, delivery_role)


@pytest.mark.diverges(
    NO_CHECKS,
    "creates a CloudWatch Logs flow log with no DeliverLogsPermissionArn; AWS requires the role for that destination",
    evidence="botocore:ec2/2016-11-15#CreateFlowLogsRequest ; unverified: the code InvalidParameter is moto's and "
    "LocalStack's; AWS's recorded CreateFlowLogs checks answer InvalidParameter, this one was not recorded",
)
def test_a_cloudwatch_logs_flow_log_without_a_role_is_refused(ec2, vpc, log_group):
    with pytest.raises(ClientError) as raised:
        ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName=log_group)

    assert raised.value.response["Error"]["Code"] == "InvalidParameter"


@pytest.mark.diverges(
    NO_CHECKS,
    "reports no LogFormat, MaxAggregationInterval or DeliverLogsStatus; AWS fills in the default version-2 format, "
    "600 s and SUCCESS",
    evidence=RECORDED_S3,
)
def test_an_s3_flow_log_needs_no_role_and_takes_the_default_format(ec2, vpc, bucket):
    made = created(ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                        LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{bucket}"))  # fmt: skip

    found = flow_log(ec2, made)

    show_table("the default record", ["#", "field"], enumerate(found.get("LogFormat", "").split(), start=1))
    assert "DeliverLogsPermissionArn" not in found
    assert found.get("LogFormat") == DEFAULT_FORMAT
    assert found.get("MaxAggregationInterval") == 600
    assert found.get("DeliverLogsStatus") == "SUCCESS"


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "take the whole path after arn:aws:s3::: as the bucket name and report 'LogDestination: <bucket>/<prefix>/ does "
    "not exist'; AWS writes under the prefix",
    evidence=RECORDED_S3,
)
def test_an_s3_flow_log_can_write_under_a_prefix(ec2, vpc, bucket):
    prefixed = f"arn:aws:s3:::{bucket}/vpc-flows/"
    response = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                    LogDestinationType="s3", LogDestination=prefixed)  # fmt: skip

    made = created(response)
    assert flow_log(ec2, made)["LogDestination"] == prefixed


@pytest.mark.diverges(
    NO_CHECKS,
    "stores no LogFormat or MaxAggregationInterval; AWS keeps the custom field list and the 60 s interval",
    evidence=f"{FIELDS_DOC} ; botocore:ec2/2016-11-15#CreateFlowLogsRequest",
)
def test_a_custom_format_and_a_60_s_interval_are_accepted_and_stored(ec2, vpc, bucket):
    made = created(ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT",
                                        LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{bucket}",
                                        LogFormat=CUSTOM_FORMAT, MaxAggregationInterval=60))  # fmt: skip

    found = flow_log(ec2, made)

    assert (found.get("LogFormat"), found.get("MaxAggregationInterval")) == (CUSTOM_FORMAT, 60)


def test_a_flow_log_can_watch_a_vpc_a_subnet_or_one_network_interface(ec2, vpc, bucket, backend):
    subnet = create_subnet(ec2, vpc, "10.0.1.0/24", zones(ec2, 1)[0], backend=backend)["SubnetId"]
    interface = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    destination = {"LogDestinationType": "s3", "LogDestination": f"arn:aws:s3:::{bucket}", "TrafficType": "ALL"}

    made = {kind: created(ec2.create_flow_logs(ResourceIds=[resource], ResourceType=kind, **destination))
            for kind, resource in (("VPC", vpc), ("Subnet", subnet), ("NetworkInterface", interface))}  # fmt: skip

    assert {kind: flow_log(ec2, made[kind])["ResourceId"] for kind in made} == {
        "VPC": vpc, "Subnet": subnet, "NetworkInterface": interface,
    }  # fmt: skip


@pytest.mark.diverges(
    NO_CHECKS,
    "creates a flow log to a bucket that does not exist; AWS reports the resource under Unsuccessful, code 400",
    evidence=RECORDED_CHECKS,
)
def test_a_bucket_that_does_not_exist_is_reported_unsuccessful(ec2, vpc, bucket):
    missing = f"arn:aws:s3:::{bucket}-missing"
    response = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                    LogDestinationType="s3", LogDestination=missing)  # fmt: skip

    assert response["FlowLogIds"] == []
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in response["Unsuccessful"]] == [(vpc, "400")]


@pytest.mark.diverges(
    NO_CHECKS, "checks no destination parameters; AWS answers InvalidParameter", evidence=RECORDED_CHECKS
)
@pytest.mark.parametrize(
    "destination",
    [
        pytest.param({"LogDestinationType": "s3"}, id="s3-without-a-destination"),
        pytest.param({"LogDestinationType": "s3", "LogGroupName": "flow-logs"}, id="s3-with-a-log-group-name"),
    ],
)
def test_an_s3_flow_log_needs_a_bucket_destination_not_a_log_group(ec2, vpc, destination):
    with pytest.raises(ClientError) as raised:
        ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", **destination)

    assert raised.value.response["Error"]["Code"] == "InvalidParameter"
