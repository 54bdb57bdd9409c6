"""On backends that are never reset (real AWS), what a test created is deleted at teardown, pass or fail.

moto server stands in for AWS here: the tracker sees only the API, so what it deletes there it deletes on AWS.
"""

from __future__ import annotations

import boto3

from labkit.cleanup import ResourceTracker


def test_everything_created_through_a_watched_client_is_deleted(server_client):
    tracker = ResourceTracker()
    dynamodb, s3, sqs = server_client("dynamodb"), server_client("s3"), server_client("sqs")
    for client in (dynamodb, s3, sqs):
        tracker.watch(client)

    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s3.create_bucket(Bucket="reports")
    s3.put_bucket_versioning(Bucket="reports", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="reports", Key="a.txt", Body=b"1")
    s3.put_object(Bucket="reports", Key="a.txt", Body=b"2")  # two versions: both must go
    sqs.create_queue(QueueName="jobs")

    assert tracker.undo_all() == []
    assert dynamodb.list_tables()["TableNames"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_a_bucket_whose_object_is_under_a_legal_hold_is_released_and_deleted(server_client):
    # A legal hold has no end date: a bucket left with one would stay in a real account for good.
    tracker = ResourceTracker()
    s3 = server_client("s3")
    tracker.watch(s3)
    s3.create_bucket(Bucket="evidence", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="evidence", Key="held.txt", Body=b"1", ObjectLockLegalHoldStatus="ON")

    assert tracker.undo_all() == []
    assert s3.list_buckets()["Buckets"] == []


def test_a_failed_undo_is_reported_and_the_rest_still_run(server_client):
    tracker = ResourceTracker()
    dynamodb, sqs = server_client("dynamodb"), server_client("sqs")
    tracker.watch(dynamodb)
    tracker.watch(sqs)
    sqs.create_queue(QueueName="first")
    dynamodb.create_table(
        TableName="protected",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,  # its undo will be refused
    )

    assert tracker.undo_all() == ["dynamodb.CreateTable: ValidationException"]
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_something_the_test_deleted_itself_is_not_a_failure(server_client):
    tracker = ResourceTracker()
    s3 = server_client("s3")
    tracker.watch(s3)
    s3.create_bucket(Bucket="deleted-by-the-test")
    s3.delete_bucket(Bucket="deleted-by-the-test")

    assert tracker.undo_all() == []


def test_a_creation_it_cannot_undo_is_named_not_ignored(server_client):
    tracker = ResourceTracker()
    ec2 = server_client("ec2")
    tracker.watch(ec2)
    ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="198.51.100.1")

    assert tracker.untracked == ["ec2.CreateCustomerGateway"]


def test_a_vpc_is_emptied_and_deleted_with_what_it_holds(server_client):
    tracker = ResourceTracker()
    ec2 = server_client("ec2")
    tracker.watch(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_security_group(GroupName="labs-web", Description="web", VpcId=vpc)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)

    assert tracker.untracked == [] and tracker.undo_all() == []
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []
    assert ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["Subnets"] == []
    assert (
        ec2.describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [gateway]}])[
            "InternetGateways"
        ]
        == []
    )


def test_emptying_a_vpc_leaves_other_vpcs_peerings_alone(server_client):
    """On an emulator shared by parallel tests, one test's clean-up must not touch another test's peering
    (moto ignores the peering filters and lists every peering in the account)."""
    ec2 = server_client("ec2")
    others = [ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"] for cidr in ("10.21.0.0/16", "10.22.0.0/16")]
    theirs = ec2.create_vpc_peering_connection(VpcId=others[0], PeerVpcId=others[1])["VpcPeeringConnection"]
    tracker = ResourceTracker()
    tracker.watch(ec2)
    ec2.create_vpc(CidrBlock="10.23.0.0/16")

    assert tracker.undo_all() == []
    found = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[theirs["VpcPeeringConnectionId"]])
    assert found["VpcPeeringConnections"][0]["Status"]["Code"] == "pending-acceptance"


def test_the_aws_backend_cleans_up_after_a_failing_test(pytester, moto_server, monkeypatch):
    """The whole path: the aws backend's fixtures, pointed at the stand-in, after a test that fails."""
    monkeypatch.setenv("LABS_AWS_I_ACCEPT_REAL_CHARGES", "yes")
    monkeypatch.setenv("STAND_IN_FOR_AWS", moto_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    moto_server.reset()
    pytester.makeconftest(
        """
        import os, pytest

        @pytest.fixture(autouse=True)
        def _point_at_stand_in(backend, monkeypatch):
            monkeypatch.setattr(backend, "endpoint_url", os.environ["STAND_IN_FOR_AWS"])
        """
    )
    pytester.makepyfile(
        """
        def test_creates_then_fails(aws_client, unique_name):
            aws_client("sqs").create_queue(QueueName=unique_name("left"))
            raise AssertionError("the test fails after creating a queue")
        """
    )
    result = pytester.runpytest("-p", "labkit.plugin", "-p", "no:randomly", "--backend", "aws")

    result.assert_outcomes(failed=1)
    sqs = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url=moto_server.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert sqs.list_queues().get("QueueUrls", []) == []
