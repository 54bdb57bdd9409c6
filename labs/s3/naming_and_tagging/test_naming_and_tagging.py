"""Bucket names must be DNS-friendly; an object takes at most 10 tags."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

NAMING_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
TAGGING_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html"
UPPERCASE_SNAPSHOT = (
    "localstack/localstack:tests/aws/services/s3/test_s3.snapshot.json#TestS3::test_s3_uppercase_bucket_name"
)


def accepted_by(backends, rule, evidence=NAMING_DOC):
    return pytest.mark.diverges(
        backends, f"creates the bucket ({rule}); AWS answers InvalidBucketName", evidence=evidence
    )


MOTO = ("moto", "moto-server")
EVERY_EMULATOR = ("moto", "moto-server", "ministack", "localstack")


def suffix():
    return uuid.uuid4().hex[:8]


@pytest.mark.parametrize(
    "make_name",
    [
        pytest.param(
            lambda: f"Labs-Upper-{suffix()}",
            id="uppercase",
            marks=accepted_by(MOTO, "uppercase", f"{NAMING_DOC} ; {UPPERCASE_SNAPSHOT}"),
        ),
        pytest.param(lambda: f"labs_under_{suffix()}", id="underscore", marks=accepted_by(MOTO, "underscore")),
        pytest.param(lambda: "192.168.5.4", id="ip-address", marks=accepted_by(MOTO, "an IP address")),
        pytest.param(lambda: f"-labs-{suffix()}", id="leading-hyphen", marks=accepted_by(MOTO, "leading hyphen")),
        pytest.param(lambda: f"labs..{suffix()}", id="double-dot", marks=accepted_by(MOTO, "two dots in a row")),
        pytest.param(lambda: f"xn--labs-{suffix()}", id="xn-prefix", marks=accepted_by(EVERY_EMULATOR, "xn-- prefix")),
        pytest.param(
            lambda: f"labs-{suffix()}-s3alias",
            id="s3alias-suffix",
            marks=accepted_by(EVERY_EMULATOR, "-s3alias suffix"),
        ),
        pytest.param(lambda: "ab", id="2-chars"),
        pytest.param(lambda: "a" * 64, id="64-chars"),
    ],
)
def test_bucket_names_that_break_the_rules_are_invalid_bucket_name(s3, make_name):
    with pytest.raises(ClientError) as raised:
        s3.create_bucket(Bucket=make_name())

    assert raised.value.response["Error"]["Code"] == "InvalidBucketName"


def test_a_63_character_name_is_valid_not_just_62(s3, unique_name):
    name = unique_name("x" * 63, max_length=63)

    s3.create_bucket(Bucket=name)

    assert len(name) == 63
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_an_object_takes_10_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tags = [{"Key": f"tag{i}", "Value": str(i)} for i in range(10)]

    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags})

    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == tags


@pytest.mark.diverges("localstack", "stores 11 object tags; AWS answers BadRequest (at most 10)", evidence=TAGGING_DOC)
def test_an_eleventh_tag_is_refused_with_bad_request(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    with pytest.raises(ClientError) as raised:
        s3.put_object_tagging(
            Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": f"tag{i}", "Value": str(i)} for i in range(11)]}
        )

    assert raised.value.response["Error"]["Code"] == "BadRequest"  # "Object tags cannot be greater than 10"
