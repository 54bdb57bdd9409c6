"""S3 access points: named network endpoints for one bucket, each with an ARN, a bucket-style alias, Block Public
Access settings of its own and a policy that looks like a bucket policy."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config

from labkit.s3 import access_point_client, control_client

ALIAS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html"
BPA_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html"
SIGV4 = Config(signature_version="s3v4")


@pytest.fixture
def control(aws_client, backend):
    return control_client(aws_client, backend)


@pytest.fixture
def finance_ap(s3, bucket, control, aws_account_id, unique_name):
    """An access point ``labs-finance-...`` on a bucket holding ``reports/q1.csv``; deleted after the test."""
    s3.put_object(Bucket=bucket, Key="reports/q1.csv", Body=b"quarter,revenue\nq1,100\n")
    name = unique_name("finance")
    created = control.create_access_point(AccountId=aws_account_id, Name=name, Bucket=bucket)
    yield {"name": name, "bucket": bucket, **{k: v for k, v in created.items() if k != "ResponseMetadata"}}
    control.delete_access_point(AccountId=aws_account_id, Name=name)


def test_an_access_point_has_an_arn_in_the_buckets_region_and_account(finance_ap, aws_region, aws_account_id):
    assert finance_ap["AccessPointArn"] == f"arn:aws:s3:{aws_region}:{aws_account_id}:accesspoint/{finance_ap['name']}"


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "appends 34 random characters and -s3alias to the whole name, so a 21-character name gives a 64-character "
    "alias; AWS aliases stand in for bucket names, which have at most 63 characters",
    evidence=f"{ALIAS_DOC} ; https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
)
def test_an_access_point_gets_a_bucket_style_alias(finance_ap):
    alias = finance_ap["Alias"]

    assert alias.endswith("-s3alias")  # the suffix bucket names may not use, so an alias never collides with one
    assert len(alias) <= 63 and alias == alias.lower()  # usable wherever a bucket name is


def test_get_access_point_names_its_bucket_and_blocks_public_access(control, finance_ap, aws_account_id):
    described = control.get_access_point(AccountId=aws_account_id, Name=finance_ap["name"])

    assert (described["Bucket"], described["NetworkOrigin"]) == (finance_ap["bucket"], "Internet")
    assert set(described["PublicAccessBlockConfiguration"].values()) == {True}  # all four on by default


def test_an_access_point_policy_is_accepted_and_stored(control, finance_ap, aws_account_id):
    reports = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{aws_account_id}:root"},
                "Action": "s3:GetObject",
                "Resource": f"{finance_ap['AccessPointArn']}/object/reports/*",  # only this prefix, via this door
            }
        ],
    }
    control.put_access_point_policy(AccountId=aws_account_id, Name=finance_ap["name"], Policy=json.dumps(reports))

    stored = control.get_access_point_policy(AccountId=aws_account_id, Name=finance_ap["name"])["Policy"]
    assert json.loads(stored) == reports


@pytest.mark.diverges(
    ("moto-server", "localstack"),
    "answers NoSuchBucket for a GetObject addressed to the access point's host; AWS serves the object",
    evidence=ALIAS_DOC,
)
def test_an_object_reads_back_through_the_access_point_arn(aws_client, backend, finance_ap):
    through_ap = access_point_client(aws_client, backend, config=SIGV4)

    body = through_ap.get_object(Bucket=finance_ap["AccessPointArn"], Key="reports/q1.csv")["Body"].read()

    assert body == b"quarter,revenue\nq1,100\n"


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "answers NoSuchBucket for the alias; AWS accepts the alias wherever a bucket name is used for object operations",
    evidence=ALIAS_DOC,
)
def test_an_object_reads_back_through_the_alias_used_as_a_bucket_name(s3, finance_ap):
    body = s3.get_object(Bucket=finance_ap["Alias"], Key="reports/q1.csv")["Body"].read()

    assert body == b"quarter,revenue\nq1,100\n"


def test_the_bucket_lists_its_access_points(control, finance_ap, aws_account_id):
    listed = control.list_access_points(AccountId=aws_account_id, Bucket=finance_ap["bucket"])["AccessPointList"]

    assert [ap["Name"] for ap in listed] == [finance_ap["name"]]
