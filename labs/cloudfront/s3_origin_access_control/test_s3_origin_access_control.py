"""A CloudFront distribution in front of a private S3 bucket: the origin access control (OAC) makes CloudFront
sign its requests to S3, and a bucket policy lets exactly this distribution read."""

from __future__ import annotations

import json

import pytest

from labkit.errors import error_code

OAC_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html"
)
#: DeleteDistribution's reference: disable first (409 DistributionNotDisabled), and a change has propagated when
#: GetDistribution's Status is Deployed.
DELETE_DOC = "https://docs.aws.amazon.com/goto/WebAPI/cloudfront/DeleteDistribution"
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def read_only_for(bucket, distribution_arn):
    """The bucket policy OAC needs: the CloudFront service may GetObject, and only on behalf of this distribution."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowCloudFrontServicePrincipalReadOnly",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                }
            ],
        }
    )


def test_an_origin_access_control_is_accepted_and_stored(cloudfront, make_origin_access_control):
    oac = make_origin_access_control()

    stored = cloudfront.get_origin_access_control(Id=oac["Id"])["OriginAccessControl"]["OriginAccessControlConfig"]

    assert (stored["SigningProtocol"], stored["SigningBehavior"], stored["OriginAccessControlOriginType"]) == (
        "sigv4",
        "always",
        "s3",
    )


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "drops the origin's OriginAccessControlId; AWS keeps it, and the origin signs its requests with the OAC",
    evidence=OAC_DOC,
)
def test_the_s3_origin_uses_the_origin_access_control_and_no_legacy_oai(
    cloudfront, make_origin_access_control, make_distribution
):
    oac = make_origin_access_control()
    distribution = make_distribution(oac_id=oac["Id"])

    origin = cloudfront.get_distribution_config(Id=distribution["Id"])["DistributionConfig"]["Origins"]["Items"][0]

    assert origin["OriginAccessControlId"] == oac["Id"]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}


def test_a_distribution_gets_a_cloudfront_net_name_and_an_arn_without_a_region(make_distribution, aws_account_id):
    distribution = make_distribution()

    assert distribution["DomainName"].endswith(".cloudfront.net")
    assert distribution["ARN"] == f"arn:aws:cloudfront::{aws_account_id}:distribution/{distribution['Id']}"


@pytest.mark.diverges(
    "ministack",
    "answers Deployed at once; AWS answers InProgress while the configuration spreads to the edge locations",
    evidence=DELETE_DOC,
)
def test_a_new_distribution_starts_in_progress(make_distribution):
    assert make_distribution()["Status"] == "InProgress"


def test_a_new_distribution_is_deployed_once_the_waiter_returns(cloudfront, make_distribution, waiting):
    distribution = make_distribution()

    cloudfront.get_waiter("distribution_deployed").wait(Id=distribution["Id"], WaiterConfig=waiting)

    assert cloudfront.get_distribution(Id=distribution["Id"])["Distribution"]["Status"] == "Deployed"


def test_a_policy_for_one_distribution_is_not_public_so_block_public_access_allows_it(
    s3, origin_bucket, make_distribution
):
    distribution = make_distribution()
    s3.put_public_access_block(Bucket=origin_bucket["name"], PublicAccessBlockConfiguration=ALL_ON)

    code = error_code(
        s3.put_bucket_policy,
        Bucket=origin_bucket["name"],
        Policy=read_only_for(origin_bucket["name"], distribution["ARN"]),
    )

    assert code == "allowed"  # a service principal limited to one fixed AWS:SourceArn is not "public"


def test_the_bucket_policy_names_the_cloudfront_service_and_this_distribution(s3, origin_bucket, make_distribution):
    distribution = make_distribution()
    s3.put_bucket_policy(Bucket=origin_bucket["name"], Policy=read_only_for(origin_bucket["name"], distribution["ARN"]))

    statement = json.loads(s3.get_bucket_policy(Bucket=origin_bucket["name"])["Policy"])["Statement"][0]

    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution["ARN"]}}


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "deletes an enabled distribution; AWS answers 409 DistributionNotDisabled",
    evidence=DELETE_DOC,
)
def test_an_enabled_distribution_cannot_be_deleted(cloudfront, make_distribution):
    distribution = make_distribution()
    etag = cloudfront.get_distribution_config(Id=distribution["Id"])["ETag"]

    assert error_code(cloudfront.delete_distribution, Id=distribution["Id"], IfMatch=etag) == "DistributionNotDisabled"
