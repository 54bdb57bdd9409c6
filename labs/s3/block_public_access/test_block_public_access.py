"""Block Public Access: four switches, on by default for new buckets, that make S3 refuse anything public."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.errors import error_code
from labkit.s3 import control_client, require_ministack_access_rules

ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
ALL_OFF = dict.fromkeys(ALL_ON, False)

BPA_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html"
ACCOUNT_BPA_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PublicAccessBlockConfiguration.html"
#: AWS News Blog, "Heads-Up: Amazon S3 Security Changes Are Coming in April of 2023" (a copy on an AWS site).
DEFAULTS_NEWS = "https://amer.resources.awscloud.com/aws-news-blog/heads-up-amazon-s3-security-changes-are-coming-in-april-of-2023-4"
DEFAULT_BPA_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html"
ACL_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acls"
ACL_ERRORS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html"


def block(s3, bucket, settings):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=settings)


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a new bucket has no Block Public Access configuration (NoSuchPublicAccessBlockConfiguration); AWS turns all four "
    "settings on for every new bucket since April 2023",
    evidence=f"{DEFAULT_BPA_DOC} ; {DEFAULTS_NEWS}",
)
def test_a_new_bucket_blocks_all_public_access(s3, bucket, backend):
    require_ministack_access_rules(backend)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_ON


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a new bucket has no ownership controls (OwnershipControlsNotFoundError); AWS disables ACLs "
    "(BucketOwnerEnforced) for every new bucket since April 2023",
    evidence=f"{ACL_DOC} ; {DEFAULTS_NEWS}",
)
def test_a_new_bucket_has_acls_disabled(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]

    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "accepts a public-read ACL on a bucket whose ACLs are disabled; AWS answers 400 AccessControlListNotSupported",
    evidence=ACL_ERRORS_DOC,
)
def test_with_acls_disabled_a_public_acl_is_refused_whatever_block_public_access_says(s3, bucket):
    block(s3, bucket, ALL_OFF)

    code = error_code(s3.put_object, Bucket=bucket, Key="page.html", Body=b"<p>hi</p>", ACL="public-read")

    assert code == "AccessControlListNotSupported"


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "stores a public bucket policy while BlockPublicPolicy is on; AWS answers 403 AccessDenied",
    evidence=f"{BPA_DOC} ; {DEFAULTS_NEWS}",
)
def test_block_public_policy_refuses_a_public_bucket_policy(s3, bucket, public_read_policy):
    block(s3, bucket, ALL_ON)

    assert error_code(s3.put_bucket_policy, Bucket=bucket, Policy=public_read_policy(bucket)) == "AccessDenied"


@pytest.mark.diverges(
    ("ministack", "localstack"),
    "has no policy status for the bucket (MiniStack: an empty PolicyStatus; LocalStack: GetBucketPolicyStatus is "
    "not in its community edition); AWS reports IsPublic true",
    evidence=BPA_DOC,
)
def test_with_block_public_access_off_a_public_policy_makes_the_bucket_public(s3, bucket, public_read_policy):
    s3.delete_public_access_block(Bucket=bucket)  # the account's own settings must allow it too (see the README)

    s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))

    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack"),
    "accepts a public-read bucket ACL while BlockPublicAcls is on; AWS answers 403 AccessDenied",
    evidence=BPA_DOC,
)
def test_block_public_acls_refuses_a_public_acl(s3, bucket):
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    block(s3, bucket, ALL_ON)  # ACLs are enabled again, but public ones are blocked

    assert error_code(s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == "AccessDenied"


@pytest.fixture
def account_blocks_public_policies(aws_client, backend, aws_account_id):
    """The account-level BlockPublicPolicy switched on for this test; the account's previous settings come back
    afterwards (on a real account this briefly changes an account-wide setting)."""
    control = control_client(aws_client, backend)
    try:
        before = control.get_public_access_block(AccountId=aws_account_id)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        before = None
    settings = {**(before or ALL_OFF), "BlockPublicPolicy": True}
    yield lambda: control.put_public_access_block(AccountId=aws_account_id, PublicAccessBlockConfiguration=settings)
    if before is None:
        error_code(control.delete_public_access_block, AccountId=aws_account_id)
    else:
        control.put_public_access_block(AccountId=aws_account_id, PublicAccessBlockConfiguration=before)


@pytest.mark.diverges(
    ("moto", "moto-server", "localstack", "ministack"),
    "stores the account-level setting but still accepts a public bucket policy (MiniStack: no account-level Block "
    "Public Access at all, InvalidURI); AWS answers 403 AccessDenied",
    evidence=ACCOUNT_BPA_DOC,
)
def test_the_account_level_setting_blocks_public_policies_in_every_bucket(
    s3, bucket, public_read_policy, account_blocks_public_policies
):
    account_blocks_public_policies()
    block(s3, bucket, ALL_OFF)  # the bucket itself allows public policies

    assert error_code(s3.put_bucket_policy, Bucket=bucket, Policy=public_read_policy(bucket)) == "AccessDenied"
